"""An admin's or a CS agent's list of one status, in the default order (申请时间, newest first), reads
that status's rows in order from an index of its own (migration 0018_bench_status_list_indexes):
without one, PostgreSQL walked the scope's created_at index and filtered, 91k-200k rows for a page
at 1M requests (docs/benchmarks.md, "Lists at scale")."""

import re
from datetime import timedelta

import pytest
from django.db import connection

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.models import Status
from sellerdesk.aftersales.queries import DEFAULT_ORDERING, ORDERINGS, filter_aftersales
from sellerdesk.core import clock

from .test_workbench_lists import mixed_requests, open_request, plan

pytestmark = pytest.mark.django_db

# The index each scope's status list is read through (CS sees only requests with a dispute).
STATUS_INDEX = {"admin": "aftersale_status_applied", "cs": "aftersale_disputes_status_applied"}


def disputes(w, n):
    made = []
    for i in range(n):
        x = open_request(w, at=clock.now() - timedelta(hours=i))
        a.do_reject(x.id, reason="不同意", acting_user=w.merchant, now=clock.now())
        a.do_escalate(x.id, reason="申请介入", acting_user=w.buyer, now=clock.now())
        made.append(x)
    return made


@pytest.mark.parametrize("status", [Status.DISPUTE_PLATFORM_REVIEW, Status.CLOSED, Status.AWAITING_MERCHANT])
@pytest.mark.parametrize("role", list(STATUS_INDEX))
def test_a_status_list_in_the_default_order_reads_the_status_index_in_order_without_a_sort(world, role, status):
    mixed_requests(world)
    disputes(world, 3)
    sort = ORDERINGS[DEFAULT_ORDERING]
    first = filter_aftersales(getattr(world, role), statuses=[status]).order_by(*sort.order_by())
    row = first.first() or filter_aftersales(getattr(world, role)).order_by(*sort.order_by()).first()
    reads = {"first page": first[:21], "next page": first.filter(sort.after(row.created_at, row.id))[:21]}
    for name, qs in reads.items():
        text = plan(qs)
        if connection.vendor == "postgresql":
            assert re.search(rf"\b{STATUS_INDEX[role]}\b", text), (name, text)
            assert re.search(r"Index Cond: .*\bstatus\b", text), (name, text)
        else:  # SQLite: either status index bounds the status and gives the order
            assert re.search(r"USING (COVERING )?INDEX aftersale_(disputes_)?status_applied \(status=\?", text), (
                name,
                text,
            )
        assert "TEMP B-TREE" not in text and "Sort" not in text.replace("Sort Key", ""), (name, text)


@pytest.mark.parametrize("role", list(STATUS_INDEX))
def test_a_status_list_in_the_default_order_holds_exactly_the_status_newest_first(world, role):
    mixed_requests(world)
    made = disputes(world, 3)
    user = getattr(world, role)
    rows = list(filter_aftersales(user, statuses=[Status.DISPUTE_AWAITING_EVIDENCE]).order_by("-created_at", "-id"))
    assert [r.id for r in rows] == [x.id for x in made]  # made newest first
    assert {r.status for r in rows} == {Status.DISPUTE_AWAITING_EVIDENCE}
