# Found by bench/explain.py at 1M requests (docs/benchmarks.md, "Lists at scale"): an admin's or CS
# agent's list of one status sorted by 截止时间 or 申请金额 had no index giving that status in that
# order. PostgreSQL walked the scope's (due_at, id) or (amount_fen, id) index and filtered the
# status: up to 175k rows for a page (55 ms; 20 rows at 10k). With these the page's ids are an
# index-only scan of the status's own range (core.pagination._top reads the ids first). 0018 made the
# same pair for 申请时间.
#
# Made by name and CONCURRENTLY on PostgreSQL, as 0016's and 0018's (so not atomic).

from django.db import migrations

from sellerdesk.aftersales.migrations._named_indexes import create_indexes, drop_indexes

DISPUTES = "dispute_id IS NOT NULL"
INDEXES = {
    "aftersale_status_deadline": ("status, due_at, id", ""),
    "aftersale_disputes_status_deadline": ("status, due_at, id", DISPUTES),
    "aftersale_status_amount": ("status, amount_fen, id", ""),
    "aftersale_disputes_status_amount": ("status, amount_fen, id", DISPUTES),
}


def create(apps, schema_editor):
    create_indexes(schema_editor, INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("aftersales", "0018_bench_status_list_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
