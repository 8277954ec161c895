from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0004_encrypt_subject_ids"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="subject", name="subject_unique_id"),
        migrations.RemoveField(model_name="subject", name="id_number"),
        migrations.AddConstraint(
            model_name="subject",
            constraint=models.UniqueConstraint(fields=("kind", "id_fingerprint"), name="subject_unique_id"),
        ),
    ]
