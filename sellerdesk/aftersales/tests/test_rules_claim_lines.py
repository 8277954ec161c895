"""Claims on some lines (issue 13, item 2; api.md "More on after-sales", POST /aftersales `items`):
a request may name order lines with quantities and amounts; each line refunds at most what it was
paid, each unit once, however many requests follow one another on the order."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sellerdesk.aftersales.actions import (
    do_accept_offer,
    do_appeal,
    do_approve,
    do_cancel,
    do_decide_appeal,
    do_escalate,
    do_make_offer,
    do_open_aftersale,
    do_reject,
    do_rule,
    do_submit_evidence,
)
from sellerdesk.aftersales.models import ClaimLine, HistoryEntry, Refund
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import Order, OrderItem
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import HOUR, refused

# Three lines: 2 teapots at ¥60, 1 scarf at ¥40, 3 jars of honey at ¥10; paid ¥130 in full.
LINES = [("茶壶", 2, 6000), ("围巾", 1, 4000), ("蜂蜜", 3, 1000)]


def order_of(w, *, paid_fen=19000, items=LINES):
    return f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=paid_fen, items=items)


def lines(order):
    return list(OrderItem.objects.filter(order=order).order_by("id"))


def claim(w, order, *claimed, now=None, amount_fen=None):
    """Open a request on `order` claiming (line, quantity, amount_fen) triples."""
    return do_open_aftersale(
        order_id=order.id,
        type="refund_only",
        amount_fen=amount_fen,
        items=[{"order_item_id": item.id, "quantity": q, "amount_fen": fen} for item, q, fen in claimed],
        reason="少件/漏发",
        acting_user=w.buyer,
        now=now or clock.now(),
    )


def settle_partly(w, aftersale, amount_fen, now=None):
    """The merchant refuses, then offers a partial refund, which the buyer accepts."""
    now = now or clock.now()
    do_reject(aftersale.pk, reason="只能部分退款", acting_user=w.merchant, now=now)
    offer = do_make_offer(aftersale.pk, amount_fen=amount_fen, note="补偿一部分", acting_user=w.merchant, now=now)
    do_accept_offer(aftersale.pk, offer.pk, acting_user=w.buyer, now=now)


def refused_ruled_and_appealed(w, aftersale, t):
    """The merchant refuses, the buyer escalates, CS rules no refund and the buyer appeals (t + 5 h)."""
    do_reject(aftersale.pk, reason="无质量问题", acting_user=w.merchant, now=t + HOUR)
    do_escalate(aftersale.pk, reason="申请平台介入", acting_user=w.buyer, now=t + 2 * HOUR)
    do_submit_evidence(aftersale.pk, statement="发货视频", acting_user=w.merchant, now=t + 3 * HOUR)
    do_rule(aftersale.pk, outcome="no_refund", liable="buyer", note="判责", acting_user=w.cs, now=t + 4 * HOUR)
    do_appeal(aftersale.pk, reason="请复核", acting_user=w.buyer, now=t + 5 * HOUR)


def overturn_for_a_refund(aftersale, agent, now):
    return do_decide_appeal(
        aftersale.pk,
        decision="overturn",
        outcome="refund",
        liable="merchant",
        note="改判退款",
        acting_user=agent,
        now=now,
    )


def item(i) -> OrderItem:
    return OrderItem.objects.get(pk=i.pk)


def test_a_claim_on_some_lines_records_each_line_and_asks_their_total(world):
    order = order_of(world)
    pot, _, honey = lines(order)

    aftersale = claim(world, order, (pot, 1, 6000), (honey, 2, 2000))

    assert aftersale.amount_fen == 8000
    assert list(aftersale.lines.values_list("order_item_id", "quantity", "amount_fen")) == [
        (pot.id, 1, 6000),
        (honey.id, 2, 2000),
    ]
    created = HistoryEntry.objects.get(aftersale=aftersale, kind="created")
    assert created.data["items"] == [
        {"order_item_id": pot.id, "quantity": 1, "amount_fen": 6000},
        {"order_item_id": honey.id, "quantity": 2, "amount_fen": 2000},
    ]


def test_a_line_is_paid_its_share_of_a_discounted_order(world):
    # ¥190 of goods bought for ¥171 (10 % off): each line was paid 90 % of its list price.
    order = order_of(world, paid_fen=17100)
    assert [i.paid_fen for i in lines(order)] == [10800, 3600, 2700]
    # Shipping (paid above the goods) is on no line.
    shipped = order_of(world, paid_fen=19800)
    assert [i.paid_fen for i in lines(shipped)] == [12000, 4000, 3000]
    # Shares that do not divide evenly still add up to what was paid.
    odd = order_of(world, paid_fen=100, items=[("a", 1, 100), ("b", 1, 100), ("c", 1, 100)])
    assert [i.paid_fen for i in lines(odd)] == [34, 33, 33]


def test_a_line_refunds_at_most_what_it_was_paid(world):
    order = order_of(world, paid_fen=17100)
    _, scarf, _ = lines(order)

    err = refused(lambda: claim(world, order, (scarf, 1, 3601)), "claim_exceeds_line")

    assert err.status == 409
    assert err.details["refundable_fen"] == 3600 and err.details["refundable_quantity"] == 1
    assert "¥36.00" in err.message
    assert not ClaimLine.objects.exists()
    assert claim(world, order, (scarf, 1, 3600)).amount_fen == 3600


def test_fewer_units_than_the_line_has_ask_at_most_their_share(world):
    order = order_of(world)
    _, _, honey = lines(order)  # 3 jars, ¥10 each

    err = refused(lambda: claim(world, order, (honey, 1, 1001)), "claim_exceeds_line")

    assert err.details["refundable_fen"] == 1000
    assert claim(world, order, (honey, 1, 1000)).amount_fen == 1000


def test_a_refunded_unit_is_never_claimed_again(world):
    order = order_of(world)
    _, _, honey = lines(order)
    first = claim(world, order, (honey, 2, 2000))
    do_approve(first.pk, acting_user=world.merchant, now=clock.now())
    assert (item(honey).refunded_quantity, item(honey).refunded_fen) == (2, 2000)

    err = refused(lambda: claim(world, order, (honey, 2, 2000)), "claim_exceeds_line")

    assert err.details["refundable_quantity"] == 1
    assert claim(world, order, (honey, 1, 1000)).amount_fen == 1000


def test_a_partial_refund_settles_the_claimed_units(world):
    order = order_of(world)
    pot, _, _ = lines(order)
    first = claim(world, order, (pot, 1, 6000))
    settle_partly(world, first, 2000)

    assert (item(pot).refunded_quantity, item(pot).refunded_fen) == (1, 2000)
    # The settled teapot took its ¥60 share with it: the other one is all that is left to claim.
    err = refused(lambda: claim(world, order, (pot, 1, 6001)), "claim_exceeds_line")
    assert (err.details["refundable_quantity"], err.details["refundable_fen"]) == (1, 6000)
    refused(lambda: claim(world, order, (pot, 2, 6000)), "claim_exceeds_line")


def test_a_refused_or_cancelled_claim_leaves_the_line_whole(world):
    order = order_of(world)
    pot, _, _ = lines(order)
    refusedone = claim(world, order, (pot, 2, 12000))
    do_reject(refusedone.pk, reason="商品无问题", acting_user=world.merchant, now=clock.now())
    do_cancel(refusedone.pk, acting_user=world.buyer, now=clock.now())

    assert (item(pot).refunded_quantity, item(pot).refunded_fen) == (0, 0)
    assert claim(world, order, (pot, 2, 12000)).amount_fen == 12000


def test_a_refund_is_shared_across_the_claimed_lines_in_proportion(world):
    order = order_of(world)
    pot, scarf, _ = lines(order)
    aftersale = claim(world, order, (pot, 1, 6000), (scarf, 1, 4000))
    settle_partly(world, aftersale, 5001)

    assert [line.refunded_fen for line in aftersale.lines.order_by("id")] == [3001, 2000]
    assert (item(pot).refunded_fen, item(scarf).refunded_fen) == (3001, 2000)
    assert Order.objects.get(pk=order.pk).refunded_fen == 5001


@pytest.mark.parametrize(
    ("claimed", "code"),
    [
        ("other_order", "unknown_order_item"),
        ("twice", "duplicate_claim_line"),
        ("no_units", "invalid_claim_line"),
        ("no_money", "invalid_claim_line"),
        ("too_many_units", "claim_exceeds_line"),
    ],
)
def test_a_claim_names_each_line_of_its_order_once_with_units_and_money(world, claimed, code):
    order = order_of(world)
    pot, _, _ = lines(order)
    foreign = lines(order_of(world))[0]
    triples = {
        "other_order": [(foreign, 1, 100)],
        "twice": [(pot, 1, 100), (pot, 1, 100)],
        "no_units": [(pot, 0, 100)],
        "no_money": [(pot, 1, 0)],
        "too_many_units": [(pot, 3, 100)],
    }[claimed]

    refused(lambda: claim(world, order, *triples), code)

    assert not order.aftersales.exists()


def test_an_order_line_has_at_least_one_unit(world):
    # A claim's cap is the line's paid amount shared over its units: a line of none is refused by
    # the database too, not only by the order push's schema.
    order = order_of(world)

    with pytest.raises(IntegrityError, match="item_quantity_positive"), transaction.atomic():
        OrderItem.objects.filter(pk=lines(order)[0].pk).update(quantity=0)

    assert lines(order)[0].quantity == 2


def test_the_amount_of_a_claim_on_lines_is_their_total(world):
    order = order_of(world)
    pot, _, _ = lines(order)

    err = refused(lambda: claim(world, order, (pot, 1, 6000), amount_fen=5000), "amount_not_lines_total")

    assert err.details == {"amount_fen": 5000, "lines_fen": 6000}
    assert claim(world, order, (pot, 1, 6000), amount_fen=6000).amount_fen == 6000


def test_a_claim_on_lines_is_bounded_by_what_the_order_has_left(world):
    # A whole-order refund is on no line, but the lines cannot refund what the order no longer has.
    order = order_of(world)
    pot, _, _ = lines(order)
    whole = do_open_aftersale(
        order_id=order.id,
        type="refund_only",
        amount_fen=15000,
        reason="质量问题",
        acting_user=world.buyer,
        now=clock.now(),
    )
    do_approve(whole.pk, acting_user=world.merchant, now=clock.now())

    refused(lambda: claim(world, order, (pot, 1, 6000)), "amount_exceeds_refundable")
    assert claim(world, order, (pot, 1, 4000)).amount_fen == 4000


def test_an_appeal_cannot_refund_a_line_that_a_later_request_refunded(world):
    """The ruling withheld the refund, the buyer claimed the line again and was refunded: the
    appeal's overturn would refund the same units twice, so it is refused and nothing moves."""
    cs2 = f.make_user("cs2", role=Role.CS)
    order = order_of(world, paid_fen=69000, items=[*LINES, ("沙发", 1, 50000)])  # money left on the order
    pot, *_ = lines(order)
    t = clock.now()
    first = claim(world, order, (pot, 2, 12000), now=t)
    refused_ruled_and_appealed(world, first, t)
    second = claim(world, order, (pot, 2, 12000), now=t + 5 * HOUR)
    do_approve(second.pk, acting_user=world.merchant, now=t + 6 * HOUR)

    refused(lambda: overturn_for_a_refund(first, cs2, t + 7 * HOUR), "claim_exceeds_line")

    assert (item(pot).refunded_quantity, item(pot).refunded_fen) == (2, 12000)
    assert list(Refund.objects.filter(order=order).values_list("amount_fen", flat=True)) == [12000]


# ------------------------------------------------------------------ random sequences of requests

claims_strategy = st.lists(
    st.tuples(
        st.lists(
            st.tuples(st.integers(0, 2), st.integers(1, 4), st.integers(1, 13000)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        st.sampled_from(["approve", "offer", "reject_cancel"]),
        st.integers(1, 99),  # an offer's percentage of the claim
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paid_fen=st.integers(9000, 19800), sequence=claims_strategy)
def test_random_sequences_of_requests_never_refund_a_line_twice_or_above_what_it_was_paid(world, paid_fen, sequence):
    order = order_of(world, paid_fen=paid_fen)
    items = lines(order)
    # What each line has left, as the buyer would work it out from the order page.
    left_units = {i.id: i.quantity for i in items}
    left_fen = {i.id: i.paid_fen for i in items}
    t = clock.now()
    for claimed, ending, percent in sequence:
        triples = [(items[n], q, fen) for n, q, fen in claimed]
        within = all(
            q <= left_units[i.id] and fen <= min(left_fen[i.id], -(-i.paid_fen * q // i.quantity))
            for i, q, fen in triples
        )
        total = sum(fen for _, _, fen in triples)
        order.refresh_from_db()
        if not within:
            refused(lambda triples=triples: claim(world, order, *triples, now=t), "claim_exceeds_line")
            continue
        if total > order.refundable_fen:
            refused(lambda triples=triples: claim(world, order, *triples, now=t), "amount_exceeds_refundable")
            continue
        aftersale = claim(world, order, *triples, now=t)
        if ending == "approve":
            do_approve(aftersale.pk, acting_user=world.merchant, now=t)
        elif ending == "offer" and total > 1:
            settle_partly(world, aftersale, max(1, min(total - 1, total * percent // 100)), now=t)
        else:
            do_reject(aftersale.pk, reason="不同意", acting_user=world.merchant, now=t)
            do_cancel(aftersale.pk, acting_user=world.buyer, now=t)
        refunds = list(Refund.objects.filter(aftersale=aftersale).values_list("amount_fen", flat=True))
        claimed_lines = list(aftersale.lines.all())
        assert sum(line.refunded_fen for line in claimed_lines) == sum(refunds)
        for line in claimed_lines:
            if refunds:  # a refund, even in part, settles the claimed units
                left_units[line.order_item_id] -= line.quantity
            left_fen[line.order_item_id] -= line.refunded_fen
        t += timedelta(minutes=1)

    order.refresh_from_db()
    fresh_items = lines(order)
    for i in fresh_items:
        assert 0 <= i.refunded_fen <= i.paid_fen
        assert 0 <= i.refunded_quantity <= i.quantity
        assert (i.quantity - i.refunded_quantity, i.paid_fen - i.refunded_fen) == (left_units[i.id], left_fen[i.id])
    assert sum(i.refunded_fen for i in fresh_items) == order.refunded_fen <= order.paid_fen
    assert sum(Refund.objects.filter(order=order).values_list("amount_fen", flat=True)) == order.refunded_fen


def test_the_api_takes_a_claim_on_lines_and_shows_each_lines_balance(world, api_as):
    order = order_of(world)
    pot, _, honey = lines(order)
    buyer = api_as(world.buyer)
    shown = {i["id"]: i for i in buyer.get(f"/orders/{order.id}").json()["items"]}
    assert {
        k: shown[honey.id][k] for k in ("title", "quantity", "paid_fen", "refundable_fen", "refundable_quantity")
    } == {
        "title": "蜂蜜",
        "quantity": 3,
        "paid_fen": 3000,
        "refundable_fen": 3000,
        "refundable_quantity": 3,
    }

    created = buyer.post(
        "/aftersales",
        {
            "order_id": order.id,
            "type": "refund_only",
            "reason": "少件/漏发",
            "items": [{"order_item_id": honey.id, "quantity": 2, "amount_fen": 2000}],
        },
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount_fen"] == 2000
    assert [(i["order_item_id"], i["quantity"], i["amount_fen"], i["title"]) for i in body["items"]] == [
        (honey.id, 2, 2000, "蜂蜜")
    ]
    do_approve(body["id"], acting_user=world.merchant, now=clock.now())
    after = {i["id"]: i for i in buyer.get(f"/orders/{order.id}").json()["items"]}[honey.id]
    assert (after["refunded_fen"], after["refundable_fen"], after["refundable_quantity"]) == (2000, 1000, 1)
    over = buyer.post(
        "/aftersales",
        {
            "order_id": order.id,
            "type": "refund_only",
            "reason": "少件/漏发",
            "items": [{"order_item_id": honey.id, "quantity": 2, "amount_fen": 2000}],
        },
    )
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "claim_exceeds_line"
    assert over.json()["error"]["details"]["refundable_quantity"] == 1
