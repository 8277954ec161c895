"""A list searched by the beginning of a number (售后单号 or 订单号) holds at most
queries.PREFIX_MATCH_CAP requests per number, those with the highest numbers (numbers begin with
their date, so the newest), in the list's own order; and it says so: GET /aftersales answers
`search_capped`, the 售后单查询页 asks for more of the number. A whole number, a buyer's name, or a
prefix within the cap lists every match (issue 8: a month's prefix read every newer dispute)."""

import re

import pytest

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales import queries
from sellerdesk.core import clock

from .test_workbench_lists import api_pages, numbers_on, open_request, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(queries, "PREFIX_MATCH_CAP", 3)
    return 3


def five_orders(w, prefix="KS2026"):
    """Five requests whose order numbers begin with `prefix`, applied in the reverse of their
    numbers' order (so the highest numbers are not the newest applications)."""
    made = [open_request(w, at=clock.now(), order_no=f"{prefix}{n:04d}") for n in (5, 4, 3, 2, 1)]
    return {x.order.order_no: x for x in made}


def test_a_number_prefix_with_more_matches_than_the_cap_lists_the_highest_numbers(world, api_as, cap):
    made = five_orders(world)
    highest = [made[f"KS2026{n:04d}"].id for n in (5, 4, 3)]

    body = api_as(world.merchant).get("/aftersales", q="KS2026").json()

    assert body["search_capped"] is True
    assert [i["id"] for i in body["items"]] == sorted(highest, reverse=True)  # 申请时间, newest first
    assert {i["order_no"] for i in body["items"]} == {"KS20260005", "KS20260004", "KS20260003"}


@pytest.mark.parametrize("ordering", ["-created_at", "created_at", "amount_fen", "-due_at"])
def test_the_capped_matches_page_in_every_order_without_skipping_or_repeating(world, api_as, cap, ordering):
    made = five_orders(world)
    seen, _ = api_pages(api_as(world.merchant), ordering=ordering, limit=2, q="KS2026")
    assert sorted(seen) == sorted(made[f"KS2026{n:04d}"].id for n in (5, 4, 3))


def test_a_prefix_within_the_cap_a_whole_number_and_a_name_list_every_match(world, api_as, cap):
    made = five_orders(world)
    api = api_as(world.merchant)

    narrower = api.get("/aftersales", q="KS202600").json()  # all five begin so: still capped
    whole = api.get("/aftersales", q="KS20260002").json()
    buyer = api.get("/aftersales", q=world.buyer.username).json()

    assert narrower["search_capped"] is True
    assert [i["id"] for i in whole["items"]] == [made["KS20260002"].id] and whole["search_capped"] is False
    assert len(buyer["items"]) == 5 and buyer["search_capped"] is False
    assert api.get("/aftersales").json()["search_capped"] is False


def test_the_after_sales_number_prefix_is_capped_the_same_way(world, api_as, cap):
    made = sorted(five_orders(world).values(), key=lambda x: x.number)

    body = api_as(world.merchant).get("/aftersales", q=made[0].number[:6]).json()

    assert body["search_capped"] is True
    assert {i["number"] for i in body["items"]} == {x.number for x in made[-3:]}


def test_for_cs_the_cap_counts_only_disputes(world, api_as, cap):
    # The merchant's requests without a dispute are not CS's and take no place among the highest.
    made = five_orders(world)
    disputed = [made["KS20260001"], made["KS20260002"]]
    for x in disputed:
        a.do_reject(x.id, reason="不同意", acting_user=world.merchant, now=clock.now())
        a.do_escalate(x.id, reason="申请介入", acting_user=world.buyer, now=clock.now())

    body = api_as(world.cs).get("/aftersales", q="KS2026").json()

    assert {i["id"] for i in body["items"]} == {x.id for x in disputed}
    assert body["search_capped"] is False


def test_the_query_page_says_the_list_is_capped_and_asks_for_more_of_the_number(world, cap):
    five_orders(world)

    _, html = page(world.merchant, {"q": "KS2026"})
    _, whole = page(world.merchant, {"q": "KS20260005"})

    assert len(numbers_on(html)) == 3
    assert re.search(
        r'id="search-capped"[^>]*>单号以“KS2026”开头的售后单超过 3 条，列表只显示单号最大的 3 条。请输入更完整的单号。<',
        html,
    )
    assert 'id="search-capped"' not in whole and len(numbers_on(whole)) == 1


def test_the_capped_notice_speaks_english_on_the_english_pages(world, cap):
    five_orders(world)

    _, html = page(world.merchant, {"q": "KS2026"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "More than 3 requests have a number beginning with “KS2026”" in html


def test_the_openapi_document_describes_search_capped(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["AfterSalePage"]
    assert schema["properties"]["search_capped"]["type"] == "boolean"
