"""The dispute negotiation period (纠纷协商期) of the reference article and product.md §1, one test per
rule: escalation and the 24 h evidence window, the merchant agreeing, evidence and its timeout, CS's
supplementary evidence, the buyer's cancel at any moment, rulings, partial-refund offers, the
negotiation history and the outbox."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sellerdesk.aftersales.actions import (
    apply_timeout,
    do_accept_offer,
    do_approve,
    do_cancel,
    do_decline_offer,
    do_escalate,
    do_make_offer,
    do_post_message,
    do_reject,
    do_reject_receipt,
    do_request_evidence,
    do_rule,
    do_submit_evidence,
    do_submit_return,
)
from sellerdesk.aftersales.models import (
    AppendOnlyError,
    Dispute,
    Evidence,
    EvidenceRequest,
    HistoryEntry,
    Offer,
    Refund,
    Ruling,
    Status,
)
from sellerdesk.aftersales.states import Action, allowed_actions
from sellerdesk.aftersales.stats import dispute_figures
from sellerdesk.events.models import OutboxEvent
from sellerdesk.orders.models import Order

from .test_rules_lifecycle import (
    DAY,
    HOUR,
    RETURN_REFUND,
    SECOND,
    T0,
    fresh,
    kinds,
    open_request,
    perform,
    reach,
    refused,
    snapshot,
    topics,
)

S = Status

DISPUTE_STATES = [S.DISPUTE_AWAITING_EVIDENCE, S.DISPUTE_PLATFORM_REVIEW, S.DISPUTE_AWAITING_SUPPLEMENT]


def dispute_of(aftersale) -> Dispute:
    """The current round of the request's dispute."""
    return Dispute.objects.get(current_of=aftersale.pk)


def escalated(w, **kw):
    """A refused request the buyer escalated; returns (after-sale, opened_at)."""
    return reach(w, S.DISPUTE_AWAITING_EVIDENCE, **kw)


def merchant_liable_rulings(shop) -> int:
    """The count behind the shop's penalty-risk figures (纠纷商责率's numerator)."""
    return Ruling.objects.filter(dispute__aftersale__shop=shop, liable="merchant").count()


def png() -> SimpleUploadedFile:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buf, format="PNG")
    return SimpleUploadedFile("proof.png", buf.getvalue(), content_type="image/png")


# ------------------------------------------------------------------------------- opening the period


def test_escalation_opens_a_dispute_with_evidence_due_exactly_24_hours_after_opening(world):
    aftersale, _ = reach(world, S.MERCHANT_REJECTED)
    opened = T0 + 5 * HOUR

    do_escalate(aftersale.pk, reason="商家拒绝不合理", acting_user=world.buyer, now=opened)

    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert (dispute.status, dispute.opened_at, dispute.evidence_due_at) == (
        "awaiting_evidence",
        opened,
        opened + 24 * HOUR,
    )
    assert (dispute.evidence_submitted_at, dispute.timed_out, dispute.escalation_reason) == (
        None,
        False,
        "商家拒绝不合理",
    )
    assert (a.status, a.due_at) == (S.DISPUTE_AWAITING_EVIDENCE, opened + 24 * HOUR)
    initial = EvidenceRequest.objects.get(dispute=dispute)
    assert (initial.initial, initial.party, initial.state, initial.requested_at, initial.due_at) == (
        True,
        "merchant",
        "open",
        opened,
        opened + 24 * HOUR,
    )
    assert kinds(a)[-1] == "escalated"
    assert topics(a)[-1] == "dispute.opened"


def test_the_evidence_countdown_is_shown_in_the_list_and_the_detail(world, api_as):
    aftersale, opened = escalated(world)
    merchant = api_as(world.merchant)

    with time_machine.travel(opened + HOUR, tick=False):
        pending = merchant.get("/aftersales", quick="disputes_pending").json()["items"]
        detail = merchant.get(f"/aftersales/{aftersale.pk}").json()

    assert [(row["id"], row["due_at"]) for row in pending] == [(aftersale.pk, "2025-03-04T04:00:00Z")]
    assert pending[0]["dispute"]["evidence_due_at"] == "2025-03-04T04:00:00Z"
    assert detail["dispute"]["evidence_due_at"] == "2025-03-04T04:00:00Z"
    assert detail["allowed_actions"] == ["approve", "submit_evidence", "message", "make_offer"]


def test_a_second_escalation_opens_round_two_and_keeps_round_one_as_it_ended(world):
    aftersale, opened = escalated(world, type=RETURN_REFUND)
    do_approve(aftersale.pk, acting_user=world.merchant, now=opened + HOUR)
    do_submit_return(
        aftersale.pk, carrier="顺丰速运", tracking_no="SF1", acting_user=world.buyer, now=opened + 2 * HOUR
    )
    do_reject_receipt(aftersale.pk, reason="退回商品已损坏", acting_user=world.merchant, now=opened + 3 * HOUR)
    reopened = opened + 4 * HOUR

    do_escalate(aftersale.pk, reason="商品寄回时完好", acting_user=world.buyer, now=reopened)

    dispute = dispute_of(aftersale)
    assert (fresh(aftersale).status, fresh(aftersale).due_at) == (S.DISPUTE_AWAITING_EVIDENCE, reopened + 24 * HOUR)
    assert (dispute.status, dispute.opened_at, dispute.evidence_due_at) == (
        "awaiting_evidence",
        reopened,
        reopened + 24 * HOUR,
    )
    assert (dispute.outcome, dispute.liable, dispute.resolved_at, dispute.escalation_reason) == (
        "",
        "",
        None,
        "商品寄回时完好",
    )
    # round 1 is kept as it ended: opened at the first escalation, resolved when the merchant agreed
    first, second = Dispute.objects.filter(aftersale=aftersale).order_by("round")
    assert (second.pk, second.round) == (dispute.pk, 2)
    assert (first.round, first.status, first.opened_at, first.resolved_at) == (1, "resolved", opened, opened + HOUR)
    assert first.escalation_reason != second.escalation_reason == "商品寄回时完好"
    requests = {
        d.round: list(d.evidence_requests.order_by("id").values_list("initial", "state")) for d in (first, second)
    }
    assert requests == {1: [(True, "withdrawn")], 2: [(True, "open")]}
    assert kinds(aftersale).count("escalated") == 2


def test_the_api_and_the_detail_page_show_the_current_round(world, api_as):
    aftersale, opened = escalated(world, type=RETURN_REFUND)
    merchant = api_as(world.merchant)
    assert merchant.get(f"/aftersales/{aftersale.pk}").json()["dispute"]["round"] == 1
    do_approve(aftersale.pk, acting_user=world.merchant, now=opened + HOUR)
    do_submit_return(
        aftersale.pk, carrier="顺丰速运", tracking_no="SF3", acting_user=world.buyer, now=opened + 2 * HOUR
    )
    do_reject_receipt(aftersale.pk, reason="退回商品已损坏", acting_user=world.merchant, now=opened + 3 * HOUR)
    do_escalate(aftersale.pk, reason="商品寄回时完好", acting_user=world.buyer, now=opened + 4 * HOUR)

    with time_machine.travel(opened + 5 * HOUR, tick=False):
        detail = merchant.get(f"/aftersales/{aftersale.pk}").json()
        listed = merchant.get("/aftersales", quick="disputes_pending").json()["items"]
        page = Client()
        page.force_login(world.merchant)
        html = page.get(f"/workbench/aftersales/{aftersale.pk}/").content.decode()
    assert (detail["dispute"]["round"], detail["dispute"]["escalation_reason"]) == (2, "商品寄回时完好")
    assert [(row["id"], row["dispute"]["round"]) for row in listed] == [(aftersale.pk, 2)]
    assert "第 2 轮" in html


def test_the_30_day_figures_keep_round_one_after_a_second_escalation(world):
    # given round 1 timed out without evidence (超时未举证), then the merchant agreed and refused the goods
    aftersale, opened = escalated(world, type=RETURN_REFUND)
    timed_out_at = opened + 24 * HOUR + SECOND
    assert apply_timeout(aftersale.pk, now=timed_out_at) is True
    do_approve(aftersale.pk, acting_user=world.merchant, now=timed_out_at + HOUR)
    do_submit_return(
        aftersale.pk, carrier="顺丰速运", tracking_no="SF2", acting_user=world.buyer, now=timed_out_at + 2 * HOUR
    )
    do_reject_receipt(aftersale.pk, reason="退回商品已损坏", acting_user=world.merchant, now=timed_out_at + 3 * HOUR)

    # when the buyer escalates again
    reopened = timed_out_at + 4 * HOUR
    do_escalate(aftersale.pk, reason="商品寄回时完好", acting_user=world.buyer, now=reopened)

    # then round 1 still says when it opened and that the merchant let the 24 h pass, and the
    # figures count both rounds as disputes opened
    first = Dispute.objects.get(aftersale=aftersale, round=1)
    assert (first.opened_at, first.timed_out, first.review_started_at) == (opened, True, timed_out_at)
    figures = dispute_figures([aftersale.shop_id], now=reopened + HOUR)
    assert figures.disputes_opened == 2
    assert list(Dispute.objects.filter(aftersale=aftersale).order_by("round").values_list("round", "timed_out")) == [
        (1, True),
        (2, False),
    ]


# --------------------------------------------------------------------------- the merchant agreeing


def test_merchant_agreeing_during_the_period_completes_the_dispute_and_refunds(world):
    aftersale, opened = escalated(world, amount=8000)

    do_approve(aftersale.pk, acting_user=world.merchant, now=opened + HOUR)

    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert a.status == S.REFUNDED
    assert (a.refund.amount_fen, a.refund.source) == (8000, Refund.Source.MERCHANT_APPROVED)
    assert (dispute.status, dispute.outcome, dispute.liable, dispute.resolved_at) == (
        "resolved",
        "refund",
        "",
        opened + HOUR,
    )
    assert not Ruling.objects.filter(dispute=dispute).exists()
    assert EvidenceRequest.objects.get(dispute=dispute).state == "withdrawn"
    assert topics(a)[-3:] == ["dispute.resolved", "aftersale.refunded", "aftersale.approved"]


def test_merchant_agreeing_to_a_return_refund_during_the_dispute_awaits_the_return(world):
    aftersale, opened = escalated(world, type=RETURN_REFUND)

    do_approve(aftersale.pk, acting_user=world.merchant, now=opened + HOUR)

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.AWAITING_RETURN, opened + HOUR + 7 * DAY)
    assert dispute_of(aftersale).status == "resolved"
    assert not Refund.objects.filter(aftersale=a).exists()


def test_merchant_agreeing_after_cs_took_over_also_completes_the_dispute_without_a_ruling(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)

    do_approve(aftersale.pk, acting_user=world.merchant, now=t + HOUR)

    assert fresh(aftersale).status == S.REFUNDED
    assert (dispute_of(aftersale).status, dispute_of(aftersale).liable) == ("resolved", "")
    assert merchant_liable_rulings(world.shop) == 0


# -------------------------------------------------------------------------------------- evidence


def test_merchant_evidence_moves_the_dispute_to_platform_review(world):
    aftersale, opened = escalated(world)
    at = opened + 3 * HOUR

    do_submit_evidence(aftersale.pk, statement="发货视频见附件", uploads=[png()], acting_user=world.merchant, now=at)

    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert (a.status, a.due_at) == (S.DISPUTE_PLATFORM_REVIEW, None)
    assert (dispute.status, dispute.evidence_submitted_at, dispute.review_started_at, dispute.timed_out) == (
        "platform_review",
        at,
        at,
        False,
    )
    evidence = Evidence.objects.get(dispute=dispute)
    assert (evidence.party, evidence.statement, evidence.attachments.count()) == ("merchant", "发货视频见附件", 1)
    assert EvidenceRequest.objects.get(dispute=dispute).state == "fulfilled"
    assert topics(a)[-1] == "dispute.evidence_submitted"


def test_evidence_at_exactly_evidence_due_at_is_accepted_over_http(world, api_as):
    aftersale, _ = escalated(world)
    due = dispute_of(aftersale).evidence_due_at

    with time_machine.travel(due, tick=False):
        response = api_as(world.merchant).post(
            f"/aftersales/{aftersale.pk}/evidence", {"statement": "质检报告"}, files=[png()]
        )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispute_platform_review"
    assert response.json()["dispute"]["evidence_submitted_at"] == "2025-03-04T04:00:00Z"


def test_evidence_one_second_after_evidence_due_at_is_refused_although_no_worker_ran(world, api_as):
    aftersale, _ = escalated(world)
    due = dispute_of(aftersale).evidence_due_at
    before = snapshot(aftersale)

    with time_machine.travel(due + SECOND, tick=False):
        response = api_as(world.merchant).post(
            f"/aftersales/{aftersale.pk}/evidence", {"statement": "质检报告"}, files=[png()]
        )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "deadline_passed"
    assert snapshot(aftersale) == before
    assert fresh(aftersale).status == S.DISPUTE_AWAITING_EVIDENCE  # the worker has not run: still judged late
    assert not Evidence.objects.exists()


def test_no_evidence_within_24_hours_moves_the_dispute_to_platform_review_recorded_as_no_evidence(world):
    aftersale, opened = escalated(world)
    fired = opened + 24 * HOUR + SECOND

    assert apply_timeout(aftersale.pk, now=fired) is True

    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert (a.status, a.due_at) == (S.DISPUTE_PLATFORM_REVIEW, None)
    assert (dispute.status, dispute.timed_out, dispute.evidence_submitted_at, dispute.review_started_at) == (
        "platform_review",
        True,
        None,
        fired,
    )
    initial = EvidenceRequest.objects.get(dispute=dispute)
    assert (initial.state, initial.closed_at) == ("lapsed", fired)
    entry = HistoryEntry.objects.filter(aftersale=a).order_by("-id").first()
    assert (entry.kind, entry.actor_role, entry.actor_id, entry.at) == ("evidence_timed_out", "system", None, fired)
    assert str(entry.get_kind_display()) == "商家超时未举证"
    assert topics(a)[-1] == "dispute.timed_out"


# --------------------------------------------------------------------------- supplementary evidence


@pytest.mark.parametrize(("due_hours", "window"), [(None, 24 * HOUR), (6, 6 * HOUR)])
def test_cs_asks_the_merchant_for_supplementary_evidence_with_its_own_deadline(world, due_hours, window):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    asked = t + HOUR

    request = do_request_evidence(
        aftersale.pk, party="merchant", note="请补充发货视频", due_hours=due_hours, acting_user=world.cs, now=asked
    )

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.DISPUTE_AWAITING_SUPPLEMENT, asked + window)
    assert (request.party, request.initial, request.state, request.due_at, request.requested_by) == (
        "merchant",
        False,
        "open",
        asked + window,
        world.cs,
    )
    assert dispute_of(aftersale).status == "awaiting_supplement"
    assert topics(a)[-1] == "dispute.evidence_requested"


def test_only_the_party_cs_asked_can_submit_supplementary_evidence(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    merchant_evidence_at = dispute_of(aftersale).evidence_submitted_at
    do_request_evidence(aftersale.pk, party="buyer", note="请提供开箱视频", acting_user=world.cs, now=t + HOUR)
    before = snapshot(aftersale)

    refused(lambda: perform(world, aftersale, "merchant", Action.SUBMIT_EVIDENCE, t + 2 * HOUR), "invalid_transition")
    assert snapshot(aftersale) == before

    do_submit_evidence(aftersale.pk, statement="开箱视频", acting_user=world.buyer, now=t + 3 * HOUR)

    dispute = dispute_of(aftersale)
    assert (fresh(aftersale).status, dispute.status) == (S.DISPUTE_PLATFORM_REVIEW, "platform_review")
    assert dispute.evidence_submitted_at == merchant_evidence_at  # the merchant's 举证 time is not the buyer's
    assert list(Evidence.objects.filter(dispute=dispute).order_by("id").values_list("party", flat=True)) == [
        "merchant",
        "buyer",
    ]


def test_evidence_after_the_original_24_hours_is_accepted_within_the_window_cs_gave(world):
    aftersale, opened = escalated(world)
    apply_timeout(aftersale.pk, now=opened + 24 * HOUR + SECOND)
    asked = opened + 30 * HOUR
    request = do_request_evidence(
        aftersale.pk, party="merchant", note="请补充凭证", due_hours=12, acting_user=world.cs, now=asked
    )

    do_submit_evidence(aftersale.pk, statement="补充的发货记录", acting_user=world.merchant, now=request.due_at)

    dispute = dispute_of(aftersale)
    assert fresh(aftersale).status == S.DISPUTE_PLATFORM_REVIEW
    assert (dispute.timed_out, dispute.evidence_submitted_at) == (True, asked + 12 * HOUR)
    assert EvidenceRequest.objects.get(pk=request.pk).state == "fulfilled"


def test_supplementary_evidence_one_second_after_the_requests_deadline_is_refused(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_SUPPLEMENT)
    before = snapshot(aftersale)

    refused(
        lambda: perform(world, aftersale, "merchant", Action.SUBMIT_EVIDENCE, aftersale.due_at + SECOND),
        "deadline_passed",
    )

    assert snapshot(aftersale) == before


def test_supplement_deadline_passing_returns_the_dispute_to_review(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    request = do_request_evidence(
        aftersale.pk, party="buyer", note="请提供开箱视频", acting_user=world.cs, now=t + HOUR
    )
    fired = request.due_at + SECOND

    assert apply_timeout(aftersale.pk, now=fired) is True

    a = fresh(aftersale)
    assert (a.status, a.due_at, dispute_of(a).status) == (S.DISPUTE_PLATFORM_REVIEW, None, "platform_review")
    assert (EvidenceRequest.objects.get(pk=request.pk).state, dispute_of(a).timed_out) == ("lapsed", False)
    entry = HistoryEntry.objects.filter(aftersale=a).order_by("-id").first()
    assert (entry.kind, entry.actor_role, entry.data["party"]) == ("supplement_timed_out", "system", "buyer")


def test_cs_cannot_ask_for_evidence_while_the_merchants_24_hours_run(world):
    aftersale, opened = escalated(world)
    before = snapshot(aftersale)

    refused(
        lambda: do_request_evidence(aftersale.pk, party="merchant", note="x", acting_user=world.cs, now=opened + HOUR),
        "invalid_transition",
    )

    assert snapshot(aftersale) == before


# ------------------------------------------------------------------------------ the buyer cancels


@pytest.mark.parametrize("status", DISPUTE_STATES)
def test_buyer_cancel_at_any_dispute_state_cancels_the_dispute_with_no_ruling_and_no_merchant_liability(world, status):
    aftersale, t = reach(world, status)

    do_cancel(aftersale.pk, acting_user=world.buyer, now=t + HOUR)

    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert a.status == S.CANCELLED
    assert (dispute.status, dispute.outcome, dispute.liable, dispute.resolved_at) == ("cancelled", "", "", t + HOUR)
    assert not Ruling.objects.filter(dispute=dispute).exists()
    assert not Refund.objects.filter(aftersale=a).exists()
    assert not EvidenceRequest.objects.filter(dispute=dispute, state="open").exists()
    assert merchant_liable_rulings(world.shop) == 0
    assert topics(a)[-2:] == ["dispute.cancelled", "aftersale.cancelled"]
    refused(lambda: perform(world, a, "cs", Action.RULE, t + 2 * HOUR, liable="merchant"), "invalid_transition")
    assert merchant_liable_rulings(world.shop) == 0


def test_buyer_cancel_during_platform_review_leaves_no_ruling(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)

    do_cancel(aftersale.pk, acting_user=world.buyer, now=t + HOUR)

    assert not Ruling.objects.exists()
    assert dispute_of(aftersale).liable == ""


def test_buyer_cancel_in_a_dispute_is_accepted_even_after_the_evidence_deadline(world):
    aftersale, opened = escalated(world)

    do_cancel(aftersale.pk, acting_user=world.buyer, now=opened + 24 * HOUR + SECOND)

    assert (fresh(aftersale).status, dispute_of(aftersale).status) == (S.CANCELLED, "cancelled")
    assert apply_timeout(aftersale.pk, now=opened + 25 * HOUR) is False
    assert dispute_of(aftersale).timed_out is False


# --------------------------------------------------------------------------------------- rulings


def test_ruling_full_refund_names_outcome_liable_party_note_who_ruled_and_the_evidence_considered(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW, amount=9000)
    evidence_ids = list(Evidence.objects.filter(dispute__aftersale=aftersale).values_list("id", flat=True))

    ruling = do_rule(
        aftersale.pk,
        outcome="refund",
        liable="merchant",
        note="商家未能证明发货完好",
        acting_user=world.cs,
        now=t + HOUR,
    )

    ruling = Ruling.objects.get(pk=ruling.pk)
    assert (ruling.outcome, ruling.amount_fen, ruling.liable, ruling.note, ruling.ruled_by, ruling.ruled_at) == (
        "refund",
        9000,
        "merchant",
        "商家未能证明发货完好",
        world.cs,
        t + HOUR,
    )
    assert ruling.evidence_considered == evidence_ids and len(evidence_ids) == 1
    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert (a.status, a.refund.amount_fen, a.refund.source) == (S.REFUNDED, 9000, Refund.Source.RULING)
    assert (dispute.status, dispute.outcome, dispute.liable) == ("resolved", "refund", "merchant")
    assert merchant_liable_rulings(world.shop) == 1
    entry = HistoryEntry.objects.get(aftersale=a, kind="ruled")
    assert (entry.actor_role, entry.data["outcome"], entry.data["liable"]) == ("cs", "refund", "merchant")


def test_ruling_partial_refund_refunds_exactly_the_amount_ruled(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)

    do_rule(
        aftersale.pk,
        outcome="partial_refund",
        amount_fen=3500,
        liable="none",
        note="双方各担一半",
        acting_user=world.cs,
        now=t + HOUR,
    )

    a = fresh(aftersale)
    assert (a.status, a.refund.amount_fen) == (S.REFUNDED, 3500)
    assert Order.objects.get(pk=a.order_id).refunded_fen == 3500
    assert (dispute_of(a).outcome, dispute_of(a).liable) == ("partial_refund", "none")


def test_ruling_no_refund_closes_the_request_with_the_buyer_liable(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)

    do_rule(aftersale.pk, outcome="no_refund", liable="buyer", note="买家证据不足", acting_user=world.cs, now=t + HOUR)

    a = fresh(aftersale)
    assert a.status == S.CLOSED
    assert not Refund.objects.filter(aftersale=a).exists()
    assert (dispute_of(a).outcome, dispute_of(a).liable, dispute_of(a).resolved_at) == ("no_refund", "buyer", t + HOUR)
    assert merchant_liable_rulings(world.shop) == 0


@pytest.mark.parametrize("amount", [0, 10000, 10001, None])
def test_partial_refund_ruling_needs_an_amount_between_zero_and_the_request(world, amount):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    before = snapshot(aftersale)

    refused(
        lambda: do_rule(
            aftersale.pk,
            outcome="partial_refund",
            amount_fen=amount,
            liable="merchant",
            note="x",
            acting_user=world.cs,
            now=t + HOUR,
        ),
        "invalid_amount",
    )

    assert snapshot(aftersale) == before


def test_ruling_while_a_supplement_is_awaited_withdraws_the_request(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_SUPPLEMENT)

    do_rule(aftersale.pk, outcome="refund", liable="merchant", note="无需再等", acting_user=world.cs, now=t + HOUR)

    assert fresh(aftersale).status == S.REFUNDED
    assert list(
        EvidenceRequest.objects.filter(dispute__aftersale=aftersale).order_by("id").values_list("state", flat=True)
    ) == ["fulfilled", "withdrawn"]


def test_only_cs_rules_and_a_second_ruling_is_refused(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    before = snapshot(aftersale)

    refused(lambda: perform(world, aftersale, "merchant", Action.RULE, t + HOUR), "forbidden_role")
    refused(lambda: perform(world, aftersale, "buyer", Action.RULE, t + HOUR), "forbidden_role")
    assert snapshot(aftersale) == before

    perform(world, aftersale, "cs", Action.RULE, t + HOUR, outcome="refund", liable="merchant")
    after = snapshot(aftersale)
    refused(lambda: perform(world, aftersale, "cs", Action.RULE, t + 2 * HOUR, outcome="refund"), "invalid_transition")
    assert snapshot(aftersale) == after
    assert (Ruling.objects.count(), after["refunds"]) == (1, [10000])


# ----------------------------------------------------------------------------- partial-refund offers


def test_buyer_accepting_an_offer_refunds_exactly_that_amount_and_completes_the_dispute(world):
    aftersale, opened = escalated(world)
    offer = do_make_offer(aftersale.pk, amount_fen=4200, note="退一半", acting_user=world.merchant, now=opened + HOUR)

    do_accept_offer(aftersale.pk, offer.pk, acting_user=world.buyer, now=opened + 2 * HOUR)

    a, dispute = fresh(aftersale), dispute_of(aftersale)
    assert (a.status, a.refund.amount_fen, a.refund.source) == (S.REFUNDED, 4200, Refund.Source.OFFER_ACCEPTED)
    assert Order.objects.get(pk=a.order_id).refunded_fen == 4200
    assert (dispute.status, dispute.outcome, dispute.liable) == ("resolved", "partial_refund", "")
    assert (Offer.objects.get(pk=offer.pk).state, Offer.objects.get(pk=offer.pk).answered_at) == (
        "accepted",
        opened + 2 * HOUR,
    )
    assert not Ruling.objects.exists()


def test_buyer_declining_an_offer_keeps_the_negotiation_going(world):
    aftersale, opened = escalated(world)
    offer = do_make_offer(aftersale.pk, amount_fen=3000, acting_user=world.merchant, now=opened + HOUR)

    do_decline_offer(aftersale.pk, offer.pk, acting_user=world.buyer, now=opened + 2 * HOUR)

    a = fresh(aftersale)
    assert (a.status, a.due_at) == (S.DISPUTE_AWAITING_EVIDENCE, opened + 24 * HOUR)
    assert Offer.objects.get(pk=offer.pk).state == "declined"
    assert not Refund.objects.filter(aftersale=a).exists()
    assert "make_offer" in allowed_actions(a, party="merchant", now=opened + 3 * HOUR)
    refused(
        lambda: do_accept_offer(aftersale.pk, offer.pk, acting_user=world.buyer, now=opened + 3 * HOUR), "no_open_offer"
    )


def test_a_new_offer_supersedes_the_old_one(world):
    aftersale, opened = escalated(world)
    old = do_make_offer(aftersale.pk, amount_fen=3000, acting_user=world.merchant, now=opened + HOUR)
    new = do_make_offer(aftersale.pk, amount_fen=5000, acting_user=world.merchant, now=opened + 2 * HOUR)
    before = snapshot(aftersale)

    refused(
        lambda: do_accept_offer(aftersale.pk, old.pk, acting_user=world.buyer, now=opened + 3 * HOUR), "offer_not_open"
    )
    assert snapshot(aftersale) == before

    do_accept_offer(aftersale.pk, new.pk, acting_user=world.buyer, now=opened + 3 * HOUR)
    assert list(Offer.objects.filter(aftersale=aftersale).order_by("id").values_list("state", flat=True)) == [
        "superseded",
        "accepted",
    ]
    assert fresh(aftersale).refund.amount_fen == 5000


def test_a_superseded_offer_leaves_a_history_entry_naming_it(world):
    aftersale, opened = escalated(world)
    old = do_make_offer(aftersale.pk, amount_fen=3000, acting_user=world.merchant, now=opened + HOUR)

    do_make_offer(aftersale.pk, amount_fen=5000, acting_user=world.merchant, now=opened + 2 * HOUR)

    entry = HistoryEntry.objects.get(aftersale=aftersale, kind="offer_superseded")
    assert (entry.at, entry.actor_role, entry.data) == (
        opened + 2 * HOUR,
        "system",
        {"offer_id": old.pk, "amount_fen": 3000},
    )
    assert kinds(aftersale)[-3:] == ["offer_made", "offer_superseded", "offer_made"]


@pytest.mark.parametrize(
    "end_it",
    ["approve", "rule", "cancel", "escalation_window_closes"],
)
def test_an_offer_left_unanswered_when_the_request_moves_on_lapses_in_the_history(world, end_it):
    if end_it == "escalation_window_closes":
        aftersale, t = reach(world, S.MERCHANT_REJECTED)
    else:
        aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    offer = do_make_offer(aftersale.pk, amount_fen=4000, acting_user=world.merchant, now=t + HOUR)
    ended_at = t + 2 * HOUR

    if end_it == "approve":
        do_approve(aftersale.pk, acting_user=world.merchant, now=ended_at)
    elif end_it == "rule":
        do_rule(aftersale.pk, outcome="no_refund", liable="buyer", note="凭证不足", acting_user=world.cs, now=ended_at)
    elif end_it == "cancel":
        do_cancel(aftersale.pk, acting_user=world.buyer, now=ended_at)
    else:
        ended_at = fresh(aftersale).due_at + SECOND
        assert apply_timeout(aftersale.pk, now=ended_at) is True

    assert Offer.objects.get(pk=offer.pk).state == "lapsed"
    entry = HistoryEntry.objects.get(aftersale=aftersale, kind="offer_lapsed")
    assert (entry.at, entry.data) == (ended_at, {"offer_id": offer.pk, "amount_fen": 4000})


@pytest.mark.parametrize("amount", [0, 10000, 12000])
def test_an_offer_must_be_a_partial_refund_of_the_request(world, amount):
    aftersale, opened = escalated(world)
    before = snapshot(aftersale)

    refused(
        lambda: do_make_offer(aftersale.pk, amount_fen=amount, acting_user=world.merchant, now=opened + HOUR),
        "invalid_offer_amount",
    )

    assert snapshot(aftersale) == before


# ------------------------------------------------------------------------------ negotiation history


def test_negotiation_history_has_one_entry_per_action_oldest_first_with_actor_role_and_time(world, api_as):
    aftersale = open_request(world, now=T0)
    steps = [
        (T0 + 1 * HOUR, lambda t: do_reject(aftersale.pk, reason="不同意", acting_user=world.merchant, now=t)),
        (T0 + 2 * HOUR, lambda t: do_escalate(aftersale.pk, reason="申请介入", acting_user=world.buyer, now=t)),
        (
            T0 + 3 * HOUR,
            lambda t: do_post_message(aftersale.pk, body="可以退一半吗", acting_user=world.merchant, now=t),
        ),
        (T0 + 4 * HOUR, lambda t: do_make_offer(aftersale.pk, amount_fen=5000, acting_user=world.merchant, now=t)),
        (
            T0 + 5 * HOUR,
            lambda t: do_decline_offer(aftersale.pk, Offer.objects.get().pk, acting_user=world.buyer, now=t),
        ),
        (
            T0 + 6 * HOUR,
            lambda t: do_submit_evidence(aftersale.pk, statement="质检记录", acting_user=world.merchant, now=t),
        ),
        (
            T0 + 7 * HOUR,
            lambda t: do_request_evidence(
                aftersale.pk, party="buyer", note="请提供开箱视频", acting_user=world.cs, now=t
            ),
        ),
        (
            T0 + 8 * HOUR,
            lambda t: do_submit_evidence(aftersale.pk, statement="开箱视频", acting_user=world.buyer, now=t),
        ),
        (
            T0 + 9 * HOUR,
            lambda t: do_rule(
                aftersale.pk, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=t
            ),
        ),
    ]
    for t, step in steps:
        step(t)

    expected = [
        ("2025-03-03T02:00:00Z", "buyer", "created"),
        ("2025-03-03T03:00:00Z", "merchant", "rejected"),
        ("2025-03-03T04:00:00Z", "buyer", "escalated"),
        ("2025-03-03T05:00:00Z", "merchant", "message"),
        ("2025-03-03T06:00:00Z", "merchant", "offer_made"),
        ("2025-03-03T07:00:00Z", "buyer", "offer_declined"),
        ("2025-03-03T08:00:00Z", "merchant", "evidence_submitted"),
        ("2025-03-03T09:00:00Z", "cs", "evidence_requested"),
        ("2025-03-03T10:00:00Z", "buyer", "evidence_submitted"),
        ("2025-03-03T11:00:00Z", "cs", "ruled"),
    ]
    for viewer in (world.buyer, world.merchant, world.cs):
        history = api_as(viewer).get(f"/aftersales/{aftersale.pk}/history").json()
        assert [(h["at"], h["actor_role"], h["kind"]) for h in history] == expected


def test_history_entries_cannot_be_updated_or_deleted(world):
    aftersale = open_request(world)
    entry = HistoryEntry.objects.get(aftersale=aftersale)

    entry.body = "篡改"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        HistoryEntry.objects.filter(pk=entry.pk).update(body="篡改")
    with pytest.raises(AppendOnlyError):
        HistoryEntry.objects.filter(pk=entry.pk).delete()

    stored = HistoryEntry.objects.get(pk=entry.pk)
    assert (stored.kind, stored.body) == ("created", "收到的商品有裂痕")


# -------------------------------------------------------------------------------------------- outbox


def test_each_action_writes_its_outbox_event_in_the_same_transaction(world):
    aftersale = open_request(world, now=T0)
    assert topics(aftersale) == ["aftersale.created"]
    do_reject(aftersale.pk, reason="不同意", acting_user=world.merchant, now=T0 + HOUR)
    assert topics(aftersale)[-1] == "aftersale.rejected"
    do_escalate(aftersale.pk, reason="介入", acting_user=world.buyer, now=T0 + 2 * HOUR)
    assert topics(aftersale)[-1] == "dispute.opened"
    do_submit_evidence(aftersale.pk, statement="凭证", acting_user=world.merchant, now=T0 + 3 * HOUR)
    assert topics(aftersale)[-1] == "dispute.evidence_submitted"
    do_rule(aftersale.pk, outcome="refund", liable="merchant", note="商责", acting_user=world.cs, now=T0 + 4 * HOUR)

    assert topics(aftersale) == [
        "aftersale.created",
        "aftersale.rejected",
        "dispute.opened",
        "dispute.evidence_submitted",
        "dispute.resolved",
        "aftersale.refunded",
    ]
    resolved = OutboxEvent.objects.get(topic="dispute.resolved")
    assert (resolved.payload["outcome"], resolved.payload["liable"], resolved.payload["aftersale_id"]) == (
        "refund",
        "merchant",
        aftersale.pk,
    )


def test_timeout_and_cancel_write_their_outbox_events(world):
    timed, opened = escalated(world)
    apply_timeout(timed.pk, now=opened + 24 * HOUR + SECOND)
    cancelled, t = reach(world, S.AWAITING_MERCHANT)
    do_cancel(cancelled.pk, acting_user=world.buyer, now=t + HOUR)

    assert topics(timed)[-1] == "dispute.timed_out"
    assert topics(cancelled) == ["aftersale.created", "aftersale.cancelled"]


def test_a_refused_action_writes_no_outbox_event_and_no_history(world):
    aftersale, opened = escalated(world)
    before = snapshot(aftersale)

    refused(
        lambda: do_submit_evidence(
            aftersale.pk, statement="迟到的凭证", acting_user=world.merchant, now=opened + 24 * HOUR + SECOND
        ),
        "deadline_passed",
    )
    refused(
        lambda: do_reject(aftersale.pk, reason="x", acting_user=world.merchant, now=opened + HOUR), "invalid_transition"
    )
    refused(
        lambda: do_submit_evidence(aftersale.pk, statement="", acting_user=world.merchant, now=opened + HOUR),
        "empty_statement",
    )

    assert snapshot(aftersale) == before


# ------------------------------------------------------------------- offers before a dispute opens


def test_an_offer_accepted_after_the_escalation_window_closed_is_refused_although_no_worker_ran(world):
    aftersale, t = reach(world, S.MERCHANT_REJECTED)
    offer = do_make_offer(aftersale.pk, amount_fen=5000, acting_user=world.merchant, now=t + HOUR)
    before = snapshot(aftersale)

    refused(
        lambda: do_accept_offer(aftersale.pk, offer.pk, acting_user=world.buyer, now=aftersale.due_at + SECOND),
        "deadline_passed",
    )
    refused(
        lambda: do_make_offer(aftersale.pk, amount_fen=6000, acting_user=world.merchant, now=aftersale.due_at + SECOND),
        "deadline_passed",
    )

    assert snapshot(aftersale) == before
    assert apply_timeout(aftersale.pk, now=aftersale.due_at + SECOND) is True
    assert (fresh(aftersale).status, Offer.objects.get(pk=offer.pk).state) == (S.CLOSED, "lapsed")


def test_an_offer_accepted_at_the_end_of_the_escalation_window_refunds_that_amount(world):
    aftersale, t = reach(world, S.MERCHANT_REJECTED)
    offer = do_make_offer(aftersale.pk, amount_fen=5000, acting_user=world.merchant, now=t + HOUR)

    do_accept_offer(aftersale.pk, offer.pk, acting_user=world.buyer, now=aftersale.due_at)

    assert (fresh(aftersale).status, fresh(aftersale).refund.amount_fen) == (S.REFUNDED, 5000)
