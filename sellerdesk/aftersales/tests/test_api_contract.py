"""The API as a contract (api.md): OpenAPI, error bodies, times, money, pagination, filters, and
query counts that do not grow with the page size."""

import io
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.testing import factories as f

from .test_api_authorization import assert_error, bring_to

API_MD_PATHS = [
    ("post", "/auth/token"),
    ("get", "/me"),
    ("post", "/platform/orders"),
    ("get", "/orders"),
    ("get", "/orders/{}"),
    ("post", "/aftersales"),
    ("get", "/aftersales"),
    ("get", "/aftersales/{}"),
    ("post", "/aftersales/{}/approve"),
    ("post", "/aftersales/{}/reject"),
    ("post", "/aftersales/{}/return-shipment"),
    ("post", "/aftersales/{}/confirm-receipt"),
    ("post", "/aftersales/{}/reject-receipt"),
    ("post", "/aftersales/{}/escalate"),
    ("post", "/aftersales/{}/evidence"),
    ("post", "/aftersales/{}/messages"),
    ("post", "/aftersales/{}/offers"),
    ("post", "/aftersales/{}/offers/{}/accept"),
    ("post", "/aftersales/{}/offers/{}/decline"),
    ("post", "/aftersales/{}/cancel"),
    ("post", "/aftersales/{}/request-evidence"),
    ("post", "/aftersales/{}/rule"),
    ("get", "/aftersales/{}/history"),
    ("post", "/aftersales/{}/claim"),
    ("post", "/aftersales/{}/release"),
    ("post", "/aftersales/{}/cs-notes"),
    ("post", "/aftersales/{}/extend-deadline"),
    ("post", "/aftersales/{}/appeal"),
    ("post", "/aftersales/{}/decide-appeal"),
    ("get", "/attachments/{}"),
    ("get", "/health"),
]
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def png_upload(name="p.png"):
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def new_request(w, *, buyer=None, shop=None, amount=100, now=None):
    """Another paid order of `buyer` at `shop` and a request on it."""
    buyer, shop = buyer or w.buyer, shop or w.shop
    order = f.make_order(shop=shop, buyer=buyer, paid_fen=1000)
    return actions.do_open_aftersale(
        order_id=order.id,
        type="refund_only",
        amount_fen=amount,
        reason="质量问题",
        acting_user=buyer,
        now=now or clock.now(),
    )


def to_dispute(w, a, now=None):
    now = now or clock.now()
    actions.do_reject(a.pk, reason="不同意", acting_user=w.merchant, now=now)
    actions.do_escalate(a.pk, reason="申请介入", acting_user=a.buyer, now=now)
    return a


def ids(response):
    assert response.status_code == 200, response.content
    return [i["id"] for i in response.json()["items"]]


# ------------------------------------------------------------------------------------------- OpenAPI


def test_openapi_document_lists_every_path_of_api_md(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    served = {
        (method, re.sub(r"\{[^}]+\}", "{}", path.removeprefix("/api/v1")))
        for path, operations in spec["paths"].items()
        for method in operations
    }
    missing = [p for p in API_MD_PATHS if p not in served]
    assert missing == []


def test_interactive_docs_page_answers_200(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


# --------------------------------------------------------------------------------------- error bodies


def test_an_unknown_api_path_answers_with_the_error_body(world, api_as):
    assert_error(api_as(world.buyer).get("/no-such-thing"), 404, "not_found")
    assert_error(Client().post("/api/v1/aftersales/1/no-such-action"), 404, "not_found")


def test_every_error_status_has_the_same_body(world, api_as):
    # given one example of each status the API answers with
    a = bring_to(world, "merchant_rejected")
    buyer, merchant = api_as(world.buyer), api_as(world.merchant)
    merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "x"}, key="k")
    responses = [
        buyer.post("/aftersales", raw="{"),  # 400
        Client().get("/api/v1/me"),  # 401
        buyer.post(f"/aftersales/{a.pk}/approve"),  # 403
        api_as(world.other_buyer).get(f"/aftersales/{a.pk}"),  # 404
        merchant.post(f"/aftersales/{a.pk}/approve", {"x": 1}, key="k"),  # 422
        merchant.post(f"/aftersales/{a.pk}/confirm-receipt"),  # 409
    ]
    # then every one is {"error": {"code", "message", "details"}} with a snake_case code and text
    assert [r.status_code for r in responses] == [400, 401, 403, 404, 422, 409]
    for r in responses:
        body = r.json()
        assert list(body) == ["error"]
        assert set(body["error"]) == {"code", "message", "details"}
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", body["error"]["code"])
        assert body["error"]["message"]
        assert isinstance(body["error"]["details"], dict)


# ------------------------------------------------------------------------------------- times and money


def walk_json(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk_json(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_json(v, f"{path}[{i}]")
    else:
        yield path, value


def test_times_are_iso_8601_with_offset_and_money_is_integer_fen(world, api_as):
    # given a dispute with evidence, an offer, and a supplement request: most fields filled in
    a = bring_to(world, "dispute_platform_review")
    actions.do_request_evidence(a.pk, party="buyer", note="补充", acting_user=world.cs, now=clock.now())
    responses = [
        api_as(world.cs).get(f"/aftersales/{a.pk}"),
        api_as(world.cs).get("/aftersales"),
        api_as(world.cs).get(f"/aftersales/{a.pk}/history"),
        api_as(world.buyer).get("/orders"),
    ]

    times = money = 0
    for response in responses:
        assert response.status_code == 200
        for path, value in walk_json(response.json()):
            key = path.rsplit(".", 1)[-1].split("[")[0]
            if (key.endswith("_at") or key == "at") and value is not None:
                assert isinstance(value, str) and ISO_WITH_OFFSET.match(value), (path, value)
                times += 1
            if key.endswith("_fen"):
                assert type(value) is int, (path, value)
                money += 1
    assert times > 10 and money > 5


def test_evidence_due_at_is_opened_at_plus_24_hours_in_utc(world, api_as):
    with time_machine.travel(datetime.fromisoformat("2026-03-01T10:00:00+08:00"), tick=False):
        a = bring_to(world, "dispute_awaiting_evidence")
    dispute = api_as(world.merchant).get(f"/aftersales/{a.pk}").json()["dispute"]
    assert dispute["opened_at"] in ("2026-03-01T02:00:00Z", "2026-03-01T02:00:00+00:00")
    assert dispute["evidence_due_at"] in ("2026-03-02T02:00:00Z", "2026-03-02T02:00:00+00:00")


# ----------------------------------------------------------------------------------------- pagination


def test_cursor_pagination_walks_every_item_once_newest_first(world, api_as):
    made = [new_request(world).pk for _ in range(7)]
    merchant = api_as(world.merchant)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = merchant.get("/aftersales", **params).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)
    assert pages == 3


def test_the_orders_list_pages_with_the_same_cursor_scheme(world, api_as):
    made = [world.order.id] + [f.make_order(shop=world.shop, buyer=world.buyer).id for _ in range(4)]
    buyer = api_as(world.buyer)
    first = buyer.get("/orders", limit=2).json()
    second = buyer.get("/orders", limit=2, cursor=first["next_cursor"]).json()
    third = buyer.get("/orders", limit=2, cursor=second["next_cursor"]).json()
    got = [o["id"] for page in (first, second, third) for o in page["items"]]
    assert got == sorted(made, reverse=True)
    assert third["next_cursor"] is None


# -------------------------------------------------------------------------------------------- filters


def test_status_filter_is_repeatable(world, api_as):
    waiting = new_request(world)
    rejected = new_request(world)
    actions.do_reject(rejected.pk, reason="no", acting_user=world.merchant, now=clock.now())
    disputed = to_dispute(world, new_request(world))
    merchant = api_as(world.merchant)

    assert ids(merchant.get("/aftersales", status="dispute_awaiting_evidence")) == [disputed.pk]
    assert ids(merchant.get("/aftersales", status=["awaiting_merchant", "merchant_rejected"])) == [
        rejected.pk,
        waiting.pk,
    ]
    assert ids(merchant.get("/aftersales")) == [disputed.pk, rejected.pk, waiting.pk]


def test_quick_disputes_pending_is_what_waits_for_the_merchants_evidence(world, api_as):
    # given requests in every dispute situation, and some outside a dispute
    now = clock.now()
    awaiting_evidence = to_dispute(world, new_request(world))
    supplement_from_merchant = to_dispute(world, new_request(world))
    actions.do_submit_evidence(supplement_from_merchant.pk, statement="s", acting_user=world.merchant, now=now)
    actions.do_request_evidence(
        supplement_from_merchant.pk, party="merchant", note="补充", acting_user=world.cs, now=now
    )
    supplement_from_buyer = to_dispute(world, new_request(world))
    actions.do_submit_evidence(supplement_from_buyer.pk, statement="s", acting_user=world.merchant, now=now)
    actions.do_request_evidence(supplement_from_buyer.pk, party="buyer", note="补充", acting_user=world.cs, now=now)
    in_review = to_dispute(world, new_request(world))
    actions.do_submit_evidence(in_review.pk, statement="s", acting_user=world.merchant, now=now)
    cancelled = to_dispute(world, new_request(world))
    actions.do_cancel(cancelled.pk, acting_user=world.buyer, now=now)
    rejected = new_request(world)
    actions.do_reject(rejected.pk, reason="no", acting_user=world.merchant, now=now)
    new_request(world)
    to_dispute_elsewhere = new_request(world, shop=world.other_shop)
    actions.do_reject(to_dispute_elsewhere.pk, reason="no", acting_user=world.other_merchant, now=now)
    actions.do_escalate(to_dispute_elsewhere.pk, reason="x", acting_user=world.buyer, now=now)

    # when the merchant uses 纠纷待处理
    pending = ids(api_as(world.merchant).get("/aftersales", quick="disputes_pending"))

    # then it is exactly the disputes waiting for this shop's evidence
    assert pending == [supplement_from_merchant.pk, awaiting_evidence.pk]
    # and the buyer's 纠纷待处理 is the supplement CS asked of the buyer; CS's is what waits for a ruling
    assert ids(api_as(world.buyer).get("/aftersales", quick="disputes_pending")) == [supplement_from_buyer.pk]
    assert ids(api_as(world.cs).get("/aftersales", quick="disputes_pending")) == [in_review.pk]


def test_quick_disputes_pending_and_the_status_filter_combine(world, api_as):
    awaiting = to_dispute(world, new_request(world))
    supplement = to_dispute(world, new_request(world))
    actions.do_submit_evidence(supplement.pk, statement="s", acting_user=world.merchant, now=clock.now())
    actions.do_request_evidence(supplement.pk, party="merchant", note="补充", acting_user=world.cs, now=clock.now())
    response = api_as(world.merchant).get("/aftersales", quick="disputes_pending", status="dispute_awaiting_evidence")
    assert ids(response) == [awaiting.pk]


def test_quick_evidence_due_soon_is_pending_evidence_due_within_the_window(world, api_as, settings):
    # given two disputes opened 21 h and 19 h ago (evidence due in 3 h and 5 h), window 4 h
    settings.SELLERDESK_EVIDENCE_DUE_SOON_SECONDS = 4 * 3600
    start = clock.now()
    with time_machine.travel(start - timedelta(hours=21), tick=False):
        soon = to_dispute(world, new_request(world))
    with time_machine.travel(start - timedelta(hours=19), tick=False):
        later = to_dispute(world, new_request(world))
    merchant = api_as(world.merchant)

    with time_machine.travel(start, tick=False):
        due_soon = ids(merchant.get("/aftersales", quick="evidence_due_soon"))
        pending = ids(merchant.get("/aftersales", quick="disputes_pending"))
    # one second after the first one's deadline it is overdue, not due soon
    with time_machine.travel(start + timedelta(hours=3, seconds=1), tick=False):
        after = ids(merchant.get("/aftersales", quick="evidence_due_soon"))

    assert due_soon == [soon.pk]
    assert pending == [later.pk, soon.pk]
    assert after == [later.pk]


def test_search_q_finds_by_order_no_aftersales_no_and_buyer(world, api_as):
    mine = new_request(world)
    other_buyers = new_request(world, buyer=world.other_buyer)
    merchant = api_as(world.merchant)

    assert ids(merchant.get("/aftersales", q=mine.order.order_no)) == [mine.pk]
    assert ids(merchant.get("/aftersales", q=other_buyers.number)) == [other_buyers.pk]
    assert ids(merchant.get("/aftersales", q=f"  {other_buyers.number} ")) == [other_buyers.pk]
    assert ids(merchant.get("/aftersales", q="b2")) == [other_buyers.pk]
    assert ids(merchant.get("/aftersales", q="nobody")) == []


def test_search_q_never_reaches_another_shops_request(world, api_as):
    theirs = new_request(world, shop=world.other_shop)
    merchant = api_as(world.merchant)
    assert ids(merchant.get("/aftersales", q=theirs.number)) == []
    assert ids(merchant.get("/aftersales", q=theirs.order.order_no)) == []


def test_created_from_and_to_bound_the_creation_time_inclusively(world, api_as):
    made = {}
    for day in (1, 2, 3):
        with time_machine.travel(datetime.fromisoformat(f"2026-05-0{day}T12:00:00+00:00"), tick=False):
            made[day] = new_request(world)
    merchant = api_as(world.merchant)

    assert ids(merchant.get("/aftersales", created_from="2026-05-02T12:00:00Z")) == [made[3].pk, made[2].pk]
    assert ids(merchant.get("/aftersales", created_to="2026-05-02T12:00:00Z")) == [made[2].pk, made[1].pk]
    assert ids(
        merchant.get("/aftersales", created_from="2026-05-02T00:00:00+08:00", created_to="2026-05-02T23:59:59+08:00")
    ) == [made[2].pk]


# ------------------------------------------------------------------------------------ query counts


def count_queries(client, path, **params):
    client.get("/me")  # a fresh token's first use writes last_used_at (then at most once a minute)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


def test_list_query_count_does_not_grow_with_the_page_size(world, api_as):
    # given 5 requests, some in dispute with evidence requests and offers
    def make(n):
        for i in range(n):
            a = new_request(world, buyer=world.buyer if i % 2 else world.other_buyer)
            if i % 3 == 0:
                a = to_dispute(world, a)

    make(5)
    merchant = api_as(world.merchant)
    small, body = count_queries(merchant, "/aftersales", limit=100)
    assert len(body.json()["items"]) == 5

    # when there are 50
    make(45)
    large, body = count_queries(merchant, "/aftersales", limit=100)

    # then the same number of queries answers both
    assert len(body.json()["items"]) == 50
    assert large == small


def test_detail_query_count_does_not_grow_with_history_evidence_attachments_or_offers(world, api_as):
    # given a dispute in review with one of everything: evidence, message with a file, offer
    a = bring_to(world, "dispute_platform_review")
    merchant = api_as(world.merchant)
    actions.do_post_message(a.pk, body="m", uploads=[png_upload()], acting_user=world.buyer, now=clock.now())
    actions.do_make_offer(a.pk, amount_fen=100, acting_user=world.merchant, now=clock.now())
    small, _ = count_queries(merchant, f"/aftersales/{a.pk}")
    small_history, _ = count_queries(merchant, f"/aftersales/{a.pk}/history")

    # when there are ten of each (supplements asked and given, messages with files, offers)
    for i in range(9):
        now = clock.now()
        actions.do_request_evidence(a.pk, party="merchant", note=f"补充{i}", acting_user=world.cs, now=now)
        actions.do_submit_evidence(
            a.pk, statement=f"补充证据{i}", uploads=[png_upload(), png_upload()], acting_user=world.merchant, now=now
        )
        actions.do_post_message(
            a.pk, body=f"m{i}", uploads=[png_upload(), png_upload()], acting_user=world.buyer, now=now
        )
        actions.do_make_offer(a.pk, amount_fen=200 + i, acting_user=world.merchant, now=now)
    large, detail = count_queries(merchant, f"/aftersales/{a.pk}")
    large_history, history = count_queries(merchant, f"/aftersales/{a.pk}/history")

    # then the same number of queries answers
    assert len(detail.json()["offers"]) == 10
    assert len(detail.json()["dispute"]["evidence"]) == 10
    assert len(detail.json()["dispute"]["evidence_requests"]) == 10
    assert len(history.json()) > 40
    assert (large, large_history) == (small, small_history)


def test_orders_list_query_count_does_not_grow_with_the_page_size(world, api_as):
    for _ in range(4):
        f.make_order(shop=world.shop, buyer=world.buyer)
    buyer = api_as(world.buyer)
    small, body = count_queries(buyer, "/orders", limit=100)
    assert len(body.json()["items"]) == 5
    for _ in range(45):
        f.make_order(shop=world.shop, buyer=world.buyer)
    large, body = count_queries(buyer, "/orders", limit=100)
    assert len(body.json()["items"]) == 50
    assert large == small


@pytest.mark.parametrize("role", ["buyer", "merchant", "cs"])
def test_list_query_count_is_the_same_for_each_role(world, api_as, role):
    # each role's list has its own scoping query; none of them loads per row
    for _ in range(3):
        to_dispute(world, new_request(world))
    client = api_as(getattr(world, role))
    small, _ = count_queries(client, "/aftersales")
    for _ in range(12):
        to_dispute(world, new_request(world))
    large, body = count_queries(client, "/aftersales")
    assert len(body.json()["items"]) == 15
    assert large == small


def test_a_method_the_endpoint_does_not_take_gets_the_api_error_body(world, api_as):
    response = api_as(world.buyer).client.delete("/api/v1/orders")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
