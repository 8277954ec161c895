"""The lifecycle of product.md §1, one test per rule: every row of the state table for both request
types, every timeout at its exact boundary, final states, and allowed_actions / can_escalate read
from the same table that enforces them.

State is moved with the real actions (explicit `now=`) or the real HTTP API (time_machine); nothing
here writes a status field. The helpers at the top are shared with test_rules_dispute.py,
test_deadlines.py and test_worker.py.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sellerdesk.aftersales.actions import (
    apply_timeout,
    do_accept_offer,
    do_add_cs_note,
    do_appeal,
    do_approve,
    do_cancel,
    do_claim,
    do_confirm_receipt,
    do_decide_appeal,
    do_decline_offer,
    do_escalate,
    do_extend_deadline,
    do_make_offer,
    do_open_aftersale,
    do_post_message,
    do_reject,
    do_reject_receipt,
    do_release,
    do_request_evidence,
    do_rule,
    do_submit_evidence,
    do_submit_return,
    escalation_eligibility,
)
from sellerdesk.aftersales.models import (
    AfterSale,
    Dispute,
    HistoryEntry,
    Offer,
    Refund,
    Ruling,
    Status,
)
from sellerdesk.aftersales.states import PERSON_ACTIONS, TABLE, Action, allowed_actions
from sellerdesk.core.errors import CodedError
from sellerdesk.events.models import OutboxEvent
from sellerdesk.orders.models import Order
from sellerdesk.testing import factories as f

T0 = datetime(2025, 3, 3, 2, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
REFUND_ONLY, RETURN_REFUND = "refund_only", "return_refund"
S = Status


# ----------------------------------------------------------------------------------------- helpers


def new_order(w, paid_fen=10000):
    return f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=paid_fen)


def open_request(w, *, order=None, type=REFUND_ONLY, amount=10000, now=T0):
    order = order or new_order(w)
    return do_open_aftersale(
        order_id=order.id,
        type=type,
        amount_fen=amount,
        reason="质量问题",
        description="收到的商品有裂痕",
        acting_user=w.buyer,
        now=now,
    )


def fresh(aftersale) -> AfterSale:
    return AfterSale.objects.get(pk=aftersale.pk)


def user_for(w, party):
    return {"merchant": w.merchant, "buyer": w.buyer, "cs": w.cs}[party]


# How to reach each state from a new request: (party, action) steps, one hour apart.
PATHS = {
    S.AWAITING_MERCHANT: [],
    S.AWAITING_RETURN: [("merchant", Action.APPROVE)],
    S.AWAITING_RECEIPT: [("merchant", Action.APPROVE), ("buyer", Action.RETURN_SHIPMENT)],
    S.MERCHANT_REJECTED: [("merchant", Action.REJECT)],
    S.DISPUTE_AWAITING_EVIDENCE: [("merchant", Action.REJECT), ("buyer", Action.ESCALATE)],
    S.DISPUTE_PLATFORM_REVIEW: [
        ("merchant", Action.REJECT),
        ("buyer", Action.ESCALATE),
        ("merchant", Action.SUBMIT_EVIDENCE),
    ],
    S.DISPUTE_AWAITING_SUPPLEMENT: [
        ("merchant", Action.REJECT),
        ("buyer", Action.ESCALATE),
        ("merchant", Action.SUBMIT_EVIDENCE),
        ("cs", Action.REQUEST_EVIDENCE),
    ],
}
NON_FINAL_STATES = list(PATHS)
NEGOTIABLE = (
    S.MERCHANT_REJECTED,
    S.DISPUTE_AWAITING_EVIDENCE,
    S.DISPUTE_PLATFORM_REVIEW,
    S.DISPUTE_AWAITING_SUPPLEMENT,
)


def perform(w, aftersale, party, action, now, **kw):
    """Do `action` as `party` with valid input; the domain decides whether it is allowed."""
    pk, user = aftersale.pk, user_for(w, party)
    common = {"acting_user": user, "now": now}
    if action == Action.APPROVE:
        return do_approve(pk, **common)
    if action == Action.REJECT:
        return do_reject(pk, reason=kw.get("reason", "商品无质量问题"), **common)
    if action == Action.RETURN_SHIPMENT:
        return do_submit_return(pk, carrier="顺丰速运", tracking_no="SF1234567890", **common)
    if action == Action.CONFIRM_RECEIPT:
        return do_confirm_receipt(pk, **common)
    if action == Action.REJECT_RECEIPT:
        return do_reject_receipt(pk, reason=kw.get("reason", "退回商品已损坏"), **common)
    if action == Action.ESCALATE:
        return do_escalate(pk, reason=kw.get("reason", "商家拒绝不合理"), **common)
    if action == Action.SUBMIT_EVIDENCE:
        return do_submit_evidence(pk, statement=kw.get("statement", "发货前已检查，附质检记录"), uploads=[], **common)
    if action == Action.MESSAGE:
        return do_post_message(pk, body=kw.get("body", "您好，我们再商量一下"), **common)
    if action == Action.MAKE_OFFER:
        return do_make_offer(pk, amount_fen=kw.get("amount_fen", aftersale.amount_fen // 2), note="部分退款", **common)
    if action in (Action.ACCEPT_OFFER, Action.DECLINE_OFFER):
        offer = Offer.objects.filter(aftersale_id=pk).order_by("-id").first()
        fn = do_accept_offer if action == Action.ACCEPT_OFFER else do_decline_offer
        return fn(pk, offer.pk if offer else 0, **common)
    if action == Action.CANCEL:
        return do_cancel(pk, **common)
    if action == Action.REQUEST_EVIDENCE:
        return do_request_evidence(pk, party=kw.get("party", "merchant"), note="请补充发货视频", **common)
    if action == Action.RULE:
        return do_rule(
            pk,
            outcome=kw.get("outcome", "no_refund"),
            amount_fen=kw.get("amount_fen"),
            liable=kw.get("liable", "buyer"),
            note="证据不足",
            **common,
        )
    if action == Action.CLAIM:
        return do_claim(pk, **common)
    if action == Action.RELEASE:
        return do_release(pk, **common)
    if action == Action.CS_NOTE:
        return do_add_cs_note(pk, body=kw.get("body", "内部备注"), **common)
    if action == Action.EXTEND_DEADLINE:
        return do_extend_deadline(pk, hours=kw.get("hours", 12), reason="延长期限", **common)
    if action == Action.APPEAL:
        return do_appeal(pk, reason=kw.get("reason", "判责没有考虑我的凭证"), **common)
    if action == Action.DECIDE_APPEAL:
        return do_decide_appeal(pk, decision=kw.get("decision", "uphold"), note="复核维持", **common)
    raise AssertionError(action)


def reach(w, status, *, type=REFUND_ONLY, amount=10000, start=T0):
    """A new order and request moved to `status` by the real actions.
    Returns (after-sale, time of the last action)."""
    if status in (S.AWAITING_RETURN, S.AWAITING_RECEIPT):
        type = RETURN_REFUND
    aftersale = open_request(w, type=type, amount=amount, now=start)
    t = start
    for party, action in PATHS[status]:
        t += HOUR
        perform(w, aftersale, party, action, t)
    aftersale = fresh(aftersale)
    assert aftersale.status == status
    return aftersale, t


def snapshot(aftersale) -> dict:
    """Everything a refused action must leave as it was."""
    a = fresh(aftersale)
    dispute = a.dispute
    return {
        "status": a.status,
        "due_at": a.due_at,
        "version": a.version,
        "history": HistoryEntry.objects.filter(aftersale=a).count(),
        "refunds": list(Refund.objects.filter(order_id=a.order_id).values_list("amount_fen", flat=True)),
        "refunded_fen": Order.objects.get(pk=a.order_id).refunded_fen,
        "outbox": OutboxEvent.objects.count(),
        "dispute": None if dispute is None else (dispute.status, dispute.timed_out, dispute.evidence_submitted_at),
        "rulings": Ruling.objects.filter(dispute__aftersale=a).count(),
        "offers": list(Offer.objects.filter(aftersale=a).order_by("id").values_list("state", flat=True)),
    }


def refused(fn, code):
    """Run `fn`, expect the coded refusal `code`; returns the error."""
    with pytest.raises(CodedError) as caught:
        fn()
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


def kinds(aftersale) -> list[str]:
    return list(HistoryEntry.objects.filter(aftersale_id=aftersale.pk).order_by("id").values_list("kind", flat=True))


def topics(aftersale) -> list[str]:
    return list(
        OutboxEvent.objects.filter(aggregate_type="aftersale", aggregate_id=str(aftersale.pk))
        .order_by("id")
        .values_list("topic", flat=True)
    )


# ----------------------------------------------------------------------------- awaiting_merchant


def test_open_request_awaits_the_merchant_for_48_hours(world):
    aftersale = open_request(world, type=RETURN_REFUND, amount=8000)

    a = fresh(aftersale)
    assert (a.status, a.type, a.amount_fen, a.due_at) == (S.AWAITING_MERCHANT, RETURN_REFUND, 8000, T0 + 48 * HOUR)
    assert kinds(a) == ["created"]
    assert topics(a) == ["aftersale.created"]


def test_merchant_approve_refund_only_refunds_the_requested_amount(world):
    aftersale = open_request(world, amount=7000)

    do_approve(aftersale.pk, acting_user=world.merchant, now=T0 + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.due_at, a.closed_at) == (S.REFUNDED, None, T0 + HOUR)
    assert (a.refund.amount_fen, a.refund.source) == (7000, Refund.Source.MERCHANT_APPROVED)
    assert Order.objects.get(pk=a.order_id).refunded_fen == 7000
    assert kinds(a) == ["created", "approved", "refunded"]


def test_merchant_approve_return_refund_awaits_the_return_for_7_days(world):
    aftersale = open_request(world, type=RETURN_REFUND)

    do_approve(aftersale.pk, acting_user=world.merchant, now=T0 + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.AWAITING_RETURN, T0 + HOUR + 7 * DAY)
    assert not Refund.objects.filter(aftersale=a).exists()
    assert kinds(a) == ["created", "approved"]


@pytest.mark.parametrize("type", [REFUND_ONLY, RETURN_REFUND])
def test_merchant_reject_with_reason_opens_the_7_day_escalation_window(world, type):
    aftersale = open_request(world, type=type)

    do_reject(aftersale.pk, reason="商品无质量问题", acting_user=world.merchant, now=T0 + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.rejection_reason) == (S.MERCHANT_REJECTED, "商品无质量问题")
    assert a.due_at == a.escalation_due_at == T0 + HOUR + 7 * DAY
    eligibility = escalation_eligibility(a, party="buyer", now=T0 + HOUR)
    assert eligibility["can_escalate"] is True
    assert eligibility["window_ends_at"] == T0 + HOUR + 7 * DAY
    assert topics(a) == ["aftersale.created", "aftersale.rejected"]


def test_merchant_reject_without_reason_is_refused_and_changes_nothing(world):
    aftersale = open_request(world)
    before = snapshot(aftersale)

    refused(lambda: do_reject(aftersale.pk, reason="   ", acting_user=world.merchant, now=T0 + HOUR), "empty_reason")

    assert snapshot(aftersale) == before


# ------------------------------------------------------------------------ awaiting_return / receipt


def test_buyer_return_shipment_awaits_receipt_for_10_days(world):
    aftersale, t = reach(world, S.AWAITING_RETURN)

    do_submit_return(
        aftersale.pk, carrier="顺丰速运", tracking_no="SF1234567890", acting_user=world.buyer, now=t + HOUR
    )

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.AWAITING_RECEIPT, t + HOUR + 10 * DAY)
    assert (a.return_carrier, a.return_tracking_no) == ("顺丰速运", "SF1234567890")


def test_merchant_confirm_receipt_refunds(world):
    aftersale, t = reach(world, S.AWAITING_RECEIPT, amount=9000)

    do_confirm_receipt(aftersale.pk, acting_user=world.merchant, now=t + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.REFUNDED, None)
    assert (a.refund.amount_fen, a.refund.source) == (9000, Refund.Source.RECEIPT_CONFIRMED)
    assert kinds(a)[-2:] == ["receipt_confirmed", "refunded"]


def test_merchant_reject_receipt_with_reason_goes_to_merchant_rejected_with_escalation_window(world):
    aftersale, t = reach(world, S.AWAITING_RECEIPT)

    do_reject_receipt(aftersale.pk, reason="退回商品已损坏", acting_user=world.merchant, now=t + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.rejection_reason) == (S.MERCHANT_REJECTED, "退回商品已损坏")
    assert a.due_at == a.escalation_due_at == t + HOUR + 7 * DAY
    assert not Refund.objects.filter(aftersale=a).exists()


def test_merchant_reconsidering_after_rejecting_the_returned_goods_refunds_without_a_second_return(world):
    aftersale, t = reach(world, S.AWAITING_RECEIPT)
    do_reject_receipt(aftersale.pk, reason="退回商品已损坏", acting_user=world.merchant, now=t + HOUR)

    do_approve(aftersale.pk, acting_user=world.merchant, now=t + 2 * HOUR)

    a = fresh(aftersale)
    assert a.status == S.REFUNDED
    assert a.refund.amount_fen == 10000


# ------------------------------------------------------------------------------------- cancelling


CANCELLABLE = [
    (s, t)
    for s in NON_FINAL_STATES
    for t in (REFUND_ONLY, RETURN_REFUND)
    if not (s in (S.AWAITING_RETURN, S.AWAITING_RECEIPT) and t == REFUND_ONLY)
]


@pytest.mark.parametrize(("status", "type"), CANCELLABLE)
def test_buyer_can_cancel_from_every_non_final_state(world, status, type):
    aftersale, t = reach(world, status, type=type)

    do_cancel(aftersale.pk, acting_user=world.buyer, now=t + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.due_at, a.closed_at) == (S.CANCELLED, None, t + HOUR)
    assert not Refund.objects.filter(order_id=a.order_id).exists()
    last = HistoryEntry.objects.filter(aftersale=a).order_by("-id").first()
    assert (last.kind, last.actor_role, last.data) == ("cancelled", "buyer", {"previous_status": status})
    assert topics(a)[-1] == "aftersale.cancelled"


def test_merchant_cannot_cancel_the_buyers_request(world):
    aftersale = open_request(world)
    before = snapshot(aftersale)

    refused(lambda: do_cancel(aftersale.pk, acting_user=world.merchant, now=T0 + HOUR), "forbidden_role")

    assert snapshot(aftersale) == before


# --------------------------------------------------------------------------------------- timeouts


def test_merchant_silent_48h_system_approves_and_refunds_refund_only(world):
    aftersale = open_request(world, amount=6000)

    assert apply_timeout(aftersale.pk, now=T0 + 48 * HOUR + SECOND) is True

    a = fresh(aftersale)
    assert a.status == S.REFUNDED
    assert (a.refund.amount_fen, a.refund.source) == (6000, Refund.Source.AUTO_APPROVED)
    entry = HistoryEntry.objects.get(aftersale=a, kind="auto_approved")
    assert (entry.actor_role, entry.actor, entry.at) == ("system", None, T0 + 48 * HOUR + SECOND)


def test_merchant_silent_48h_system_approves_return_refund_into_awaiting_return(world):
    aftersale = open_request(world, type=RETURN_REFUND)
    fired_at = T0 + 48 * HOUR + SECOND

    assert apply_timeout(aftersale.pk, now=fired_at) is True

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.AWAITING_RETURN, fired_at + 7 * DAY)
    assert not Refund.objects.filter(aftersale=a).exists()


def test_return_not_shipped_within_7_days_closes_the_request(world):
    aftersale, t = reach(world, S.AWAITING_RETURN)

    assert apply_timeout(aftersale.pk, now=t + 7 * DAY + SECOND) is True

    a = fresh(aftersale)
    assert (a.status, a.due_at, a.closed_at) == (S.CLOSED, None, t + 7 * DAY + SECOND)
    assert not Refund.objects.filter(aftersale=a).exists()
    assert kinds(a)[-1] == "return_timed_out"


def test_receipt_not_confirmed_within_10_days_system_confirms_and_refunds(world):
    aftersale, t = reach(world, S.AWAITING_RECEIPT)

    assert apply_timeout(aftersale.pk, now=t + 10 * DAY + SECOND) is True

    a = fresh(aftersale)
    assert a.status == S.REFUNDED
    assert (a.refund.amount_fen, a.refund.source) == (10000, Refund.Source.RECEIPT_CONFIRMED)
    assert kinds(a)[-2:] == ["receipt_auto_confirmed", "refunded"]


def test_escalation_window_of_7_days_passing_closes_the_request(world):
    aftersale, t = reach(world, S.MERCHANT_REJECTED)

    assert apply_timeout(aftersale.pk, now=t + 7 * DAY + SECOND) is True

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.CLOSED, None)
    assert not Dispute.objects.filter(aftersale=a).exists()
    assert kinds(a)[-1] == "escalation_window_closed"


# Each state's deadline-bound actions: (state, type, party, action). At due_at accepted, one second
# later refused with deadline_passed although no worker ran.
BOUNDED = [
    (S.AWAITING_MERCHANT, REFUND_ONLY, "merchant", Action.APPROVE),
    (S.AWAITING_MERCHANT, RETURN_REFUND, "merchant", Action.REJECT),
    (S.AWAITING_MERCHANT, REFUND_ONLY, "buyer", Action.CANCEL),
    (S.AWAITING_RETURN, RETURN_REFUND, "buyer", Action.RETURN_SHIPMENT),
    (S.AWAITING_RETURN, RETURN_REFUND, "buyer", Action.CANCEL),
    (S.AWAITING_RECEIPT, RETURN_REFUND, "merchant", Action.CONFIRM_RECEIPT),
    (S.AWAITING_RECEIPT, RETURN_REFUND, "merchant", Action.REJECT_RECEIPT),
    (S.AWAITING_RECEIPT, RETURN_REFUND, "buyer", Action.CANCEL),
    (S.MERCHANT_REJECTED, REFUND_ONLY, "buyer", Action.ESCALATE),
    (S.MERCHANT_REJECTED, REFUND_ONLY, "merchant", Action.APPROVE),
    (S.MERCHANT_REJECTED, RETURN_REFUND, "buyer", Action.CANCEL),
    (S.DISPUTE_AWAITING_EVIDENCE, REFUND_ONLY, "merchant", Action.SUBMIT_EVIDENCE),
    (S.DISPUTE_AWAITING_SUPPLEMENT, REFUND_ONLY, "merchant", Action.SUBMIT_EVIDENCE),
]


@pytest.mark.parametrize(("status", "type", "party", "action"), BOUNDED)
def test_deadline_bound_action_is_accepted_at_due_at_exactly(world, status, type, party, action):
    aftersale, _ = reach(world, status, type=type)

    perform(world, aftersale, party, action, aftersale.due_at)

    assert fresh(aftersale).status != status


@pytest.mark.parametrize(("status", "type", "party", "action"), BOUNDED)
def test_deadline_bound_action_one_second_late_is_refused_with_deadline_passed_without_a_worker(
    world, status, type, party, action
):
    aftersale, _ = reach(world, status, type=type)
    before = snapshot(aftersale)

    error = refused(lambda: perform(world, aftersale, party, action, aftersale.due_at + SECOND), "deadline_passed")

    assert error.status == 409
    assert error.details["due_at"] == aftersale.due_at.isoformat()
    assert snapshot(aftersale) == before


# state → (type, what the timeout leads to)
TIMEOUTS = {
    S.AWAITING_MERCHANT: (REFUND_ONLY, S.REFUNDED),
    S.AWAITING_RETURN: (RETURN_REFUND, S.CLOSED),
    S.AWAITING_RECEIPT: (RETURN_REFUND, S.REFUNDED),
    S.MERCHANT_REJECTED: (REFUND_ONLY, S.CLOSED),
    S.DISPUTE_AWAITING_EVIDENCE: (REFUND_ONLY, S.DISPUTE_PLATFORM_REVIEW),
    S.DISPUTE_AWAITING_SUPPLEMENT: (REFUND_ONLY, S.DISPUTE_PLATFORM_REVIEW),
}


@pytest.mark.parametrize("status", list(TIMEOUTS))
def test_timeout_at_due_at_does_nothing_and_fires_one_second_later_exactly_once(world, status):
    type, after = TIMEOUTS[status]
    aftersale, _ = reach(world, status, type=type)
    due = aftersale.due_at
    before = snapshot(aftersale)

    assert apply_timeout(aftersale.pk, now=due) is False
    assert snapshot(aftersale) == before

    assert apply_timeout(aftersale.pk, now=due + SECOND) is True
    fired = snapshot(aftersale)
    assert fired["status"] == after
    assert fired["history"] >= before["history"] + 1

    assert apply_timeout(aftersale.pk, now=due + 2 * SECOND) is False
    assert snapshot(aftersale) == fired


def test_states_without_a_deadline_never_time_out(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    before = snapshot(aftersale)

    assert aftersale.due_at is None
    assert apply_timeout(aftersale.pk, now=t + 365 * DAY) is False
    assert snapshot(aftersale) == before


# ------------------------------------------------------------------------------------ final states


def _refunded_in_dispute(w):
    aftersale, t = reach(w, S.DISPUTE_AWAITING_EVIDENCE)
    do_approve(aftersale.pk, acting_user=w.merchant, now=t + HOUR)
    return fresh(aftersale), t + HOUR


def _closed_by_ruling(w):
    aftersale, t = reach(w, S.DISPUTE_PLATFORM_REVIEW)
    perform(w, aftersale, "cs", Action.RULE, t + HOUR)
    return fresh(aftersale), t + HOUR


def _cancelled_in_dispute(w):
    aftersale, t = reach(w, S.DISPUTE_PLATFORM_REVIEW)
    do_cancel(aftersale.pk, acting_user=w.buyer, now=t + HOUR)
    return fresh(aftersale), t + HOUR


FINAL_ROUTES = {"refunded": _refunded_in_dispute, "closed": _closed_by_ruling, "cancelled": _cancelled_in_dispute}
RIGHTFUL = [
    (action, party)
    for action in PERSON_ACTIONS
    for party in sorted({p.value for rule in TABLE[action].values() for p in rule.parties})
]


# A ruling may be appealed after the request ended (test_rules_appeal.py), and CS may add an
# internal note (test_rules_cs_tools.py); nothing else moves a final request.
STILL_OPEN = (Action.APPEAL, Action.DECIDE_APPEAL, Action.CS_NOTE)
# What each final state still allows: the buyer's appeal of the ruling that closed it, CS's notes.
STILL_ALLOWED = {
    "closed": {"buyer": ["appeal"], "cs": ["cs_note"]},
    "refunded": {"cs": ["cs_note"]},
    "cancelled": {"cs": ["cs_note"]},
}


@pytest.mark.parametrize("final", list(FINAL_ROUTES))
def test_final_states_stay_final_every_action_refused_with_invalid_transition(world, final):
    aftersale, t = FINAL_ROUTES[final](world)
    assert aftersale.status == final
    before = snapshot(aftersale)

    for action, party in RIGHTFUL:
        if action in STILL_OPEN:
            continue
        error = refused(lambda: perform(world, aftersale, party, action, t + HOUR), "invalid_transition")
        assert error.status == 409
        assert apply_timeout(aftersale.pk, now=t + 365 * DAY) is False

    assert snapshot(aftersale) == before
    for party in ("merchant", "buyer", "cs"):
        expected = STILL_ALLOWED.get(final, {}).get(party, [])
        assert allowed_actions(aftersale, party=party, now=t + HOUR, user=user_for(world, party)) == expected


# ------------------------------------------------------------------------- refundable and one open


def test_refunds_never_exceed_the_refundable_amount_across_successive_requests(world):
    order = new_order(world, paid_fen=10000)
    first = open_request(world, order=order, amount=6000)
    do_approve(first.pk, acting_user=world.merchant, now=T0 + HOUR)
    assert Order.objects.get(pk=order.pk).refundable_fen == 4000
    before_count = AfterSale.objects.filter(order=order).count()
    outbox = OutboxEvent.objects.count()

    refused(lambda: open_request(world, order=order, amount=5000, now=T0 + 2 * HOUR), "amount_exceeds_refundable")

    assert AfterSale.objects.filter(order=order).count() == before_count
    assert OutboxEvent.objects.count() == outbox
    second = open_request(world, order=order, amount=4000, now=T0 + 3 * HOUR)
    do_approve(second.pk, acting_user=world.merchant, now=T0 + 4 * HOUR)
    order.refresh_from_db()
    assert (order.refunded_fen, order.refundable_fen) == (10000, 0)
    assert sorted(Refund.objects.filter(order=order).values_list("amount_fen", flat=True)) == [4000, 6000]
    refused(lambda: open_request(world, order=order, amount=1, now=T0 + 5 * HOUR), "amount_exceeds_refundable")


def test_a_ruling_cannot_refund_more_than_is_left_on_the_order_after_an_earlier_partial_refund(world):
    order = new_order(world, paid_fen=10000)
    first = open_request(world, order=order, amount=3000)
    do_approve(first.pk, acting_user=world.merchant, now=T0 + HOUR)
    second = open_request(world, order=order, amount=7000, now=T0 + 2 * HOUR)
    perform(world, second, "merchant", Action.REJECT, T0 + 3 * HOUR)
    perform(world, second, "buyer", Action.ESCALATE, T0 + 4 * HOUR)
    perform(world, second, "merchant", Action.SUBMIT_EVIDENCE, T0 + 5 * HOUR)

    perform(world, second, "cs", Action.RULE, T0 + 6 * HOUR, outcome="refund", liable="merchant")

    order.refresh_from_db()
    assert (order.refunded_fen, order.refundable_fen) == (10000, 0)
    assert fresh(second).refund.amount_fen == 7000


def test_only_one_open_request_per_order(world):
    order = new_order(world)
    first = open_request(world, order=order, amount=3000)
    outbox = OutboxEvent.objects.count()

    refused(lambda: open_request(world, order=order, amount=2000, now=T0 + HOUR), "aftersale_already_open")

    assert list(AfterSale.objects.filter(order=order).values_list("pk", flat=True)) == [first.pk]
    assert OutboxEvent.objects.count() == outbox
    do_cancel(first.pk, acting_user=world.buyer, now=T0 + 2 * HOUR)
    second = open_request(world, order=order, amount=2000, now=T0 + 3 * HOUR)
    assert fresh(second).status == S.AWAITING_MERCHANT


# --------------------------------------------------------------- allowed_actions from the same table

TABLE_STATES = [
    (S.AWAITING_MERCHANT, "merchant"),
    (S.AWAITING_MERCHANT, "buyer"),
    (S.AWAITING_RECEIPT, "merchant"),
    (S.MERCHANT_REJECTED, "buyer"),
    (S.MERCHANT_REJECTED, "merchant"),
    (S.DISPUTE_AWAITING_EVIDENCE, "merchant"),
    (S.DISPUTE_AWAITING_EVIDENCE, "buyer"),
    (S.DISPUTE_PLATFORM_REVIEW, "cs"),
    (S.DISPUTE_AWAITING_SUPPLEMENT, "buyer"),
]


@pytest.mark.parametrize(("status", "party"), TABLE_STATES)
def test_every_listed_action_succeeds_and_every_unlisted_action_is_refused(world, status, party):
    def with_offer():
        aftersale, t = reach(world, status)
        if party == "buyer" and status in NEGOTIABLE:
            t += SECOND
            perform(world, aftersale, "merchant", Action.MAKE_OFFER, t)  # so the offer answers are listed
        return fresh(aftersale), t

    aftersale, t = with_offer()
    now = t + HOUR
    listed = allowed_actions(aftersale, party=party, now=now)
    assert listed, "a state where the party has nothing to do tells us nothing"

    for action in PERSON_ACTIONS:
        aftersale, t = with_offer()
        now = t + HOUR
        if action.value in listed:
            perform(world, aftersale, party, action, now)
        else:
            before = snapshot(aftersale)
            with pytest.raises(CodedError) as caught:
                perform(world, aftersale, party, action, now)
            assert caught.value.status in (403, 409), (action, caught.value.code)
            assert snapshot(aftersale) == before, action


def test_allowed_actions_lists_exactly_what_the_table_allows_in_awaiting_merchant(world):
    aftersale = open_request(world)

    assert allowed_actions(aftersale, party="merchant", now=T0) == ["approve", "reject", "message"]
    assert allowed_actions(aftersale, party="buyer", now=T0) == ["message", "cancel"]
    assert allowed_actions(aftersale, party="merchant", now=T0 + 48 * HOUR + SECOND) == ["message"]
    assert allowed_actions(aftersale, party=None, now=T0) == []


def test_can_escalate_is_the_same_decision_as_the_table_and_names_the_reason_when_not(world):
    aftersale, t = reach(world, S.MERCHANT_REJECTED)
    end = aftersale.escalation_due_at

    at_end = escalation_eligibility(aftersale, party="buyer", now=end)
    late = escalation_eligibility(aftersale, party="buyer", now=end + SECOND)
    merchant = escalation_eligibility(aftersale, party="merchant", now=t)

    assert (at_end["can_escalate"], at_end["reason"]) == (True, None)
    assert "escalate" in allowed_actions(aftersale, party="buyer", now=end)
    assert (late["can_escalate"], late["reason"], late["window_ends_at"]) == (False, "deadline_passed", end)
    assert "escalate" not in allowed_actions(aftersale, party="buyer", now=end + SECOND)
    assert (merchant["can_escalate"], merchant["reason"]) == (False, "forbidden_role")
    before_open = open_request(world, now=t)
    assert escalation_eligibility(before_open, party="buyer", now=t)["reason"] == "invalid_transition"


# --------------------------------------------------------------------------- through the HTTP API


def test_refund_only_lifecycle_over_the_http_api(world, api_as):
    buyer, merchant = api_as(world.buyer), api_as(world.merchant)
    with time_machine.travel(T0, tick=False):
        created = buyer.post(
            "/aftersales",
            {
                "order_id": world.order.id,
                "type": "refund_only",
                "amount_fen": 5000,
                "reason": "质量问题",
                "description": "",
            },
            key="open-1",
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["due_at"]) == ("awaiting_merchant", "2025-03-05T02:00:00Z")
    assert body["allowed_actions"] == ["message", "cancel"]

    with time_machine.travel(T0 + 48 * HOUR, tick=False):
        approved = merchant.post(f"/aftersales/{body['id']}/approve", key="approve-1")

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "refunded"
    assert approved.json()["refund"]["amount_fen"] == 5000
    assert api_as(world.buyer).get(f"/orders/{world.order.id}").json()["refundable_fen"] == 5000


def test_return_refund_lifecycle_over_the_http_api(world, api_as):
    buyer, merchant = api_as(world.buyer), api_as(world.merchant)
    with time_machine.travel(T0, tick=False):
        aftersale_id = buyer.post(
            "/aftersales",
            {"order_id": world.order.id, "type": "return_refund", "amount_fen": 10000, "reason": "尺码不合适"},
        ).json()["id"]
    with time_machine.travel(T0 + HOUR, tick=False):
        assert merchant.post(f"/aftersales/{aftersale_id}/approve").json()["status"] == "awaiting_return"
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        shipped = buyer.post(
            f"/aftersales/{aftersale_id}/return-shipment", {"carrier": "中通快递", "tracking_no": "ZT998877"}
        )
    assert (shipped.json()["status"], shipped.json()["due_at"]) == ("awaiting_receipt", "2025-03-13T04:00:00Z")
    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        confirmed = merchant.post(f"/aftersales/{aftersale_id}/confirm-receipt")

    assert confirmed.json()["status"] == "refunded"
    history = buyer.get(f"/aftersales/{aftersale_id}/history").json()
    assert [h["kind"] for h in history] == ["created", "approved", "return_shipped", "receipt_confirmed", "refunded"]


def test_late_action_over_http_gets_409_deadline_passed_and_nothing_changes(world, api_as):
    aftersale = open_request(world)
    before = snapshot(aftersale)
    merchant = api_as(world.merchant)

    with time_machine.travel(aftersale.due_at + SECOND, tick=False):
        response = merchant.post(f"/aftersales/{aftersale.pk}/reject", {"reason": "不同意"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "deadline_passed"
    assert snapshot(aftersale) == before
