"""售后申诉 (issue 13, item 1; api.md "Appeals"), one test per rule: who may appeal and until when,
once per request, another agent decides, what an overturn does with the money and the liability,
the history and the notices."""

from datetime import timedelta

import pytest
from django.db.models import Sum

from sellerdesk.aftersales.actions import do_appeal, do_decide_appeal, do_rule
from sellerdesk.aftersales.models import Appeal, Dispute, HistoryEntry, Refund, Status
from sellerdesk.aftersales.states import Action, allowed_actions
from sellerdesk.aftersales.stats import dispute_figures
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import Order
from sellerdesk.payouts.models import AuditLog, Wallet, WalletCredit
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import HOUR, SECOND, fresh, reach, refused, snapshot

S = Status
WINDOW = timedelta(days=7)


@pytest.fixture
def cs2(db):
    return f.make_user("cs2", role=Role.CS)


def ruled(w, *, outcome="no_refund", amount_fen=None, liable="buyer", amount=10000):
    """A dispute in platform review that `w.cs` ruled; returns (after-sale, time of the ruling)."""
    aftersale, t = reach(w, S.DISPUTE_PLATFORM_REVIEW, amount=amount)
    t += HOUR
    do_rule(aftersale.pk, outcome=outcome, amount_fen=amount_fen, liable=liable, note="判责", acting_user=w.cs, now=t)
    return fresh(aftersale), t


def appeal(w, aftersale, who, now, reason="判责没有看我的凭证"):
    user = w.buyer if who == "buyer" else w.merchant
    return do_appeal(aftersale.pk, reason=reason, acting_user=user, now=now)


def overturn(aftersale, **decision):
    return do_decide_appeal(aftersale.pk, decision="overturn", **decision)


def refunded(aftersale) -> int:
    return Refund.objects.filter(aftersale=aftersale).aggregate(t=Sum("amount_fen"))["t"] or 0


# ------------------------------------------------------------------------------------- who, when


def test_the_buyer_may_appeal_a_ruling_that_refunded_nothing_and_the_merchant_may_not(world):
    aftersale, t = ruled(world, outcome="no_refund", liable="buyer")
    assert "appeal" in allowed_actions(aftersale, party="buyer", now=t)
    assert "appeal" not in allowed_actions(aftersale, party="merchant", now=t)
    assert (
        refused(lambda: appeal(world, aftersale, "merchant", t), "appeal_not_allowed").details["reason"]
        == "not_against_you"
    )
    a = appeal(world, aftersale, "buyer", t + HOUR)
    assert (a.status, a.appellant, a.reason) == ("pending", "buyer", "判责没有看我的凭证")


def test_the_merchant_may_appeal_a_full_refund_and_the_buyer_may_not(world):
    aftersale, t = ruled(world, outcome="refund", liable="merchant")
    assert (
        refused(lambda: appeal(world, aftersale, "buyer", t), "appeal_not_allowed").details["reason"]
        == "not_against_you"
    )
    assert appeal(world, aftersale, "merchant", t).appellant == "merchant"


def test_a_partial_refund_went_against_both_and_only_the_first_appeal_is_taken(world):
    aftersale, t = ruled(world, outcome="partial_refund", amount_fen=4000, liable="none")
    assert "appeal" in allowed_actions(aftersale, party="buyer", now=t)
    assert "appeal" in allowed_actions(aftersale, party="merchant", now=t)
    appeal(world, aftersale, "merchant", t)
    refused(lambda: appeal(world, aftersale, "buyer", t + SECOND), "already_appealed")


def test_an_appeal_is_allowed_at_the_windows_end_and_refused_one_second_later(world):
    late, t = ruled(world)
    before = snapshot(late)
    error = refused(lambda: appeal(world, late, "buyer", t + WINDOW + SECOND), "appeal_window_closed")
    assert error.details["window_ends_at"] == (t + WINDOW).isoformat()
    assert snapshot(late) == before
    world.order = f.make_order(shop=world.shop, buyer=world.buyer)
    on_time, t2 = ruled(world)
    assert appeal(world, on_time, "buyer", t2 + WINDOW).status == "pending"


def test_the_appeal_window_is_a_setting(world, settings):
    settings.SELLERDESK_DEADLINES = {**settings.SELLERDESK_DEADLINES, "appeal_window": 3600}
    aftersale, t = ruled(world)
    refused(lambda: appeal(world, aftersale, "buyer", t + HOUR + SECOND), "appeal_window_closed")
    assert appeal(world, aftersale, "buyer", t + HOUR).status == "pending"


def test_a_request_is_appealed_once_even_after_the_decision(world, cs2):
    aftersale, t = ruled(world)
    appeal(world, aftersale, "buyer", t)
    do_decide_appeal(aftersale.pk, decision="uphold", note="维持", acting_user=cs2, now=t + HOUR)
    refused(lambda: appeal(world, aftersale, "buyer", t + 2 * HOUR), "already_appealed")


def test_a_request_without_a_ruling_cannot_be_appealed(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    refused(lambda: appeal(world, aftersale, "buyer", t), "invalid_transition")
    # Refunded by the merchant's own agreement: nothing was ruled.
    world.order = f.make_order(shop=world.shop, buyer=world.buyer)
    agreed, t = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    from sellerdesk.aftersales.actions import do_approve

    do_approve(agreed.pk, acting_user=world.merchant, now=t + HOUR)
    refused(lambda: appeal(world, fresh(agreed), "buyer", t + 2 * HOUR), "appeal_not_allowed")


def test_an_appeal_needs_a_reason(world):
    aftersale, t = ruled(world)
    refused(lambda: appeal(world, aftersale, "buyer", t, reason="  "), "empty_reason")
    assert not Appeal.objects.exists()


def test_the_appeal_is_in_the_history_for_both_parties_and_notifies_both(world):
    aftersale, t = ruled(world)
    appeal(world, aftersale, "buyer", t + HOUR)
    entry = HistoryEntry.objects.filter(aftersale=aftersale).order_by("id").last()
    assert (entry.kind, entry.actor_role, entry.body, entry.visibility) == (
        "appealed",
        "buyer",
        "判责没有看我的凭证",
        "all",
    )
    assert entry.data["ruling"] == {"outcome": "no_refund", "amount_fen": 0, "liable": "buyer"}
    event = OutboxEvent.objects.filter(topic="dispute.appealed").get()
    assert Notification.objects.filter(event=event, user=world.merchant).exists()
    assert Notification.objects.filter(event=event, user=world.buyer).exists()


# ------------------------------------------------------------------------------------ the decision


def test_the_agent_who_ruled_cannot_decide_the_appeal(world, cs2):
    aftersale, t = ruled(world)
    appeal(world, aftersale, "buyer", t)
    aftersale = fresh(aftersale)
    assert "decide_appeal" not in allowed_actions(aftersale, party="cs", now=t, user=world.cs)
    assert "decide_appeal" in allowed_actions(aftersale, party="cs", now=t, user=cs2)
    refused(
        lambda: do_decide_appeal(aftersale.pk, decision="uphold", note="维持", acting_user=world.cs, now=t + HOUR),
        "same_agent_ruled",
    )


def test_an_upheld_appeal_changes_nothing_but_says_so(world, cs2):
    aftersale, t = ruled(world)
    appeal(world, aftersale, "buyer", t)
    do_decide_appeal(aftersale.pk, decision="uphold", note="证据仍不足", acting_user=cs2, now=t + HOUR)
    a = Appeal.objects.get(aftersale=aftersale)
    assert (a.status, a.decision, a.decided_by, a.note) == ("decided", "uphold", cs2, "证据仍不足")
    aftersale = fresh(aftersale)
    assert aftersale.status == S.CLOSED and refunded(aftersale) == 0
    assert aftersale.dispute.liable == "buyer"
    entry = HistoryEntry.objects.filter(aftersale=aftersale).order_by("id").last()
    assert (entry.kind, entry.actor_role, entry.actor) == ("appeal_upheld", "cs", cs2)
    assert OutboxEvent.objects.filter(topic="dispute.appeal_decided").get().payload["decision"] == "uphold"


def test_an_appeal_is_decided_once(world, cs2):
    aftersale, t = ruled(world)
    appeal(world, aftersale, "buyer", t)
    do_decide_appeal(aftersale.pk, decision="uphold", note="维持", acting_user=cs2, now=t + HOUR)
    refused(
        lambda: overturn(
            aftersale,
            note="改",
            outcome="refund",
            liable="merchant",
            acting_user=cs2,
            now=t + 2 * HOUR,
        ),
        "no_pending_appeal",
    )


def test_an_overturn_in_the_buyers_favour_refunds_what_the_ruling_withheld(world, cs2):
    aftersale, t = ruled(world, outcome="no_refund", liable="buyer")
    appeal(world, aftersale, "buyer", t)
    overturn(
        aftersale,
        note="商家凭证不实",
        outcome="refund",
        liable="merchant",
        acting_user=cs2,
        now=t + HOUR,
    )
    aftersale = fresh(aftersale)
    assert aftersale.status == S.REFUNDED
    (refund,) = Refund.objects.filter(aftersale=aftersale)
    assert (refund.amount_fen, refund.source, refund.status) == (10000, "appeal", "pending")
    assert refund.rail_instruction.amount_fen == 10000  # sent by the worker after commit
    assert Order.objects.get(pk=aftersale.order_id).refunded_fen == 10000
    assert (aftersale.dispute.outcome, aftersale.dispute.liable) == ("refund", "merchant")


def test_an_overturn_from_a_partial_refund_refunds_only_the_difference(world, cs2):
    aftersale, t = ruled(world, outcome="partial_refund", amount_fen=3000, liable="none")
    appeal(world, aftersale, "buyer", t)
    overturn(
        aftersale,
        note="应全额退款",
        outcome="refund",
        liable="merchant",
        acting_user=cs2,
        now=t + HOUR,
    )
    amounts = list(Refund.objects.filter(aftersale=aftersale).order_by("id").values_list("amount_fen", "source"))
    assert amounts == [(3000, "ruling"), (7000, "appeal")]
    assert Order.objects.get(pk=aftersale.order_id).refunded_fen == 10000
    refs = set(Refund.objects.filter(aftersale=aftersale).values_list("reference", flat=True))
    assert len(refs) == 2  # each refund is idempotent at the rail on its own reference


def test_an_overturn_in_the_merchants_favour_never_claws_money_back(world, cs2):
    aftersale, t = ruled(world, outcome="refund", liable="merchant")
    appeal(world, aftersale, "merchant", t)
    overturn(
        aftersale,
        note="买家已签收完好",
        outcome="no_refund",
        liable="buyer",
        acting_user=cs2,
        now=t + HOUR,
    )
    aftersale = fresh(aftersale)
    assert aftersale.status == S.REFUNDED  # the buyer keeps the refund
    assert refunded(aftersale) == 10000
    assert Order.objects.get(pk=aftersale.order_id).refunded_fen == 10000
    entry = HistoryEntry.objects.filter(aftersale=aftersale, kind="appeal_overturned").get()
    assert entry.data["kept_by_buyer_fen"] == 10000 and entry.data["refund_added_fen"] == 0


def test_an_overturn_for_the_merchant_takes_the_ruling_out_of_the_merchant_liability_rate(world, cs2):
    aftersale, t = ruled(world, outcome="refund", liable="merchant")
    assert dispute_figures([world.shop.pk], now=t + SECOND).merchant_liable == 1
    appeal(world, aftersale, "merchant", t)
    overturn(
        aftersale,
        note="物流责任",
        outcome="refund",
        liable="none",
        acting_user=cs2,
        now=t + HOUR,
    )
    figures = dispute_figures([world.shop.pk], now=t + 2 * HOUR)
    assert (figures.rulings, figures.merchant_liable) == (1, 0)


def test_an_overturn_may_compensate_the_merchants_anxin_wallet_up_to_what_the_buyer_keeps(world, cs2):
    wallet = Wallet.objects.create(subject=world.shop.subject, holder_role="merchant", channel="anxin")
    aftersale, t = ruled(world, outcome="partial_refund", amount_fen=6000, liable="merchant")
    appeal(world, aftersale, "merchant", t)
    overturn = dict(decision="overturn", note="买家责任", outcome="no_refund", liable="buyer", acting_user=cs2)
    error = refused(
        lambda: do_decide_appeal(aftersale.pk, compensation_fen=6001, now=t + HOUR, **overturn), "invalid_compensation"
    )
    assert error.details["max_fen"] == 6000
    do_decide_appeal(aftersale.pk, compensation_fen=6000, now=t + HOUR, **overturn)
    wallet.refresh_from_db()
    assert wallet.balance_fen == 6000
    credit = WalletCredit.objects.get(wallet=wallet)
    assert (credit.amount_fen, credit.kind, credit.created_by) == (6000, "appeal_compensation", cs2)
    assert AuditLog.objects.filter(action="wallet_credited", wallet=wallet, success=True).count() == 1
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="compensated").get().data["amount_fen"] == 6000
    assert refunded(aftersale) == 6000  # the buyer keeps the partial refund


def test_compensation_needs_an_overturn_for_the_merchant(world, cs2):
    Wallet.objects.create(subject=world.shop.subject, holder_role="merchant", channel="anxin")
    aftersale, t = ruled(world, outcome="no_refund", liable="buyer")
    appeal(world, aftersale, "buyer", t)
    error = refused(
        lambda: overturn(
            aftersale,
            note="改判",
            outcome="refund",
            liable="merchant",
            compensation_fen=100,
            acting_user=cs2,
            now=t + HOUR,
        ),
        "invalid_compensation",
    )
    assert error.details["max_fen"] == 0
    assert Appeal.objects.get(aftersale=aftersale).status == "pending"


def test_compensation_without_an_anxin_wallet_is_refused_and_changes_nothing(world, cs2):
    aftersale, t = ruled(world, outcome="refund", liable="merchant")
    appeal(world, aftersale, "merchant", t)
    before = snapshot(aftersale)
    refused(
        lambda: overturn(
            aftersale,
            note="改判",
            outcome="no_refund",
            liable="buyer",
            compensation_fen=500,
            acting_user=cs2,
            now=t + HOUR,
        ),
        "no_compensation_wallet",
    )
    assert snapshot(aftersale) == before
    assert Appeal.objects.get(aftersale=aftersale).status == "pending"


def test_an_overturn_must_change_the_ruling(world, cs2):
    aftersale, t = ruled(world, outcome="no_refund", liable="buyer")
    appeal(world, aftersale, "buyer", t)
    refused(
        lambda: overturn(
            aftersale,
            note="同原判",
            outcome="no_refund",
            liable="buyer",
            acting_user=cs2,
            now=t + HOUR,
        ),
        "overturn_same_as_ruling",
    )
    refused(
        lambda: do_decide_appeal(aftersale.pk, decision="maybe", note="?", acting_user=cs2, now=t + HOUR),
        "invalid_decision",
    )


def test_the_decision_is_in_the_history_for_both_parties_and_notifies_both(world, cs2):
    aftersale, t = ruled(world)
    appeal(world, aftersale, "buyer", t)
    overturn(
        aftersale,
        note="改判退款",
        outcome="refund",
        liable="merchant",
        acting_user=cs2,
        now=t + HOUR,
    )
    entry = HistoryEntry.objects.filter(aftersale=aftersale, kind="appeal_overturned").get()
    assert (entry.visibility, entry.actor, entry.body) == ("all", cs2, "改判退款")
    assert entry.data["ruling"] == {"outcome": "no_refund", "amount_fen": 0, "liable": "buyer"}
    event = OutboxEvent.objects.filter(topic="dispute.appeal_decided").get()
    assert event.payload["decision"] == "overturn" and event.payload["refund_added_fen"] == 10000
    assert {n.user for n in Notification.objects.filter(event=event)} == {world.merchant, world.buyer}
    # The ruling itself is kept as it was made.
    assert (Dispute.objects.get(pk=aftersale.dispute_id).ruling.outcome) == "no_refund"


def test_appeal_actions_are_only_for_their_parties(world, cs2):
    aftersale, t = ruled(world)
    refused(lambda: do_appeal(aftersale.pk, reason="x", acting_user=cs2, now=t), "forbidden_role")
    appeal(world, aftersale, "buyer", t)
    refused(
        lambda: do_decide_appeal(aftersale.pk, decision="uphold", note="x", acting_user=world.merchant, now=t),
        "forbidden_role",
    )
    # Once appealed, the button goes for both sides.
    assert Action.APPEAL.value not in allowed_actions(fresh(aftersale), party="buyer", now=t)
