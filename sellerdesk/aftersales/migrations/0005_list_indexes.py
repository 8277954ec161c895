# Issue 8: indexes that keep the CS lists and the order-no./buyer search bounded by the page.
#
# The search (queries.search_q) looks buyers up by display name as well as account; identity_user
# has no index on first_name, and the search is this app's, so the index is made here, by name.
# If identity ever declares it in User.Meta, drop the RunSQL below in the same change.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aftersales', '0004_refund_reference_required'),
        ('identity', '0005_drop_clear_subject_id'),
        ('orders', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='aftersale',
            index=models.Index(fields=['status', '-id'], name='aftersale_status_recent'),
        ),
        migrations.AddIndex(
            model_name='dispute',
            index=models.Index(condition=models.Q(('status__in', ['awaiting_supplement', 'platform_review'])), fields=['review_started_at', 'id'], name='dispute_review_queue'),
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS aftersales_search_buyer_name ON identity_user (first_name)",
            reverse_sql="DROP INDEX IF EXISTS aftersales_search_buyer_name",
        ),
    ]
