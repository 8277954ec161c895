# Issue 8 (docs/benchmarks.md, "Lists at scale"): a search by a number's beginning lists the highest
# numbers first, at most queries.PREFIX_MATCH_CAP of them (queries.highest_numbers). For CS, whose
# scope is the requests with a dispute, that read every newer order without one when the order
# number lived only on the order: the newest orders are rarely disputed yet. So the request keeps
# its order's number (it never changes), and each number has an index in byte order over every
# request and one over the disputes alone, which bounds LIKE 'prefix%' and gives the order in one
# range.
#
# Not atomic: adding the column with a constant default is instant on PostgreSQL 11+ (the default
# stays, so code of the release before, which does not know the column, can still insert), it is then
# filled in batches of 10,000 ids (each its own short transaction, so writes go on), and the indexes
# are built CONCURRENTLY. On PostgreSQL the index is on `col COLLATE "C"`: the column's collation is
# the database's, which LIKE cannot bound, and a varchar_pattern_ops index cannot give an ORDER BY.
# SQLite compares text in byte order already.

from django.db import migrations, models

from sellerdesk.aftersales.migrations._named_indexes import analyze, create_indexes, drop_indexes

BATCH = 10_000
DISPUTES = "dispute_id IS NOT NULL"
INDEXES = {
    "aftersale_number_bytes": ('number COLLATE "C"', ""),
    "aftersale_order_no_bytes": ('order_no COLLATE "C"', ""),
    "aftersale_disputes_order_no_bytes": ('order_no COLLATE "C"', DISPUTES),
    "aftersale_disputes_number_bytes": ('number COLLATE "C"', DISPUTES),
}


def fill(apps, schema_editor):
    AfterSale = apps.get_model("aftersales", "AfterSale")
    Order = apps.get_model("orders", "Order")
    last = AfterSale.objects.order_by("-id").values_list("id", flat=True).first() or 0
    number = Order.objects.filter(pk=models.OuterRef("order_id")).values("order_no")
    for start in range(0, last + 1, BATCH):
        AfterSale.objects.filter(id__gte=start, id__lt=start + BATCH, order_no="").update(
            order_no=models.Subquery(number)
        )


def create(apps, schema_editor):
    create_indexes(schema_editor, INDEXES)
    analyze(schema_editor)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("aftersales", "0019_status_sorted_list_indexes"),
        ("orders", "0003_item_quantity_positive"),
    ]

    operations = [
        # ADD COLUMN in SQL on both databases: Django's AddField remakes the table on SQLite, and a
        # remake keeps only the indexes the model declares, not those of 0016, 0018 and 0019.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="aftersale",
                    name="order_no",
                    field=models.CharField(default="", editable=False, max_length=40),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE aftersales_aftersale ADD COLUMN order_no varchar(40) NOT NULL DEFAULT ''",
                    "ALTER TABLE aftersales_aftersale DROP COLUMN order_no",
                ),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
        # Again, for requests the release before opened while the indexes were built (a batch
        # that is already full costs a primary-key range read).
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
