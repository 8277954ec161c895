"""CS tools with an audit (issue 13, item 4; api.md "More on after-sales"), one test per rule:
claim and release, internal notes only CS sees, extending an open deadline (later only, both
parties see it, the alarm and reminders move), and a ruling whose outcome and liability disagree
needing a reason code. Every one is a history entry with who and when."""

from datetime import timedelta

import pytest

from sellerdesk.aftersales.access import visible_history
from sellerdesk.aftersales.actions import (
    apply_timeout,
    do_add_cs_note,
    do_claim,
    do_extend_deadline,
    do_release,
    do_request_evidence,
    do_rule,
)
from sellerdesk.aftersales.actions.reminders import reminder_due
from sellerdesk.aftersales.models import Dispute, EvidenceRequest, HistoryEntry, Ruling, Status
from sellerdesk.aftersales.states import allowed_actions
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import HOUR, SECOND, fresh, reach, refused, snapshot

S = Status


@pytest.fixture
def cs2(db):
    return f.make_user("cs2", role=Role.CS)


def last_entry(aftersale) -> HistoryEntry:
    return HistoryEntry.objects.filter(aftersale=aftersale).order_by("id").last()


# -------------------------------------------------------------------------------- claim / release


def test_a_claimed_case_is_ruled_only_by_the_agent_who_claimed_it(world, cs2):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    do_claim(aftersale.pk, acting_user=world.cs, now=t + HOUR)
    error = refused(
        lambda: do_rule(aftersale.pk, outcome="no_refund", liable="buyer", note="x", acting_user=cs2, now=t + 2 * HOUR),
        "case_claimed",
    )
    assert error.status == 409 and error.details["by_you"] is False
    refused(
        lambda: do_request_evidence(aftersale.pk, party="buyer", note="补充", acting_user=cs2, now=t + 2 * HOUR),
        "case_claimed",
    )
    assert "rule" not in allowed_actions(fresh(aftersale), party="cs", now=t, user=cs2)
    do_rule(aftersale.pk, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=t + 2 * HOUR)
    assert fresh(aftersale).status == S.CLOSED


def test_a_claim_is_taken_once_and_released_only_by_its_agent(world, cs2):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    do_claim(aftersale.pk, acting_user=world.cs, now=t + HOUR)
    refused(lambda: do_claim(aftersale.pk, acting_user=cs2, now=t + HOUR), "case_claimed")
    refused(lambda: do_release(aftersale.pk, acting_user=cs2, now=t + HOUR), "case_claimed")
    do_release(aftersale.pk, acting_user=world.cs, now=t + 2 * HOUR)
    refused(lambda: do_release(aftersale.pk, acting_user=world.cs, now=t + 2 * HOUR), "case_not_claimed")
    dispute = do_claim(aftersale.pk, acting_user=cs2, now=t + 3 * HOUR)
    assert (dispute.claimed_by, dispute.claimed_at) == (cs2, t + 3 * HOUR)


def test_an_admin_may_release_another_agents_claim(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    do_claim(aftersale.pk, acting_user=world.cs, now=t + HOUR)
    do_release(aftersale.pk, acting_user=world.admin, now=t + 2 * HOUR)
    assert Dispute.objects.get(pk=fresh(aftersale).dispute_id).claimed_by is None


def test_claims_are_in_the_history_only_cs_sees_with_who_and_when(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    do_claim(aftersale.pk, acting_user=world.cs, now=t + HOUR)
    do_release(aftersale.pk, acting_user=world.cs, now=t + 2 * HOUR)
    entries = list(HistoryEntry.objects.filter(aftersale=aftersale, kind__in=["case_claimed", "case_released"]))
    assert [(e.kind, e.actor, e.at, e.visibility) for e in entries] == [
        ("case_claimed", world.cs, t + HOUR, "platform"),
        ("case_released", world.cs, t + 2 * HOUR, "platform"),
    ]
    for party in ("merchant", "buyer"):
        kinds = {e.kind for e in visible_history(aftersale, party)}
        assert not kinds & {"case_claimed", "case_released"}


def test_only_cs_claims_and_only_an_open_dispute(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    refused(lambda: do_claim(aftersale.pk, acting_user=world.merchant, now=t), "forbidden_role")
    do_rule(aftersale.pk, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=t)
    refused(lambda: do_claim(aftersale.pk, acting_user=world.cs, now=t + HOUR), "invalid_transition")


# ------------------------------------------------------------------------------------ CS notes


def test_an_internal_note_is_a_history_entry_only_cs_sees(world, cs2):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    before = snapshot(aftersale)
    do_add_cs_note(aftersale.pk, body="已电话联系商家，商家称会补发视频。", acting_user=world.cs, now=t + HOUR)
    entry = last_entry(aftersale)
    assert (entry.kind, entry.actor, entry.actor_role, entry.visibility) == ("cs_note", world.cs, "cs", "platform")
    assert entry.body == "已电话联系商家，商家称会补发视频。"
    assert "cs_note" in {e.kind for e in visible_history(aftersale, "cs")}
    assert "cs_note" not in {e.kind for e in visible_history(aftersale, "merchant")}
    assert "cs_note" not in {e.kind for e in visible_history(aftersale, "buyer")}
    after = snapshot(aftersale)
    assert (after["status"], after["outbox"]) == (before["status"], before["outbox"])  # nobody is told


def test_a_note_needs_a_body_and_is_for_cs_only(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    refused(lambda: do_add_cs_note(aftersale.pk, body=" ", acting_user=world.cs, now=t), "empty_body")
    refused(lambda: do_add_cs_note(aftersale.pk, body="x", acting_user=world.merchant, now=t), "forbidden_role")


# ---------------------------------------------------------------------------------- extensions


def test_extending_the_evidence_deadline_moves_it_later_and_both_parties_see_why(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    due = aftersale.due_at
    do_extend_deadline(aftersale.pk, hours=12, reason="商家申请补拍视频", acting_user=world.cs, now=t + HOUR)
    aftersale = fresh(aftersale)
    assert aftersale.due_at == due + timedelta(hours=12)
    assert Dispute.objects.get(pk=aftersale.dispute_id).evidence_due_at == due + timedelta(hours=12)
    assert EvidenceRequest.objects.open().of(aftersale).get().due_at == due + timedelta(hours=12)
    entry = last_entry(aftersale)
    assert (entry.kind, entry.actor, entry.visibility, entry.body) == (
        "deadline_extended",
        world.cs,
        "all",
        "商家申请补拍视频",
    )
    assert entry.data["from"] == due.isoformat() and entry.data["to"] == (due + timedelta(hours=12)).isoformat()
    event = OutboxEvent.objects.filter(topic="dispute.deadline_extended").get()
    assert {n.user for n in Notification.objects.filter(event=event)} == {world.merchant, world.buyer}


def test_the_deadline_is_never_shortened_and_never_revived(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    for hours in (0, -5, 169):
        refused(
            lambda: do_extend_deadline(aftersale.pk, hours=hours, reason="x", acting_user=world.cs, now=t),
            "invalid_extend_hours",
        )
    refused(
        lambda: do_extend_deadline(
            aftersale.pk, hours=1, reason="x", acting_user=world.cs, now=aftersale.due_at + SECOND
        ),
        "deadline_passed",
    )
    refused(lambda: do_extend_deadline(aftersale.pk, hours=1, reason=" ", acting_user=world.cs, now=t), "empty_reason")


def test_the_old_alarm_does_nothing_and_the_new_deadline_times_out(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    due = aftersale.due_at
    do_extend_deadline(aftersale.pk, hours=6, reason="延长", acting_user=world.cs, now=t + HOUR)
    assert apply_timeout(aftersale.pk, now=due + SECOND) is False
    assert fresh(aftersale).status == S.DISPUTE_AWAITING_EVIDENCE
    assert apply_timeout(aftersale.pk, now=due + timedelta(hours=6) + SECOND) is True
    assert fresh(aftersale).status == S.DISPUTE_PLATFORM_REVIEW


def test_a_reminder_already_sent_is_sent_again_before_the_new_deadline(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    request = EvidenceRequest.objects.open().of(aftersale).get()
    three_hours_before = aftersale.due_at - timedelta(hours=3)
    EvidenceRequest.objects.filter(pk=request.pk).update(reminders_sent=[4])  # the 4 h reminder went out
    do_extend_deadline(aftersale.pk, hours=24, reason="延长", acting_user=world.cs, now=three_hours_before)
    request.refresh_from_db()
    assert request.reminders_sent == []
    assert reminder_due(request, request.due_at - timedelta(hours=4)) == 4


def test_a_supplement_deadline_can_be_extended_too(world):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_SUPPLEMENT)
    due = aftersale.due_at
    do_extend_deadline(aftersale.pk, hours=2, reason="买家需要时间找票据", acting_user=world.cs, now=t + HOUR)
    assert fresh(aftersale).due_at == due + timedelta(hours=2)


def test_another_agents_claim_blocks_the_extension(world, cs2):
    aftersale, t = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    do_claim(aftersale.pk, acting_user=world.cs, now=t)
    refused(lambda: do_extend_deadline(aftersale.pk, hours=2, reason="x", acting_user=cs2, now=t), "case_claimed")


# --------------------------------------------------------------------- outcome and liability agree


@pytest.mark.parametrize(
    ("outcome", "amount_fen", "liable"),
    [("refund", None, "buyer"), ("partial_refund", 3000, "buyer"), ("no_refund", None, "merchant")],
)
def test_a_ruling_whose_outcome_and_liability_disagree_needs_a_reason_code(world, outcome, amount_fen, liable):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    before = snapshot(aftersale)
    error = refused(
        lambda: do_rule(
            aftersale.pk, outcome=outcome, amount_fen=amount_fen, liable=liable, note="x", acting_user=world.cs, now=t
        ),
        "reason_code_required",
    )
    assert error.status == 400 and error.details["allowed"]
    assert snapshot(aftersale) == before
    reason = error.details["allowed"][0]
    do_rule(
        aftersale.pk,
        outcome=outcome,
        amount_fen=amount_fen,
        liable=liable,
        note="按规则处理",
        reason_code=reason,
        acting_user=world.cs,
        now=t,
    )
    assert Ruling.objects.get(dispute__aftersale=aftersale).reason_code == reason
    assert HistoryEntry.objects.get(aftersale=aftersale, kind="ruled").data["reason_code"] == reason


def test_a_reason_code_must_fit_the_case_and_is_refused_when_they_agree(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    refused(
        lambda: do_rule(
            aftersale.pk,
            outcome="refund",
            liable="buyer",
            note="x",
            reason_code="no_loss_to_buyer",
            acting_user=world.cs,
            now=t,
        ),
        "invalid_reason_code",
    )
    refused(
        lambda: do_rule(
            aftersale.pk,
            outcome="refund",
            liable="merchant",
            note="x",
            reason_code="platform_guarantee",
            acting_user=world.cs,
            now=t,
        ),
        "invalid_reason_code",
    )
    do_rule(aftersale.pk, outcome="refund", liable="merchant", note="商家责任", acting_user=world.cs, now=t)
    assert Ruling.objects.get(dispute__aftersale=aftersale).reason_code == ""
