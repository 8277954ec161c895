from django.db import migrations


def keep_written_text(apps, schema_editor):
    """Notifications written before they were derived from events keep their text as parameters."""
    Notification = apps.get_model("events", "Notification")
    for note in Notification.objects.all().iterator():
        note.params = {"title": note.title, "body": note.body}
        note.save(update_fields=["params"])


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0003_delivery"),
    ]

    operations = [
        migrations.RunPython(keep_written_text, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='notification',
            name='body',
        ),
        migrations.RemoveField(
            model_name='notification',
            name='title',
        ),
    ]
