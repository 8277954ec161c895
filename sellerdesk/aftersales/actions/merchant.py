"""The merchant's answers: approve (同意售后), reject, confirm or reject the returned goods."""

from django.db import transaction

from .. import policy
from ..models import DISPUTE_STATUSES, AfterSale, HistoryKind, Outcome, Refund, Status
from ..states import Action, Choice, resolve
from .common import (
    begin,
    close_open_offers,
    finish_dispute,
    make_refund,
    publish,
    record,
    set_status,
)
from .deadlines import refund_or_await_return, set_timed_status
from .opening import check_text


@transaction.atomic
def do_approve(aftersale_id: int, *, acting_user, now):
    """同意售后: before a dispute it starts the refund (or the return); during one it completes it."""
    aftersale, party = begin(aftersale_id, Action.APPROVE, acting_user=acting_user, now=now)
    in_dispute = aftersale.status in DISPUTE_STATUSES
    record(
        aftersale, HistoryKind.APPROVED, actor=acting_user, party=party, now=now, data={"during_dispute": in_dispute}
    )
    close_open_offers(aftersale, now=now)
    if in_dispute:
        # The merchant agreed: the dispute completes without a ruling, so nobody is liable. Its outcome
        # is a refund only if one is made now; a return-and-refund still waits for the goods.
        refund_now = resolve(Choice.REFUND_OR_AWAIT_RETURN, aftersale) == Status.REFUNDED
        finish_dispute(aftersale, now=now, outcome=Outcome.REFUND if refund_now else "")
    refund_or_await_return(
        aftersale, Refund.Source.MERCHANT_APPROVED, action=Action.APPROVE, now=now, actor=acting_user, party=party
    )
    publish(aftersale, "aftersale.approved", during_dispute=in_dispute)
    return aftersale


@transaction.atomic
def do_reject(aftersale_id: int, *, reason: str, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.REJECT, acting_user=acting_user, now=now)
    reason = check_text(reason, field="reason", max_chars=500)
    _to_rejected(aftersale, Action.REJECT, reason=reason, now=now)
    record(
        aftersale,
        HistoryKind.REJECTED,
        actor=acting_user,
        party=party,
        now=now,
        body=reason,
        data={"escalation_due_at": aftersale.escalation_due_at.isoformat()},
    )
    publish(aftersale, "aftersale.rejected", reason=reason)
    return aftersale


def _to_rejected(aftersale, action: Action, *, reason: str, now) -> None:
    window_end = now + policy.escalation_window()
    set_timed_status(aftersale, Status.MERCHANT_REJECTED, action=action, now=now, due_at=window_end)
    AfterSale.objects.filter(pk=aftersale.pk).update(rejection_reason=reason, escalation_due_at=window_end)
    aftersale.rejection_reason, aftersale.escalation_due_at = reason, window_end


@transaction.atomic
def do_submit_return(aftersale_id: int, *, carrier: str, tracking_no: str, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.RETURN_SHIPMENT, acting_user=acting_user, now=now)
    carrier = check_text(carrier, field="carrier", max_chars=60)
    tracking_no = check_text(tracking_no, field="tracking_no", max_chars=60)
    set_timed_status(
        aftersale, Status.AWAITING_RECEIPT, action=Action.RETURN_SHIPMENT, now=now, due_at=now + policy.receipt()
    )
    AfterSale.objects.filter(pk=aftersale.pk).update(return_carrier=carrier, return_tracking_no=tracking_no)
    aftersale.return_carrier, aftersale.return_tracking_no = carrier, tracking_no
    record(
        aftersale,
        HistoryKind.RETURN_SHIPPED,
        actor=acting_user,
        party=party,
        now=now,
        body=f"{carrier} {tracking_no}",
        data={"carrier": carrier, "tracking_no": tracking_no},
    )
    publish(aftersale, "aftersale.return_shipped")
    return aftersale


@transaction.atomic
def do_confirm_receipt(aftersale_id: int, *, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.CONFIRM_RECEIPT, acting_user=acting_user, now=now)
    record(aftersale, HistoryKind.RECEIPT_CONFIRMED, actor=acting_user, party=party, now=now)
    set_status(aftersale, Status.REFUNDED, action=Action.CONFIRM_RECEIPT, now=now)
    make_refund(
        aftersale, aftersale.amount_fen, Refund.Source.RECEIPT_CONFIRMED, now=now, actor=acting_user, party=party
    )
    return aftersale


@transaction.atomic
def do_reject_receipt(aftersale_id: int, *, reason: str, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.REJECT_RECEIPT, acting_user=acting_user, now=now)
    reason = check_text(reason, field="reason", max_chars=500)
    _to_rejected(aftersale, Action.REJECT_RECEIPT, reason=reason, now=now)
    record(
        aftersale,
        HistoryKind.RECEIPT_REJECTED,
        actor=acting_user,
        party=party,
        now=now,
        body=reason,
        data={"escalation_due_at": aftersale.escalation_due_at.isoformat()},
    )
    publish(aftersale, "aftersale.rejected", reason=reason, after_return=True)
    return aftersale
