"""Timeouts. Each is a compare-and-set on (status, due_at) under the row lock, so running it
twice, from the task queue and the sweeper at once, changes nothing the second time."""
import logging

from django.db import transaction

from ..models import AfterSale, Dispute, DisputeStatus, EvidenceRequest, HistoryKind, Party, Refund, Status
from ..states import TIMED_STATUSES, deadline_passed
from .common import close_open_offers, make_refund, publish, record, refund_or_await_return, set_status

log = logging.getLogger(__name__)


@transaction.atomic
def apply_timeout(aftersale_id: int, *, now) -> bool:
    """Apply the current state's timeout if its deadline has passed. Returns True if it did."""
    aftersale = AfterSale.objects.select_for_update().filter(pk=aftersale_id).first()
    if aftersale is None or aftersale.status not in TIMED_STATUSES or not deadline_passed(aftersale, now):
        return False
    status = aftersale.status
    sys = {"actor": None, "party": Party.SYSTEM, "now": now}
    data = {"due_at": aftersale.due_at.isoformat()}
    if status == Status.AWAITING_MERCHANT:
        record(aftersale, HistoryKind.AUTO_APPROVED, data=data, **sys)
        refund_or_await_return(aftersale, Refund.Source.AUTO_APPROVED, now=now, actor=None, party=Party.SYSTEM)
        publish(aftersale, "aftersale.auto_approved")
    elif status == Status.AWAITING_RETURN:
        record(aftersale, HistoryKind.RETURN_TIMED_OUT, data=data, **sys)
        set_status(aftersale, Status.CLOSED, now=now)
        publish(aftersale, "aftersale.closed", reason="return_timed_out")
    elif status == Status.AWAITING_RECEIPT:
        record(aftersale, HistoryKind.RECEIPT_AUTO_CONFIRMED, data=data, **sys)
        set_status(aftersale, Status.REFUNDED, now=now)
        make_refund(aftersale, aftersale.amount_fen, Refund.Source.RECEIPT_CONFIRMED, now=now)
    elif status == Status.MERCHANT_REJECTED:
        record(aftersale, HistoryKind.ESCALATION_WINDOW_CLOSED, data=data, **sys)
        close_open_offers(aftersale, now=now)
        set_status(aftersale, Status.CLOSED, now=now)
        publish(aftersale, "aftersale.closed", reason="escalation_window_closed")
    elif status == Status.DISPUTE_AWAITING_EVIDENCE:
        # 超时未举证: recorded as "no evidence", and the dispute goes to platform CS.
        EvidenceRequest.objects.filter(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN).update(
            state=EvidenceRequest.State.LAPSED, closed_at=now)
        Dispute.objects.filter(aftersale=aftersale).update(
            status=DisputeStatus.PLATFORM_REVIEW, timed_out=True, review_started_at=now)
        set_status(aftersale, Status.DISPUTE_PLATFORM_REVIEW, now=now)
        record(aftersale, HistoryKind.EVIDENCE_TIMED_OUT, body="商家超时未举证,纠纷已转平台客服处理", data=data, **sys)
        publish(aftersale, "dispute.timed_out")
    elif status == Status.DISPUTE_AWAITING_SUPPLEMENT:
        request = EvidenceRequest.objects.filter(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN).first()
        EvidenceRequest.objects.filter(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN).update(
            state=EvidenceRequest.State.LAPSED, closed_at=now)
        Dispute.objects.filter(aftersale=aftersale).update(status=DisputeStatus.PLATFORM_REVIEW)
        set_status(aftersale, Status.DISPUTE_PLATFORM_REVIEW, now=now)
        record(aftersale, HistoryKind.SUPPLEMENT_TIMED_OUT, data={**data, "party": request.party if request else None},
               **sys)
        publish(aftersale, "dispute.supplement_timed_out")
    return True


def sweep(*, now, batch: int = 500) -> int:
    """Fire every timeout that is due: catches what the task queue lost or a worker missed."""
    fired = 0
    while True:
        due_ids = list(
            AfterSale.objects.filter(status__in=TIMED_STATUSES, due_at__lt=now)
            .order_by("due_at").values_list("id", flat=True)[:batch]
        )
        if not due_ids:
            return fired
        progressed = False
        for aftersale_id in due_ids:
            try:
                if apply_timeout(aftersale_id, now=now):
                    fired += 1
                    progressed = True
            except Exception:  # one bad row must not stop the others; it is retried next sweep
                log.exception("timeout of after-sale %s failed", aftersale_id)
        if not progressed or len(due_ids) < batch:
            return fired
