from django.db import migrations, models


class Migration(migrations.Migration):
    """The sweeper's evidence reminders (issue 8): open requests due within the largest mark."""

    dependencies = [
        ('aftersales', '0006_drop_dispute_queue'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='evidencerequest',
            index=models.Index(fields=['state', 'due_at'], name='evidence_request_due'),
        ),
    ]
