from django.db import migrations


class Migration(migrations.Migration):
    """The CS queue reads dispute_review_queue alone (issue 8): SQLite, without ANALYZE figures,
    preferred dispute_queue for the queue's status filter and sorted every queued dispute; the
    capped count of disputes awaiting evidence reads aftersale_status_recent instead."""

    dependencies = [
        ('aftersales', '0005_list_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='dispute',
            name='dispute_queue',
        ),
    ]
