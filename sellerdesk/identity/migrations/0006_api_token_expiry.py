from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def expire_existing_tokens_on_schedule(apps, schema_editor):
    # Tokens issued before expiry existed live the same time from when they were issued.
    ttl = timedelta(days=int(getattr(settings, "SELLERDESK_API_TOKEN_TTL_DAYS", 90)))
    ApiToken = apps.get_model("identity", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).iterator():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + ttl)


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0005_drop_clear_subject_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_tokens_on_schedule, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
