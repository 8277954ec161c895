"""The CS console for a team (issue 12, item 3): the queue's filters (status, claim, age, shop,
search) on the page and GET /cs/queue, paging that keeps them, SLA colours by age, and the 已判责
list of rulings."""

from datetime import timedelta

import pytest

from sellerdesk.aftersales import actions as a
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .test_pages import client_for, text


@pytest.fixture
def queue(world):
    """Three disputes waiting on the platform: one for 30 h at the main shop (claimed by cs), one
    for 15 h at the other shop, one asked for supplements, 2 h."""
    now = clock.now()
    world.cs2 = f.make_user("cs2", role=Role.CS)

    def waiting(hours, shop, buyer):
        t = now - timedelta(hours=hours)
        order = f.make_order(shop=shop, buyer=buyer)
        x = a.do_open_aftersale(
            order_id=order.id,
            type="refund_only",
            amount_fen=100,
            reason="质量问题",
            acting_user=buyer,
            now=t - timedelta(hours=2),
        )
        merchant = world.merchant if shop == world.shop else world.other_merchant
        a.do_reject(x.id, reason="不同意", acting_user=merchant, now=t - timedelta(hours=1))
        a.do_escalate(x.id, reason="介入", acting_user=buyer, now=t - timedelta(minutes=30))
        a.do_submit_evidence(x.id, statement="已发货", acting_user=merchant, now=t)
        return x

    world.old = waiting(30, world.shop, world.buyer)
    a.do_claim(world.old.id, acting_user=world.cs, now=now)
    world.middle = waiting(15, world.other_shop, world.other_buyer)
    world.fresh = waiting(2, world.shop, world.buyer)
    a.do_request_evidence(world.fresh.id, party="buyer", note="补充", acting_user=world.cs, now=now)
    return world


def numbers(answer) -> list[str]:
    return [item["number"] for item in answer.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["old", "middle", "fresh"]),
        ({"status": "awaiting_supplement"}, ["fresh"]),
        ({"claimed": "none"}, ["middle", "fresh"]),
        ({"older_than_hours": 12}, ["old", "middle"]),
        ({"older_than_hours": 24}, ["old"]),
    ],
)
def test_the_cs_queue_api_filters_by_status_claim_and_age(queue, api_as, params, expected):
    answer = api_as(queue.cs).get("/cs/queue", **params)
    assert answer.status_code == 200, answer.content
    assert numbers(answer) == [getattr(queue, name).number for name in expected]


def test_claimed_me_and_others_depend_on_who_asks(queue, api_as):
    assert numbers(api_as(queue.cs).get("/cs/queue", claimed="me")) == [queue.old.number]
    assert numbers(api_as(queue.cs2).get("/cs/queue", claimed="me")) == []
    assert numbers(api_as(queue.cs2).get("/cs/queue", claimed="others")) == [queue.old.number]


def test_the_cs_queue_filters_by_shop_and_by_search(queue, api_as):
    assert numbers(api_as(queue.cs).get("/cs/queue", shop_id=queue.other_shop.pk)) == [queue.middle.number]
    found = api_as(queue.cs).get("/cs/queue", q=queue.fresh.order.order_no)
    assert numbers(found) == [queue.fresh.number]


@pytest.mark.parametrize(
    ("params", "code"),
    [({"status": "resolved"}, "invalid_status"), ({"claimed": "mine"}, "invalid_claimed_filter")],
)
def test_a_bad_queue_filter_is_400_with_its_code(queue, api_as, params, code):
    answer = api_as(queue.cs).get("/cs/queue", **params)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


def test_paging_the_filtered_queue_keeps_the_filter(queue, api_as):
    first = api_as(queue.cs).get("/cs/queue", claimed="none", limit=1)
    assert numbers(first) == [queue.middle.number]
    second = api_as(queue.cs).get("/cs/queue", claimed="none", limit=1, cursor=first.json()["next_cursor"])
    assert numbers(second) == [queue.fresh.number] and second.json()["next_cursor"] is None


def test_the_queue_page_filters_and_says_how_many_match(queue):
    page = text(client_for(queue.cs).get("/cs/", {"shop": queue.other_shop.pk}))
    assert queue.middle.number in page and queue.old.number not in page and queue.fresh.number not in page
    assert "符合条件的共 1 件" in page
    nothing = text(client_for(queue.cs).get("/cs/", {"q": "NO-SUCH-ORDER"}))
    assert "没有符合筛选条件的纠纷" in nothing


def test_a_filter_the_page_cannot_read_says_so_and_shows_the_queue(queue):
    resp = client_for(queue.cs).get("/cs/", {"age": "lots", "claimed": "mine"})
    assert resp.status_code == 200
    page = text(resp)
    assert "等待时长须为整数" in page and "认领筛选只能是" in page
    assert queue.old.number in page  # the unfiltered queue, not an empty or broken page


def test_queue_rows_are_coloured_by_how_long_they_waited(queue):
    resp = client_for(queue.cs).get("/cs/")
    html = resp.content.decode()
    for name, sla in (("old", "late"), ("middle", "warn"), ("fresh", "ok")):
        assert f'data-aftersale="{getattr(queue, name).number}" data-sla="{sla}"' in html


def test_a_case_waiting_for_supplements_is_looked_at_not_handled(queue):
    html = client_for(queue.cs).get("/cs/").content.decode()
    row = html[html.index(f'data-aftersale="{queue.fresh.number}"') :]
    row = row[: row.index("</tr>")]
    assert "查看" in row and "处理" not in row.replace("平台处理中", "")


def test_the_ruled_tab_lists_rulings_newest_first_and_mine(queue):
    now = clock.now()
    a.do_rule(queue.old.id, outcome="no_refund", liable="buyer", note="证据不足", acting_user=queue.cs, now=now)
    a.do_rule(queue.middle.id, outcome="refund", liable="merchant", note="商家责任", acting_user=queue.cs2, now=now)
    page = text(client_for(queue.cs).get("/cs/", {"tab": "ruled"}))
    assert page.index(queue.middle.number) < page.index(queue.old.number)
    mine = text(client_for(queue.cs).get("/cs/", {"tab": "ruled", "mine": "1"}))
    assert queue.old.number in mine and queue.middle.number not in mine
