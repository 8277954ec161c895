"""The CS queue reads the partial index dispute_review_queue in order on both databases (issue 8):
SQLite uses a partial index only when the query spells out the index's own WHERE, so the queue's
status filter is written with its values, not bound parameters (with `IN (?, ?)` SQLite read every
queued dispute through dispute_queue and sorted them: ×2.2–2.7 at 100k rows against 10k)."""

import pytest
from django.db import connection

from sellerdesk.aftersales import queries
from sellerdesk.aftersales.models import Dispute

from .test_rules_lifecycle import HOUR, T0, S, reach

pytestmark = pytest.mark.django_db


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table of a few rows is read whole whatever the indexes; with these off the
            # planner takes the index if, and only if, the query's filter matches its WHERE.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
            try:
                cursor.execute("EXPLAIN " + sql, params)
                return "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("RESET enable_seqscan")
                cursor.execute("RESET enable_sort")
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_every_read_of_the_cs_queue_walks_dispute_review_queue_in_order_without_a_sort(world):
    made = [
        reach(world, status, start=T0 + i * HOUR)[0]
        for i, status in enumerate([S.DISPUTE_PLATFORM_REVIEW, S.DISPUTE_AWAITING_SUPPLEMENT] * 3)
    ]
    first, _ = queries.cs_queue_queryset(world.cs)
    rows = list(first[:51])
    assert {d.aftersale_id for d in rows} == {a.pk for a in made}
    middle = rows[2]
    reads = {
        "first page": first[:51],
        "next page": queries.cs_queue_queryset(world.cs, queries._encode_queue_cursor(middle, "after"))[0][:51],
        "previous page": queries.cs_queue_queryset(world.cs, queries._encode_queue_cursor(middle, "before"))[0][:51],
        "capped count": queries._queue_disputes(world.cs).order_by("review_started_at", "id")[:1001],
    }
    for name, qs in reads.items():
        text = plan(qs)
        assert "dispute_review_queue" in text, (name, text)
        assert "TEMP B-TREE" not in text and "Sort" not in text.replace("Sort Key", ""), (name, text)


def test_the_queue_filter_is_the_queue_statuses_and_nothing_else(world):
    for status in (S.DISPUTE_AWAITING_EVIDENCE, S.DISPUTE_PLATFORM_REVIEW, S.DISPUTE_AWAITING_SUPPLEMENT):
        reach(world, status)
    assert sorted(queries._queue_disputes(world.cs).values_list("status", flat=True)) == [
        "awaiting_supplement",
        "platform_review",
    ]
    assert sorted(Dispute.objects.filter(queries._in_queue()).values_list("status", flat=True)) == sorted(
        queries.QUEUE_DISPUTE_STATUSES
    )
    assert queries._queue_disputes(world.merchant).count() == 0
