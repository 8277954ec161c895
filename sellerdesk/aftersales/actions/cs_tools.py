"""CS tools with an audit (issue 13, item 4): claim and release a case, internal notes, and moving
an open evidence deadline later. Each is a history entry with who and when; claims and notes are
for the platform only, an extension is seen by both parties and moves the alarm and reminders."""

from datetime import timedelta

from django.db import transaction

from sellerdesk.core.errors import InvalidInput

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..models import AfterSale, Dispute, EvidenceRequest, HistoryEntry, HistoryKind, Visibility
from ..states import Action
from .common import begin, publish, record, touch
from .deadlines import schedule_deadline
from .opening import check_text


@transaction.atomic
def do_claim(aftersale_id: int, *, acting_user, now) -> Dispute:
    aftersale, party = begin(aftersale_id, Action.CLAIM, acting_user=acting_user, now=now)
    Dispute.objects.filter(pk=aftersale.dispute_id).update(claimed_by=acting_user, claimed_at=now)
    touch(aftersale, now=now)
    record(aftersale, HistoryKind.CASE_CLAIMED, actor=acting_user, party=party, now=now, visibility=Visibility.PLATFORM)
    return Dispute.objects.get(pk=aftersale.dispute_id)


@transaction.atomic
def do_release(aftersale_id: int, *, acting_user, now) -> Dispute:
    aftersale, party = begin(aftersale_id, Action.RELEASE, acting_user=acting_user, now=now)
    held_by = aftersale.dispute.claimed_by_id
    Dispute.objects.filter(pk=aftersale.dispute_id).update(claimed_by=None, claimed_at=None)
    touch(aftersale, now=now)
    record(
        aftersale,
        HistoryKind.CASE_RELEASED,
        actor=acting_user,
        party=party,
        now=now,
        data={"claimed_by": held_by},
        visibility=Visibility.PLATFORM,
    )
    return Dispute.objects.get(pk=aftersale.dispute_id)


@transaction.atomic
def do_add_cs_note(aftersale_id: int, *, body: str, acting_user, now) -> HistoryEntry:
    """An internal note (内部备注): a history entry only CS sees; the request itself is unchanged."""
    aftersale, party = begin(aftersale_id, Action.CS_NOTE, acting_user=acting_user, now=now)
    body = check_text(body, field="body", max_chars=policy.MAX_NOTE_CHARS)
    return record(
        aftersale,
        HistoryKind.CS_NOTE,
        actor=acting_user,
        party=party,
        now=now,
        body=body,
        visibility=Visibility.PLATFORM,
    )


@transaction.atomic
def do_extend_deadline(aftersale_id: int, *, hours: int, reason: str, acting_user, now) -> AfterSale:
    """Move the open evidence deadline `hours` later, never earlier, before it passes. Both parties
    see it in the history and are told; the alarm and the due-soon reminders follow the new time."""
    aftersale, party = begin(aftersale_id, Action.EXTEND_DEADLINE, acting_user=acting_user, now=now)
    if not isinstance(hours, int) or not 1 <= hours <= policy.MAX_EXTEND_HOURS:
        raise InvalidInput(Code.INVALID_EXTEND_HOURS, details={"field": "hours", "max_hours": policy.MAX_EXTEND_HOURS})
    reason = check_text(reason, field="reason", max_chars=500)
    before = aftersale.due_at
    after = before + timedelta(hours=hours)
    request = EvidenceRequest.objects.open().of(aftersale).get()
    # A reminder mark that is in the future again is sent again before the new deadline.
    sent = [h for h in request.reminders_sent if after - timedelta(hours=h) <= now]
    EvidenceRequest.objects.filter(pk=request.pk).update(due_at=after, reminders_sent=sent)
    if request.initial:
        Dispute.objects.filter(pk=aftersale.dispute_id).update(evidence_due_at=after)
    touch(aftersale, now=now)
    AfterSale.objects.filter(pk=aftersale.pk).update(due_at=after)
    aftersale.due_at = after
    schedule_deadline(aftersale)  # the earlier alarms find the deadline not passed and do nothing
    record(
        aftersale,
        HistoryKind.DEADLINE_EXTENDED,
        actor=acting_user,
        party=party,
        now=now,
        body=reason,
        data={"from": before.isoformat(), "to": after.isoformat(), "hours": hours, "party": request.party},
    )
    publish(aftersale, "dispute.deadline_extended", party=request.party, due_at=after.isoformat(), hours=hours)
    return aftersale
