"""Platform CS: ask for supplementary evidence (补充凭证) and rule (判责)."""

from datetime import timedelta

from django.db import transaction

from sellerdesk.core.errors import Conflict, InvalidInput

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..models import (
    Dispute,
    DisputeStatus,
    Evidence,
    EvidenceRequest,
    HistoryKind,
    Liable,
    Outcome,
    Party,
    Refund,
    Ruling,
    RulingReason,
    Status,
)
from ..states import Action, Choice, resolve
from .common import begin, close_open_offers, finish_dispute, make_refund, publish, record, set_status
from .deadlines import set_timed_status
from .opening import check_text


@transaction.atomic
def do_request_evidence(
    aftersale_id: int, *, party: str, note: str, due_hours: int | None = None, acting_user, now
) -> EvidenceRequest:
    aftersale, actor_party = begin(aftersale_id, Action.REQUEST_EVIDENCE, acting_user=acting_user, now=now)
    if party not in (Party.MERCHANT, Party.BUYER):
        raise InvalidInput(Code.INVALID_PARTY, details={"allowed": [Party.MERCHANT, Party.BUYER]})
    note = check_text(note, field="note", max_chars=policy.MAX_NOTE_CHARS)
    if due_hours is None:
        window = policy.supplement()
    elif 1 <= due_hours <= policy.MAX_SUPPLEMENT_HOURS:
        window = timedelta(hours=due_hours)
    else:
        raise InvalidInput(Code.INVALID_DUE_HOURS, details={"max_hours": policy.MAX_SUPPLEMENT_HOURS})
    dispute = aftersale.dispute
    request = EvidenceRequest.objects.create(
        dispute=dispute, party=party, note=note, requested_by=acting_user, requested_at=now, due_at=now + window
    )
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.AWAITING_SUPPLEMENT)
    set_timed_status(
        aftersale, Status.DISPUTE_AWAITING_SUPPLEMENT, action=Action.REQUEST_EVIDENCE, now=now, due_at=request.due_at
    )
    record(
        aftersale,
        HistoryKind.EVIDENCE_REQUESTED,
        actor=acting_user,
        party=Party.CS,
        now=now,
        body=note,
        data={"party": party, "due_at": request.due_at.isoformat(), "request_id": request.pk},
    )
    publish(aftersale, "dispute.evidence_requested", party=party, due_at=request.due_at.isoformat())
    return request


# The reasons that may explain an outcome and a liability pointing different ways, per case.
DISAGREEING = {
    Liable.BUYER: (
        (Outcome.REFUND, Outcome.PARTIAL_REFUND),
        (RulingReason.PLATFORM_GUARANTEE, RulingReason.NO_REASON_RETURN),
    ),
    Liable.MERCHANT: ((Outcome.NO_REFUND,), (RulingReason.NO_LOSS_TO_BUYER,)),
}


def check_reason_code(outcome: str, liable: str, reason_code: str | None) -> str:
    """A ruling's outcome and liability must agree, or say why they do not (RulingReason)."""
    outcomes, reasons = DISAGREEING.get(liable, ((), ()))
    details = {"field": "reason_code", "outcome": outcome, "liable": liable, "allowed": [r.value for r in reasons]}
    if outcome in outcomes:
        if not reason_code:
            raise InvalidInput(Code.REASON_CODE_REQUIRED, details=details)
        if reason_code not in reasons:
            raise InvalidInput(Code.INVALID_REASON_CODE, details=details)
        return reason_code
    if reason_code:
        raise InvalidInput(Code.INVALID_REASON_CODE, details={**details, "allowed": []})
    return ""


def check_ruling(
    aftersale, *, outcome: str, amount_fen: int | None, liable: str, note: str, refunded_fen: int = 0
) -> tuple[int, str]:
    """The refund a ruling's outcome makes in total, and its cleaned note, or a refusal.
    `refunded_fen`: what this request has refunded already (an appeal's overturn adds to it)."""
    if outcome not in Outcome.values:
        raise InvalidInput(Code.INVALID_OUTCOME, details={"allowed": Outcome.values})
    if liable not in Liable.values:
        raise InvalidInput(Code.INVALID_LIABLE, details={"allowed": Liable.values})
    note = check_text(note, field="note", max_chars=policy.MAX_NOTE_CHARS)
    refundable = min(aftersale.amount_fen, aftersale.order.refundable_fen + refunded_fen)
    if outcome == Outcome.REFUND:
        amount = aftersale.amount_fen
        if amount > refundable:
            raise Conflict(Code.REFUND_EXCEEDS_REFUNDABLE, details={"refundable_fen": refundable})
    elif outcome == Outcome.PARTIAL_REFUND:
        if amount_fen is None or not 0 < amount_fen < aftersale.amount_fen or amount_fen > refundable:
            raise InvalidInput(
                Code.INVALID_RULING_AMOUNT,
                details={"requested_fen": aftersale.amount_fen, "refundable_fen": refundable},
            )
        amount = amount_fen
    else:
        amount = 0
    return amount, note


@transaction.atomic
def do_rule(
    aftersale_id: int,
    *,
    outcome: str,
    amount_fen: int | None = None,
    liable: str,
    note: str,
    reason_code: str | None = None,
    acting_user,
    now,
) -> Ruling:
    """The ruling completes the dispute: a refund (full or partial) or none, and who is liable."""
    aftersale, party = begin(aftersale_id, Action.RULE, acting_user=acting_user, now=now)
    amount, note = check_ruling(aftersale, outcome=outcome, amount_fen=amount_fen, liable=liable, note=note)
    reason_code = check_reason_code(outcome, liable, reason_code)
    dispute = aftersale.dispute
    # Every round's evidence is before CS: a second round's ruling weighs the first round's too.
    considered = list(Evidence.objects.filter(dispute__aftersale=aftersale).order_by("id").values_list("id", flat=True))
    ruling = Ruling.objects.create(
        dispute=dispute,
        outcome=outcome,
        amount_fen=amount,
        liable=liable,
        reason_code=reason_code,
        note=note,
        evidence_considered=considered,
        ruled_by=acting_user,
        ruled_at=now,
    )
    record(
        aftersale,
        HistoryKind.RULED,
        actor=acting_user,
        party=Party.CS,
        now=now,
        body=note,
        data={
            "outcome": outcome,
            "amount_fen": amount,
            "liable": liable,
            "reason_code": reason_code,
            "evidence_considered": considered,
            "timed_out": dispute.timed_out,
        },
    )
    close_open_offers(aftersale, now=now)
    finish_dispute(aftersale, now=now, outcome=outcome, liable=liable)
    set_status(aftersale, resolve(Choice.RULING_OUTCOME, aftersale, refunds=bool(amount)), action=Action.RULE, now=now)
    if amount:
        make_refund(aftersale, amount, Refund.Source.RULING, now=now, actor=acting_user, party=Party.CS)
    return ruling
