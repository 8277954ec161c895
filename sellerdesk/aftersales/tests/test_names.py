"""api.md: history entries (actor_name), rulings (ruled_by) and requests (buyer_name) name people by
display name (shop name, buyer nickname, 平台客服 + agent number), never by login name."""

import pytest

from sellerdesk.aftersales import actions
from sellerdesk.core import clock

pytestmark = pytest.mark.django_db


def _ruled(world):
    world.buyer.first_name = "张三"
    world.buyer.save()
    now = clock.now()
    a = actions.do_open_aftersale(
        order_id=world.order.id, type="refund_only", amount_fen=5000, reason="破损", acting_user=world.buyer, now=now
    )
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=now)
    actions.do_submit_evidence(a.id, statement="已发货", acting_user=world.merchant, now=now)
    actions.do_rule(a.id, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=now)
    return a


def test_history_names_the_shop_the_buyers_nickname_and_the_cs_agent_number(world, api_as):
    a = _ruled(world)
    history = api_as(world.buyer).get(f"/aftersales/{a.id}/history").json()
    names = {(e["actor_role"], e["actor_name"]) for e in history}
    assert ("merchant", "好物旗舰店") in names and ("buyer", "张三") in names
    assert ("cs", f"平台客服 {world.cs.pk:04d}") in names


def test_the_ruling_and_the_request_never_show_a_login_name(world, api_as):
    a = _ruled(world)
    for user in (world.buyer, world.merchant, world.cs):
        api = api_as(user)
        for response in (
            api.get(f"/aftersales/{a.id}"),
            api.get(f"/aftersales/{a.id}/history"),
            api.get("/aftersales"),
        ):
            text = response.content.decode()
            for login in (world.buyer.username, world.merchant.username, world.cs.username):
                assert f'"{login}"' not in text
    detail = api_as(world.merchant).get(f"/aftersales/{a.id}").json()
    assert detail["buyer_name"] == "张三" and detail["dispute"]["ruling"]["ruled_by"] == f"平台客服 {world.cs.pk:04d}"


def test_a_buyer_without_a_nickname_is_named_by_a_number_not_the_login(world, api_as):
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    [item] = api_as(world.merchant).get("/aftersales").json()["items"]
    assert item["buyer_name"] == f"买家{world.buyer.pk:04d}"


def test_the_merchant_finds_a_request_by_the_buyers_shown_name(world, api_as):
    a = _ruled(world)
    items = api_as(world.merchant).get("/aftersales", q="张三").json()["items"]
    assert [i["id"] for i in items] == [a.id]
