# A merchant's search by a number's beginning (queries.highest_numbers) read each of the shop's
# requests from the heap to test its number: rows of one shop lie on as many pages as there are
# rows, so 1M requests made it slower than 10k for a shop of the same size (docs/benchmarks.md,
# "Lists at scale"). These give the shop's numbers in byte order with the id, an index-only read
# that stops at the cap. SQLite's text is in byte order already (no COLLATE there).
#
# Three indexes go, each one another serves in full, so that a state change updates no more
# indexes than before 0021: the foreign keys' own on shop_id and buyer_id (every (shop_id, …)
# index and aftersale_buyer_recent lead with them), and aftersale_due (status, due_at), which
# 0019's aftersale_status_deadline (status, due_at, id) holds.
#
# In SQL, by name, CONCURRENTLY on PostgreSQL (so not atomic): Django's AlterField would remake the
# table on SQLite, dropping every index made by name (test_list_indexes_exist), and its RemoveIndex
# takes a lock that blocks writes while PostgreSQL drops the index.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sellerdesk.aftersales.migrations._named_indexes import analyze, create_indexes, drop_indexes

INDEXES = {
    "aftersale_shop_number_bytes": ('shop_id, number COLLATE "C", id', ""),
    "aftersale_shop_order_no_bytes": ('shop_id, order_no COLLATE "C", id', ""),
}
DROPPED = {
    "aftersales_aftersale_shop_id_ad72a5cb": ("shop_id", ""),
    "aftersales_aftersale_buyer_id_5fa29f93": ("buyer_id", ""),
    "aftersale_due": ("status, due_at", ""),
}


def forwards(apps, schema_editor):
    create_indexes(schema_editor, INDEXES)
    drop_indexes(schema_editor, DROPPED)
    analyze(schema_editor)


def backwards(apps, schema_editor):
    create_indexes(schema_editor, DROPPED)
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("aftersales", "0020_aftersale_order_no"),
        ("identity", "0007_user_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="aftersale", name="aftersale_due"),
                migrations.AlterField(
                    model_name="aftersale",
                    name="buyer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="aftersales",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="aftersale",
                    name="shop",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="aftersales",
                        to="identity.shop",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
