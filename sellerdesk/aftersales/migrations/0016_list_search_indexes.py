# Issue 12, item 5: the management list and GET /aftersales sort by 申请时间, 申请金额 or the current
# deadline, each a keyset on (column, id) (queries.ORDERINGS). Every scope reads one of these in
# order and stops after a page: a merchant's shop (shop_id first), CS (only requests with a dispute:
# partial, WHERE dispute_id IS NOT NULL as access.aftersales_visible_to says it; the newest requests
# rarely have one, so the full index made CS read ~90k rows for a page at 1M) and admins (the
# column alone). Without them a sorted page read and sorted every request of the scope.
#
# They are made here, by name, as 0005 made its own, because they serve the list's read side; if
# AfterSale.Meta ever declares them, move them there with SeparateDatabaseAndState in one change.
# On PostgreSQL they are built CONCURRENTLY (so the migration is not atomic): writes go on while a
# large table is indexed.
#
# The prefix search (queries.starts_with) needs nothing new: on PostgreSQL it is LIKE 'prefix%' on
# the varchar_pattern_ops index Django makes beside each unique CharField (number, order_no); on
# SQLite a range on their unique index.

from django.db import migrations

from sellerdesk.aftersales.migrations._named_indexes import create_indexes, drop_indexes

DISPUTES = "dispute_id IS NOT NULL"
INDEXES = {
    "aftersale_shop_applied": ("shop_id, created_at, id", ""),
    "aftersale_shop_amount": ("shop_id, amount_fen, id", ""),
    "aftersale_shop_deadline": ("shop_id, due_at, id", ""),
    "aftersale_disputes_applied": ("created_at, id", DISPUTES),
    "aftersale_disputes_amount": ("amount_fen, id", DISPUTES),
    "aftersale_disputes_deadline": ("due_at, id", DISPUTES),
    "aftersale_applied": ("created_at, id", ""),
    "aftersale_amount": ("amount_fen, id", ""),
    "aftersale_deadline": ("due_at, id", ""),
}


def create(apps, schema_editor):
    create_indexes(schema_editor, INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("aftersales", "0015_claim_lines"),
    ]

    operations = [migrations.RunPython(create, drop)]
