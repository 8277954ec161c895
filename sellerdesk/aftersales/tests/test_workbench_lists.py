"""Issue 12, item 5: the merchant's after-sales lists as admin consoles have them. The management
list (售后单查询页) and GET /aftersales show how many rows match (capped), take a page size, sort by
the columns they show (申请时间, 申请金额, 截止时间) with keyset pages in every order, find a request
by the beginning of its order or after-sales number and a buyer by the name the list shows, and
say so when a date range cannot hold anything instead of showing an empty list."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales import queries, views
from sellerdesk.aftersales.api import MAX_SEARCH_CHARS
from sellerdesk.aftersales.models import AfterSale
from sellerdesk.aftersales.queries import DEFAULT_ORDERING, ORDERINGS, filter_aftersales
from sellerdesk.core import clock
from sellerdesk.core.pagination import MAX_CURSOR_CHARS, SortKey, _encode_sorted
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import Order
from sellerdesk.testing import factories as f

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}
LIST = "/workbench/aftersales/"


def client_for(user, **headers) -> Client:
    c = Client(**(headers or ZH))
    c.force_login(user)
    return c


def page(user, params=None, **headers):
    response = client_for(user, **headers).get(LIST, params or {})
    return response, unescape(response.content.decode())


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-aftersale="(AS\d+)"', html)


def open_request(w, *, at, amount_fen=1000, order_no=None, buyer=None):
    buyer = buyer or w.buyer
    order = f.make_order(
        shop=w.shop, buyer=buyer, paid_fen=max(amount_fen, 1000), order_no=order_no, paid_at=at - timedelta(hours=1)
    )
    return a.do_open_aftersale(
        order_id=order.id, type="refund_only", amount_fen=amount_fen, reason="质量问题", acting_user=buyer, now=at
    )


def mixed_requests(w):
    """Nine requests of the shop: applied out of id order, amounts and application times that tie,
    deadlines of several states (the merchant's 48 h, the buyer's 7 days after a refusal) and three
    with none (refunded, cancelled)."""
    t0 = clock.now() - timedelta(days=3)
    at = [t0 + timedelta(hours=h) for h in (5, 1, 3, 3, 8, 2, 7, 3, 6)]
    amounts = [3000, 1200, 3000, 500, 8800, 1200, 2500, 3000, 100]
    made = [open_request(w, at=t, amount_fen=n) for t, n in zip(at, amounts, strict=True)]
    a.do_reject(made[0].id, reason="不同意", acting_user=w.merchant, now=t0 + timedelta(hours=9))
    a.do_reject(made[4].id, reason="不同意", acting_user=w.merchant, now=t0 + timedelta(hours=9))
    a.do_approve(made[1].id, acting_user=w.merchant, now=t0 + timedelta(hours=10))
    a.do_cancel(made[5].id, acting_user=w.buyer, now=t0 + timedelta(hours=10))
    a.do_cancel(made[8].id, acting_user=w.buyer, now=t0 + timedelta(hours=10))
    return list(AfterSale.objects.filter(pk__in=[x.pk for x in made]))


def expected_ids(rows, sort: SortKey) -> list[int]:
    """The order a sorted list promises: (value, id) one way, rows without a value last, newest first."""
    valued = sorted(
        (r for r in rows if getattr(r, sort.field) is not None), key=lambda r: (getattr(r, sort.field), r.id)
    )
    if sort.descending:
        valued.reverse()
    missing = sorted((r for r in rows if getattr(r, sort.field) is None), key=lambda r: -r.id)
    return [r.id for r in valued + missing]


def api_pages(api, **params):
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/aftersales", **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return seen, pages


# ------------------------------------------------------------------------------------ sorting


def test_the_list_is_sorted_by_application_time_newest_first_by_default(world, api_as):
    rows = mixed_requests(world)
    ids = [i["id"] for i in api_as(world.merchant).get("/aftersales", limit=100).json()["items"]]
    assert ids == expected_ids(rows, ORDERINGS["-created_at"]) != sorted(ids, reverse=True)  # not the id order
    _, html = page(world.merchant)
    by_id = {x.id: x.number for x in rows}
    assert numbers_on(html) == [by_id[i] for i in ids]


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_each_ordering_pages_by_keyset_without_skipping_or_repeating(world, api_as, ordering):
    rows = mixed_requests(world)
    seen, pages = api_pages(api_as(world.merchant), ordering=ordering, limit=2)
    assert seen == expected_ids(rows, ORDERINGS[ordering])
    assert pages == 5


def test_the_deadline_order_puts_requests_without_a_deadline_last_both_ways(world, api_as):
    rows = mixed_requests(world)
    final = {x.id for x in rows if x.due_at is None}
    assert len(final) == 3
    for ordering in ("due_at", "-due_at"):
        seen, _ = api_pages(api_as(world.merchant), ordering=ordering, limit=4)
        assert set(seen[-3:]) == final, ordering


def test_a_page_keeps_its_place_when_rows_before_it_change(world, api_as):
    rows = mixed_requests(world)
    api = api_as(world.merchant)
    first = api.get("/aftersales", ordering="-amount_fen", limit=3).json()
    expected = expected_ids(rows, ORDERINGS["-amount_fen"])
    assert [i["id"] for i in first["items"]] == expected[:3]
    a.do_cancel(expected[0], acting_user=world.buyer, now=clock.now())  # a row of page 1 leaves its state
    second = api.get("/aftersales", ordering="-amount_fen", limit=3, cursor=first["next_cursor"]).json()
    assert [i["id"] for i in second["items"]] == expected[3:6]


def test_a_cursor_of_one_ordering_names_no_place_in_another(world, api_as):
    mixed_requests(world)
    api = api_as(world.merchant)
    cursor = api.get("/aftersales", ordering="amount_fen", limit=2).json()["next_cursor"]
    response = api.get("/aftersales", ordering="-created_at", limit=2, cursor=cursor)
    assert response.status_code == 404 and response.json()["error"]["code"] == "invalid_cursor"
    assert api.get("/aftersales", ordering="amount_fen", limit=2, cursor=cursor).status_code == 200


def test_an_ordering_the_list_does_not_have_is_400_invalid_ordering_with_the_allowed_ones(world, api_as):
    response = api_as(world.merchant).get("/aftersales", ordering="reason")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_ordering" and error["details"] == {
        "ordering": "reason",
        "allowed": list(ORDERINGS),
    }


def test_the_openapi_document_lists_the_orderings_and_the_422_and_bounds_q():
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/aftersales"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["ordering"]["schema"] == {"type": "string", "enum": list(ORDERINGS)}
    assert DEFAULT_ORDERING in params["ordering"]["description"]
    assert params["q"]["schema"] == {"type": "string", "maxLength": MAX_SEARCH_CHARS}
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


def test_the_longest_sorted_cursor_fits_the_cursor_limit():
    from datetime import datetime, timezone

    widest = timezone(-timedelta(hours=23, minutes=59, seconds=59, microseconds=999999))
    latest = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=widest)
    longest = max((_encode_sorted(sort, {sort.field: latest, "id": -(2**63)}) for sort in ORDERINGS.values()), key=len)
    assert len(longest) <= MAX_CURSOR_CHARS


def sort_headers(html: str) -> dict:
    """{header: (aria-sort or "", where a click goes)} of the list's sortable columns."""
    found = re.findall(r'<th class="th-sort[^"]*"(?: aria-sort="(\w+)")?><a href="([^"]*)"[^>]*>([^<]+)<', html)
    return {label: (aria, href) for aria, href, label in found}


def test_the_management_list_sorts_by_the_column_header_with_aria_sort(world):
    rows = mixed_requests(world)
    by_id = {x.id: x.number for x in rows}
    response, html = page(world.merchant, {"ordering": "-amount_fen"})
    assert response.status_code == 200
    assert numbers_on(html) == [by_id[i] for i in expected_ids(rows, ORDERINGS["-amount_fen"])]
    assert sort_headers(html) == {
        "申请金额": ("descending", f"{LIST}?ordering=amount_fen"),  # a second click: ascending
        "截止时间": ("", f"{LIST}?ordering=due_at"),  # the soonest first
        "申请时间": ("", LIST),  # newest first, the default, has no parameter
    }
    _, default = page(world.merchant)
    assert sort_headers(default)["申请时间"] == ("descending", f"{LIST}?ordering=created_at")
    _, ascending = page(world.merchant, {"ordering": "amount_fen"})
    assert sort_headers(ascending)["申请金额"] == ("ascending", f"{LIST}?ordering=-amount_fen")


def test_the_deadline_column_shows_what_it_sorts_by(world):
    rows = mixed_requests(world)
    _, html = page(world.merchant, {"ordering": "due_at"})
    cells = re.findall(r'<tr data-aftersale="(AS\d+)">.*?</tr>', html, re.S)
    dues = [x for x in sorted(rows, key=lambda r: expected_ids(rows, ORDERINGS["due_at"]).index(r.id))]
    assert cells == [x.number for x in dues]
    for x in dues:
        row = re.search(rf'<tr data-aftersale="{x.number}">(.*?)</tr>', html, re.S)[1]
        if x.due_at is None:
            assert "data-deadline" not in row
        else:
            assert f'data-deadline="{clock_iso(x.due_at)}"' in row
    assert "商家处理剩余时间" in html and "申请平台介入剩余时间" in html


def clock_iso(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).isoformat()


# ------------------------------------------------------------------------ count and page size


def test_the_management_list_shows_how_many_rows_match_above_the_table(world):
    mixed_requests(world)
    _, html = page(world.merchant)
    assert re.search(r'id="list-total">共 9 条<', html)
    assert html.index('id="list-total"') < html.index('id="aftersale-list"')
    _, filtered = page(world.merchant, {"status": "merchant_rejected"})
    assert re.search(r'id="list-total">共 2 条<', filtered)


def test_the_count_stops_at_its_cap_and_says_so(world, monkeypatch):
    mixed_requests(world)
    monkeypatch.setattr(views, "LIST_COUNT_CAP", 5)
    _, html = page(world.merchant)
    assert re.search(r'id="list-total">共 5\+ 条<', html)
    assert views._shown_count(10_000) == "10,000" and views._shown_count("10000+") == "10,000+"


def test_the_page_size_is_kept_across_paging_sorting_and_filtering(world):
    for i in range(23):
        open_request(world, at=clock.now() - timedelta(minutes=i), amount_fen=1000 + i)
    _, html = page(world.merchant, {"limit": "20", "ordering": "amount_fen"})
    assert len(numbers_on(html)) == 20
    _, html = page(world.merchant, {"limit": "50", "ordering": "amount_fen", "status": "awaiting_merchant"})
    assert len(numbers_on(html)) == 23
    assert (
        f'<a class="page-size-option" href="{LIST}?status=awaiting_merchant&ordering=amount_fen&limit=50" aria-current="true">'
        in html
    )
    assert '<input type="hidden" name="limit" value="50">' in html  # 筛选 keeps it
    assert '<input type="hidden" name="ordering" value="amount_fen">' in html
    assert f'href="{LIST}?status=awaiting_merchant&ordering=-amount_fen&limit=50"' in html  # so does a header
    assert 'href="/workbench/aftersales/?ordering=amount_fen&limit=50">重置' in html  # and 重置 keeps them


def test_paging_keeps_the_order_and_the_filters(world):
    made = [open_request(world, at=clock.now() - timedelta(minutes=i), amount_fen=1000 + 7 * i % 23) for i in range(23)]
    _, first = page(world.merchant, {"ordering": "-amount_fen", "status": "awaiting_merchant"})
    link = re.search(r'href="(\?[^"]*cursor=[^"]+)">下一页', first)[1]
    assert link.startswith("?status=awaiting_merchant&ordering=-amount_fen&cursor=")
    _, second = page(world.merchant, dict(re.findall(r"(\w+)=([^&]+)", link[1:])))
    expected = [x.number for x in sorted(made, key=lambda x: (-x.amount_fen, -x.id))]
    assert numbers_on(first) + numbers_on(second) == expected


def test_a_page_size_the_page_does_not_offer_is_the_default(world):
    for i in range(23):
        open_request(world, at=clock.now() - timedelta(minutes=i))
    for limit in ("33", "0", "abc", "1000"):
        response, html = page(world.merchant, {"limit": limit})
        assert response.status_code == 200 and len(numbers_on(html)) == 20, limit


def test_a_page_keeps_a_constant_number_of_queries_in_every_order(world):
    mixed_requests(world)
    c = client_for(world.merchant)
    for ordering in ORDERINGS:
        c.get(LIST, {"ordering": ordering})
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(LIST, {"ordering": ordering}).status_code == 200
        assert len(ctx.captured_queries) <= 20, ordering


# ----------------------------------------------------------------------------------- search


def test_search_finds_a_request_by_the_beginning_of_its_order_number(world, api_as):
    x = open_request(world, at=clock.now(), order_no="KS2026120300017")
    y = open_request(world, at=clock.now(), order_no="KS2026120499999")
    elsewhere = f.make_order(shop=world.other_shop, buyer=world.buyer, paid_fen=1000, order_no="KS2026120300018")
    a.do_open_aftersale(
        order_id=elsewhere.id,
        type="refund_only",
        amount_fen=100,
        reason="质量问题",
        acting_user=world.buyer,
        now=clock.now(),
    )
    found = lambda q: {r.id for r in filter_aftersales(world.merchant, q=q)}  # noqa: E731
    assert found("KS20261203") == {x.id}
    assert found("KS202612") == {x.id, y.id}
    assert found("KS2026120300017") == {x.id}  # the whole number, as before
    assert found("2026120300017") == set()  # the beginning, never the middle
    assert found("ks20261203") == set()  # as typed: order numbers are case-sensitive
    assert found("KS_026%") == set()  # LIKE's wildcards are characters here
    items = api_as(world.merchant).get("/aftersales", q="KS20261203").json()["items"]
    assert [i["id"] for i in items] == [x.id]


def test_search_finds_a_request_by_the_beginning_of_its_after_sales_number(world):
    x = open_request(world, at=clock.now())
    y = open_request(world, at=clock.now() - timedelta(days=1))  # AS + the day it was opened + a number
    found = lambda q: {r.id for r in filter_aftersales(world.merchant, q=q)}  # noqa: E731
    assert found(x.number[:10]) == {x.id}
    assert found(x.number[:-3]) == {x.id}
    assert found("AS") == {x.id, y.id}
    assert found(x.number) == {x.id}
    assert found(x.number[2:]) == set()
    assert {r.id for r in filter_aftersales(world.other_merchant, q="AS")} == set()


def test_search_finds_a_buyer_by_the_name_the_list_shows(world):
    zhang = f.make_user("zhangsan_login", role=Role.BUYER, first_name="张三")
    unnamed = f.make_user("buyer_without_nickname", role=Role.BUYER)
    x = open_request(world, at=clock.now(), buyer=zhang)
    y = open_request(world, at=clock.now(), buyer=unnamed)
    z = open_request(world, at=clock.now(), buyer=world.buyer)
    world.buyer.first_name = "张三丰"
    world.buyer.save(update_fields=["first_name"])
    found = lambda q: [r.id for r in filter_aftersales(world.merchant, q=q)]  # noqa: E731
    assert found("张三") == [x.id]  # the whole shown name: 张三丰 is someone else
    assert found("张三丰") == [z.id]
    assert found("zhangsan_login") == [x.id]  # the account, as before
    shown = f"买家{unnamed.pk:04d}"
    _, html = page(world.merchant)
    assert shown in html  # what the list shows for a buyer without a nickname ...
    assert found(shown) == [y.id]  # ... finds them
    assert found(f"Buyer {unnamed.pk:04d}") == [y.id]  # as the English pages show it
    assert found(f"买家{zhang.pk:04d}") == []  # 张三 has a nickname: nobody sees them as 买家NNNN
    _, html = page(world.merchant, {"q": "张三"})
    assert numbers_on(html) == [x.number]


def test_search_stays_within_the_callers_requests(world, api_as):
    x = open_request(world, at=clock.now(), order_no="KS77770001")
    assert api_as(world.other_merchant).get("/aftersales", q="KS7777").json()["items"] == []
    assert api_as(world.cs).get("/aftersales", q="KS7777").json()["items"] == []  # no dispute: not CS's
    assert [i["id"] for i in api_as(world.admin).get("/aftersales", q="KS7777").json()["items"]] == [x.id]


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_a_search_pages_in_every_order_without_skipping_or_repeating(world, api_as, ordering):
    rows = mixed_requests(world)
    zhang = f.make_user("zhang", role=Role.BUYER, first_name="KS2")  # a nickname that is also a prefix
    rows.append(open_request(world, at=clock.now(), buyer=zhang))
    for i, x in enumerate(rows[:6]):  # an order's number never changes: these are as if pushed so
        Order.objects.filter(pk=x.order_id).update(order_no=f"KS2{i:04d}")
        AfterSale.objects.filter(pk=x.pk).update(order_no=f"KS2{i:04d}")
    rows = list(AfterSale.objects.filter(pk__in=[x.pk for x in rows]).select_related("order"))
    matching = [x for x in rows if x.order.order_no.startswith("KS2") or x.buyer_id == zhang.id]
    assert len(matching) == 7
    seen, _ = api_pages(api_as(world.merchant), ordering=ordering, limit=2, q="KS2")
    assert seen == expected_ids(matching, ORDERINGS[ordering])


def test_the_count_of_a_search_is_capped_across_its_branches(world):
    t0 = clock.now() - timedelta(hours=5)
    by_order = [open_request(world, at=t0, order_no=f"KS9{i}") for i in range(3)]
    named = f.make_user("ks9_buyer", role=Role.BUYER, first_name="KS9")
    by_name = [open_request(world, at=t0, buyer=named) for _ in range(2)]
    found = queries.listing(world.merchant, q="KS9")
    assert found.count(10) == 5
    assert found.count(4) == "4+"  # no branch over 4 (3 and 2), their union is
    assert found.count(2) == "2+"
    assert {x.id for x in found.page(ordering=None, cursor=None, limit=20)[0]} == {x.id for x in by_order + by_name}


def test_a_search_page_reads_each_branch_only_a_page_deep(world):
    mixed_requests(world)
    found = queries.listing(world.admin, q="AS")
    with CaptureQueriesContext(connection) as ctx:
        found.page(ordering="-amount_fen", cursor=None, limit=20)
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert sql.count("LIMIT 21") == len(found.branches) + 1  # each branch, then the page


def test_a_search_longer_than_its_limit_is_400_q_too_long(world, api_as):
    response = api_as(world.merchant).get("/aftersales", q="K" * (MAX_SEARCH_CHARS + 1))
    assert response.status_code == 400 and response.json()["error"]["code"] == "q_too_long"
    assert api_as(world.merchant).get("/aftersales", q="K" * MAX_SEARCH_CHARS).status_code == 200


# ---------------------------------------------------------------------------- the date range


def test_a_reversed_date_range_is_422_invalid_date_range_never_an_empty_list(world, api_as):
    open_request(world, at=clock.now())
    response = api_as(world.merchant).get(
        "/aftersales", created_from="2026-12-03T00:00:00+08:00", created_to="2026-12-02T23:59:59+08:00"
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid_date_range",
            "message": "申请时间的开始不能晚于结束，请重新选择时间范围。",
            "details": {"created_from": "2026-12-03T00:00:00+08:00", "created_to": "2026-12-02T23:59:59+08:00"},
        }
    }
    english = api_as(world.merchant).client.get(
        "/api/v1/aftersales",
        {"created_from": "2026-12-03T00:00:00Z", "created_to": "2026-12-02T00:00:00Z"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 422
    assert english.json()["error"]["message"] == "“Requested from” cannot be later than “to”: choose the dates again."


def test_a_range_of_one_moment_is_a_range(world, api_as):
    x = open_request(world, at=clock.now() - timedelta(hours=1))
    moment = x.created_at.isoformat()
    items = api_as(world.merchant).get("/aftersales", created_from=moment, created_to=moment).json()["items"]
    assert [i["id"] for i in items] == [x.id]


def test_a_range_without_an_offset_is_the_sites_time(world, api_as):
    # 2026-12-03T00:00 in Asia/Shanghai is 2026-12-02T16:00Z: naive and aware bounds compare, never a 500
    response = api_as(world.merchant).get(
        "/aftersales", created_from="2026-12-03T00:00:00", created_to="2026-12-02T17:00:00Z"
    )
    assert response.status_code == 200


def test_the_management_list_says_a_reversed_range_next_to_the_dates(world):
    open_request(world, at=clock.now())
    response, html = page(world.merchant, {"from": "2026-12-05", "to": "2026-12-01"})
    assert response.status_code == 400
    assert re.search(r'<p class="field-error" id="date-error" role="alert">申请时间的开始不能晚于结束', html)
    assert html.count('aria-invalid="true" aria-describedby="date-error"') == 2
    assert 'value="2026-12-05"' in html and 'value="2026-12-01"' in html  # what was chosen stays
    assert "没有符合条件的售后单" not in html and 'id="aftersale-list"' not in html
    response, html = page(world.merchant, {"from": "2026-12-05", "to": "2026-12-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "“Requested from” cannot be later than “to”: choose the dates again." in html
    # one day is a range: from and to the same date
    same_day = clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date().isoformat()
    response, html = page(world.merchant, {"from": same_day, "to": same_day})
    assert response.status_code == 200 and len(numbers_on(html)) == 1


def test_an_impossible_date_in_the_url_is_no_date_not_an_error_page(world):
    open_request(world, at=clock.now())
    response, html = page(world.merchant, {"from": "2026-02-30"})
    assert response.status_code == 200 and len(numbers_on(html)) == 1


# --------------------------------------------------------------------- the workbench home card


def test_the_workbench_card_links_to_the_list_in_the_order_it_shows(world):
    html = client_for(world.merchant).get("/workbench/").content.decode()
    assert 'href="/workbench/aftersales/?quick=disputes_pending&amp;ordering=due_at"' in html


# -------------------------------------------------------------------------------- query plans


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table of a few rows is read whole whatever the indexes; with these off the planner
            # takes an index if one can serve the query's filter and order.
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


def sorted_reads(qs, sort):
    first = qs.filter(**({f"{sort.field}__isnull": False} if sort.nullable else {})).order_by(*sort.order_by())
    row = first.first()
    return {"first page": first[:21], "next page": first.filter(sort.after(getattr(row, sort.field), row.id))[:21]}


# CS's partial index (disputes only) is what PostgreSQL takes at scale (a page read instead of ~90k
# rows at 1M, the newest requests rarely being disputes); in a table of a dozen rows without
# statistics the whole column's serves as well.
SCOPE_INDEX = {"merchant": "aftersale_shop_", "cs": "aftersale_(disputes_)?", "admin": "aftersale_"}


@pytest.mark.parametrize("ordering", list(ORDERINGS))
@pytest.mark.parametrize("role", list(SCOPE_INDEX))
def test_every_ordering_reads_an_index_in_order_without_a_sort(world, ordering, role):
    mixed_requests(world)
    for _ in range(2):  # CS sees only requests with a dispute
        x = open_request(world, at=clock.now())
        a.do_reject(x.id, reason="不同意", acting_user=world.merchant, now=clock.now())
        a.do_escalate(x.id, reason="申请介入", acting_user=world.buyer, now=clock.now())
    user = getattr(world, role)
    sort = ORDERINGS[ordering]
    for name, qs in sorted_reads(filter_aftersales(user), sort).items():
        text = plan(qs)
        index = (
            SCOPE_INDEX[role]
            + {
                "created_at": "applied",
                "amount_fen": "amount",
                "due_at": "deadline",
            }[sort.field]
        )
        assert re.search(rf"\b{index}\b", text), (name, text)
        assert "TEMP B-TREE" not in text and "Sort" not in text.replace("Sort Key", ""), (name, text)


def test_the_prefix_search_reads_the_numbers_indexes_never_a_scan(world):
    mixed_requests(world)
    within = AfterSale.objects.all()  # the widest scope there is (an admin's)
    for column in queries.NUMBER_FIELDS:
        text = plan(within.filter(queries.starts_with(column, "KS2026")).values("id"))
        if connection.vendor == "postgresql":
            assert re.search(rf"Index Cond: .*\b{column}\b", text), text
        else:
            assert re.search(rf"USING (COVERING )?INDEX \S+ \({column}>\? AND {column}<\?\)", text), text
