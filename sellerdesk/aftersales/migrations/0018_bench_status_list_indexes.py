# Found by bench/explain.py at 1M requests (docs/benchmarks.md, "Lists at scale"): since the lists
# are sorted by 申请时间 (0016), a status-filtered list of an admin or CS agent has no index that gives
# one status in (created_at, id) order. PostgreSQL walked the whole scope's created_at index and
# filtered the status: 91k-200k rows for a page as an admin (9-18 ms), and as CS every dispute newer
# than the first match (95k rows for status=closed, all 186k for a status no dispute has; up to
# 134 ms). These give the page straight from the status's own range: one for the whole table (admins)
# and one for disputes only (CS: access.aftersales_visible_to's WHERE dispute_id IS NOT NULL; with the
# whole-table one PostgreSQL still preferred the disputes' created_at index, misjudging where the
# status's rows lie). A merchant's lists stay on the (shop_id, …) indexes of 0016.
#
# Made by name and CONCURRENTLY on PostgreSQL, as 0016's (so not atomic).

from django.db import migrations

from sellerdesk.aftersales.migrations._named_indexes import create_indexes, drop_indexes

DISPUTES = "dispute_id IS NOT NULL"
INDEXES = {
    "aftersale_status_applied": ("status, created_at, id", ""),
    "aftersale_disputes_status_applied": ("status, created_at, id", DISPUTES),
}


def create(apps, schema_editor):
    create_indexes(schema_editor, INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("aftersales", "0017_history_kind_labels_fullwidth"),
    ]

    operations = [migrations.RunPython(create, drop)]
