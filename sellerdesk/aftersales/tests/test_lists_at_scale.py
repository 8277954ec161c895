"""Issue 8: lists that cost the same at any size. A page runs a fixed number of queries whatever
its rows; the CS queue (page and API) pages by keyset, oldest first; the search finds a request by
order no., after-sales no. or buyer; the queue follows every state change through the actions."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.queries import cs_queue, filter_aftersales
from sellerdesk.core import clock
from sellerdesk.testing import factories as f

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}
# The most queries any of these pages may run, whatever its size (today's counts plus headroom
# for a session or a permission check; a query per row would pass this by far at 50 rows).
MAX_PAGE_QUERIES = 20


def client_for(user) -> Client:
    c = Client(**ZH)
    c.force_login(user)
    return c


def new_request(w, *, now):
    order = f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=1000)
    return a.do_open_aftersale(
        order_id=order.id, type="refund_only", amount_fen=100, reason="质量问题", acting_user=w.buyer, now=now
    )


def in_dispute(w, *, now):
    x = new_request(w, now=now)
    a.do_reject(x.id, reason="不同意", acting_user=w.merchant, now=now)
    a.do_escalate(x.id, reason="申请介入", acting_user=w.buyer, now=now)
    return x


def in_review(w, *, now, review_at):
    x = in_dispute(w, now=now)
    a.do_submit_evidence(x.id, statement="已发货", acting_user=w.merchant, now=review_at)
    return x


def queries_for(client, path, params=None):
    client.get(path, params or {})  # sessions, caches and translations warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.content.decode()


def grow(builder, target: int, made: list):
    while len(made) < target:
        made.append(builder(len(made)))


# ------------------------------------------------------------------------- constant query counts


def test_cs_queue_page_runs_the_same_queries_for_5_and_50_disputes(world):
    t0 = clock.now() - timedelta(days=3)
    made, counts = [], {}
    for n in (5, 50):
        grow(lambda i: in_review(world, now=t0, review_at=t0 + timedelta(minutes=i)), n, made)
        counts[n], page = queries_for(client_for(world.cs), "/cs/")
        assert all(x.number in page for x in made)  # all on one page of 50
    assert counts[5] == counts[50] <= MAX_PAGE_QUERIES, counts


def test_workbench_home_runs_the_same_queries_for_5_and_50_requests(world):
    t0 = clock.now() - timedelta(hours=2)
    made, counts = [], {}
    for n in (5, 50):
        grow(lambda i: in_dispute(world, now=t0), n, made)
        counts[n], page = queries_for(client_for(world.merchant), "/workbench/")
        assert made[0].number in page
    assert counts[5] == counts[50] <= MAX_PAGE_QUERIES, counts


@pytest.mark.parametrize(
    "params", [{}, {"quick": "disputes_pending"}, {"status": "dispute_awaiting_evidence"}, {"quick": "todo"}]
)
def test_query_and_management_list_runs_the_same_queries_for_5_and_50_requests(world, params):
    t0 = clock.now() - timedelta(hours=2)
    made, counts = [], {}
    for n in (5, 50):
        grow(lambda i: in_dispute(world, now=t0) if i % 2 else new_request(world, now=t0), n, made)
        counts[n], page = queries_for(client_for(world.merchant), "/workbench/aftersales/", params)
        assert "退款详情" in page
    assert counts[5] == counts[50] <= MAX_PAGE_QUERIES, counts


def test_refund_detail_runs_the_same_queries_for_5_and_50_history_entries(world):
    now = clock.now()
    x = in_dispute(world, now=now - timedelta(hours=1))
    counts = {}
    for n in (5, 50):
        while x.history.count() < n:
            who = world.buyer if x.history.count() % 2 else world.merchant
            a.do_post_message(x.id, body=f"留言 {x.history.count()}", acting_user=who, now=now)
        counts[n], page = queries_for(client_for(world.merchant), f"/workbench/aftersales/{x.pk}/")
        assert "提交凭证" in page
    assert counts[5] == counts[50] <= MAX_PAGE_QUERIES + 5, counts


def test_cs_queue_api_runs_the_same_queries_for_5_and_50_disputes(world, api_as):
    t0 = clock.now() - timedelta(days=3)
    api = api_as(world.cs)
    made, counts = [], {}
    for n in (5, 50):
        grow(lambda i: in_review(world, now=t0, review_at=t0 + timedelta(minutes=i)), n, made)
        api.get("/cs/queue", limit=50)
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/cs/queue", limit=50)
        assert response.status_code == 200 and len(response.json()["items"]) == n
        counts[n] = len(ctx.captured_queries)
    assert counts[5] == counts[50] <= 5, counts


# ------------------------------------------------------------------------------ CS queue, the API


def test_cs_queue_api_pages_oldest_first_without_skipping_or_repeating(world, api_as):
    t0 = clock.now() - timedelta(days=3)
    # Reviews start in reverse order of creation; three share one second (the id breaks the tie).
    made = [in_review(world, now=t0, review_at=t0 + timedelta(hours=10 - min(i, 5))) for i in range(8)]
    for x in made:
        x.refresh_from_db()
    expected = [x.id for x in sorted(made, key=lambda x: (x.dispute.review_started_at, x.dispute.id))]
    api = api_as(world.cs)

    seen, cursor, pages = [], None, []
    while True:
        body = api.get("/cs/queue", limit=3, **({"cursor": cursor} if cursor else {})).json()
        pages.append(body)
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected and len(pages) == 3
    assert pages[0]["prev_cursor"] is None and pages[1]["prev_cursor"]
    item = pages[0]["items"][0]
    assert item["status"] == "dispute_platform_review" and item["review_started_at"] and item["dispute"]

    back = api.get("/cs/queue", limit=3, cursor=pages[2]["prev_cursor"]).json()
    assert [i["id"] for i in back["items"]] == expected[3:6]
    assert (
        back["next_cursor"]
        and api.get("/cs/queue", limit=3, cursor=back["next_cursor"]).json()["items"] == pages[2]["items"]
    )


@pytest.mark.parametrize("role", ["merchant", "buyer"])
def test_cs_queue_api_is_only_for_cs(world, api_as, role):
    response = api_as(getattr(world, role)).get("/cs/queue")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden_role"


def test_cs_queue_api_refuses_a_garbage_cursor(world, api_as):
    response = api_as(world.cs).get("/cs/queue", cursor="garbage")
    assert response.status_code == 404 and response.json()["error"]["code"] == "invalid_cursor"


# ------------------------------------------------------------- the queue follows the state changes


def queue_ids(user):
    rows, _, _ = cs_queue(user, limit=100)
    return [d.aftersale_id for d in rows]


def test_the_queue_holds_exactly_the_disputes_awaiting_the_platform(world):
    now = clock.now()
    x = in_dispute(world, now=now - timedelta(hours=30))
    assert queue_ids(world.cs) == []  # still in the merchant's evidence window
    a.apply_timeout(x.id, now=now - timedelta(hours=5))  # 超时未举证 -> platform review
    assert queue_ids(world.cs) == [x.id]
    a.do_request_evidence(x.id, party="buyer", note="请补充照片", acting_user=world.cs, now=now)
    assert queue_ids(world.cs) == [x.id]  # 待补充凭证 stays in the queue, at its place
    a.do_rule(x.id, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=now)
    assert queue_ids(world.cs) == []

    y = in_review(world, now=now - timedelta(hours=2), review_at=now - timedelta(hours=1))
    assert queue_ids(world.cs) == [y.id] and queue_ids(world.admin) == [y.id]
    assert queue_ids(world.merchant) == [] and queue_ids(world.buyer) == []
    a.do_cancel(y.id, acting_user=world.buyer, now=now)
    assert queue_ids(world.cs) == []


# --------------------------------------------------------------------------------------- search


def test_search_finds_a_request_by_each_number_and_by_the_buyer_only_in_scope(world):
    now = clock.now()
    x = new_request(world, now=now)
    world.buyer.first_name = "小王"
    world.buyer.save(update_fields=["first_name"])
    for q in (x.number, x.order.order_no, world.buyer.username, "小王", f"  {x.number} "):
        assert [r.id for r in filter_aftersales(world.merchant, q=q)] == [x.id], q
    assert list(filter_aftersales(world.other_merchant, q=x.order.order_no)) == []
    assert list(filter_aftersales(world.merchant, q="BO-nothing")) == []


def test_search_on_the_query_page_shows_the_request(world):
    x = new_request(world, now=clock.now())
    page = client_for(world.merchant).get("/workbench/aftersales/", {"q": x.order.order_no}).content.decode()
    assert re.search(rf'data-aftersale="{x.number}"', page)
