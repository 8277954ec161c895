from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0002_shop_membership"),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="id_number_encrypted",
            field=models.TextField(default="", help_text="Resident ID or Unified Social Credit Code, encrypted"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="subject",
            name="id_fingerprint",
            field=models.CharField(db_index=True, default="", max_length=64),
            preserve_default=False,
        ),
    ]
