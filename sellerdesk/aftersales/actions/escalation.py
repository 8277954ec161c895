"""申请平台介入: the buyer escalates a refused request; the dispute negotiation period opens."""

from django.db import transaction

from .. import policy
from ..models import AfterSale, Dispute, DisputeStatus, EvidenceRequest, HistoryKind, Party, Status
from ..states import Action, _refusal
from .common import begin, publish, record
from .deadlines import set_timed_status
from .opening import check_text


def escalation_eligibility(aftersale, *, party, now) -> dict:
    """`can_escalate`, the window's end and, when not allowed, the reason: the same table decides."""
    refusal = _refusal(aftersale, Action.ESCALATE, party, now)
    return {
        "can_escalate": refusal is None,
        "window_ends_at": aftersale.escalation_due_at,
        "reason": None if refusal is None else refusal.code,
        "message": None if refusal is None else refusal.message,
    }


@transaction.atomic
def do_escalate(aftersale_id: int, *, reason: str, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.ESCALATE, acting_user=acting_user, now=now)
    reason = check_text(reason, field="reason", max_chars=500)
    evidence_due_at = now + policy.evidence()
    # A request is escalated again only after the merchant agreed during the first round
    # (return_refund → awaiting_return) and then refused the returned goods: the next round is a
    # new row with a new 24 h window, and the first round stays as it ended.
    previous = aftersale.dispute
    dispute = Dispute.objects.create(
        aftersale=aftersale,
        round=previous.round + 1 if previous else 1,
        status=DisputeStatus.AWAITING_EVIDENCE,
        escalation_reason=reason,
        opened_at=now,
        evidence_due_at=evidence_due_at,
    )
    AfterSale.objects.filter(pk=aftersale.pk).update(dispute=dispute)
    aftersale.dispute = dispute
    EvidenceRequest.objects.create(
        dispute=dispute,
        party=Party.MERCHANT,
        initial=True,
        requested_at=now,
        due_at=evidence_due_at,
        note="纠纷协商期：商家需在24小时内提交举证或同意售后",
    )
    set_timed_status(
        aftersale, Status.DISPUTE_AWAITING_EVIDENCE, action=Action.ESCALATE, now=now, due_at=evidence_due_at
    )
    record(
        aftersale,
        HistoryKind.ESCALATED,
        actor=acting_user,
        party=party,
        now=now,
        body=reason,
        data={"evidence_due_at": evidence_due_at.isoformat(), "round": dispute.round},
    )
    publish(aftersale, "dispute.opened", evidence_due_at=evidence_due_at.isoformat(), round=dispute.round)
    return aftersale
