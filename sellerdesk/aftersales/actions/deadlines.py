"""Timeouts. Each is a compare-and-set on (status, due_at) under the row lock, so running it
twice, from the task queue and the sweeper at once, changes nothing the second time.

The evidence timeout (超时未举证), the one that piles up by the hundred thousand when no worker
ran, is set-based: `time_out_evidence` applies it to a batch of locked rows in a few statements,
and the per-row path (the deadline task) calls it with one row, so there is one implementation.
The sweeper claims batches with FOR UPDATE SKIP LOCKED, so any number of sweepers share the work
without waiting on each other, and commits once per batch.
"""
import logging

from django.db import InterfaceError, OperationalError, transaction

from ..models import AfterSale, Dispute, DisputeStatus, EvidenceRequest, HistoryKind, Party, Refund, Status
from ..states import TIMED_STATUSES, deadline_passed
from .bulk import publish_many, record_many, set_status_many
from .common import close_open_offers, make_refund, publish, record, refund_or_await_return, set_status

log = logging.getLogger(__name__)

SWEEP_BATCH = 1000
EVIDENCE_TIMED_OUT_BODY = "商家超时未举证,纠纷已转平台客服处理"
# A dropped connection or a database that is away is no bad row: going on row by row would fail on
# every row (16 s per 1,000 after a drop), so these go up to the worker, which backs off, reconnects
# and sweeps again (management/commands/worker.py).
DATABASE_GONE = (OperationalError, InterfaceError)
# What time_out_evidence reads of each after-sale: the CAS (version), the history (due_at), the event.
CLAIM_FIELDS = ("id", "status", "version", "due_at", "number", "shop_id", "buyer_id")


def _overdue(now) -> dict:
    """deadline_passed(aftersale, now) as a filter: met at due_at exactly, missed after it."""
    return {"due_at__isnull": False, "due_at__lt": now}


def claim_overdue(status, *, now, limit: int, skip_locked: bool, exclude=()) -> list[AfterSale]:
    """Lock up to `limit` after-sales in `status` whose deadline passed, oldest deadline first.
    With skip_locked, rows another transaction holds are left to it (PostgreSQL; SQLite's
    IMMEDIATE transactions already run one at a time and ignore FOR UPDATE)."""
    rows = (AfterSale.objects.select_for_update(skip_locked=skip_locked)
            .filter(status=status, **_overdue(now)).exclude(pk__in=exclude)
            .only(*CLAIM_FIELDS).order_by("due_at", "id"))
    return list(rows[:limit])


def time_out_evidence(aftersales: list[AfterSale], *, now) -> int:
    """超时未举证 for after-sales the caller has locked, each in DISPUTE_AWAITING_EVIDENCE with its
    deadline passed: recorded as "no evidence", and the dispute goes to platform CS."""
    if not aftersales:
        return 0
    ids = [a.pk for a in aftersales]
    history = [(a, {"due_at": a.due_at.isoformat()}) for a in aftersales]  # before set_status clears due_at
    EvidenceRequest.objects.filter(dispute__aftersale_id__in=ids, state=EvidenceRequest.State.OPEN).update(
        state=EvidenceRequest.State.LAPSED, closed_at=now)
    Dispute.objects.filter(aftersale_id__in=ids).update(
        status=DisputeStatus.PLATFORM_REVIEW, timed_out=True, review_started_at=now)
    set_status_many(aftersales, Status.DISPUTE_PLATFORM_REVIEW, now=now)
    record_many(history, HistoryKind.EVIDENCE_TIMED_OUT, body=EVIDENCE_TIMED_OUT_BODY, actor=None,
                party=Party.SYSTEM, now=now)
    publish_many(aftersales, "dispute.timed_out")
    return len(aftersales)


def apply_timeout(aftersale_id: int, *, now) -> bool:
    """Apply the current state's timeout if its deadline has passed. Returns True if it did."""
    # Read first without a lock: most alarms ring for a deadline the sweeper already applied or
    # a state that moved on, and those must not queue behind (or block) the row's lock.
    current = AfterSale.objects.filter(pk=aftersale_id).values("status", "due_at").first()
    if current is None or current["status"] not in TIMED_STATUSES or \
            not deadline_passed(AfterSale(due_at=current["due_at"]), now):
        return False
    return _apply_timeout_locked(aftersale_id, now=now)


@transaction.atomic
def _apply_timeout_locked(aftersale_id: int, *, now) -> bool:
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
        time_out_evidence([aftersale], now=now)
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


def sweep(*, now, batch: int = SWEEP_BATCH) -> int:
    """Fire every timeout that is due: catches what the task queue lost or a worker missed."""
    fired = sweep_evidence(now=now, batch=batch)
    return fired + _sweep_row_by_row(now=now, batch=batch)


def sweep_evidence(*, now, batch: int = SWEEP_BATCH) -> int:
    """Evidence timeouts in batches: claim up to `batch` overdue rows no one else holds, apply
    them set-based, commit; until none is left. Two sweepers take disjoint batches."""
    fired, failed = 0, set()
    while True:
        try:
            with transaction.atomic():
                claimed = claim_overdue(Status.DISPUTE_AWAITING_EVIDENCE, now=now, limit=batch, skip_locked=True,
                                        exclude=failed)
                fired += time_out_evidence(claimed, now=now)
        except DATABASE_GONE:
            raise
        except Exception:  # one bad row must not stop the others: find it by applying the batch row by row
            log.exception("batch evidence timeout failed; applying it row by row")
            fired_one_by_one, progressed = _row_by_row(Status.DISPUTE_AWAITING_EVIDENCE, now=now, batch=batch,
                                                       failed=failed)
            fired += fired_one_by_one
            if not progressed:
                return fired
            continue
        if len(claimed) < batch:  # the rest, if any, are in another sweeper's open batch
            return fired


def _row_by_row(status, *, now, batch: int, failed: set) -> tuple[int, bool]:
    """Up to `batch` overdue after-sales in `status`, each in its own transaction; the ones that
    fail are added to `failed` (retried next sweep). Returns (fired, whether any row was seen)."""
    due_ids = list(AfterSale.objects.filter(status=status, **_overdue(now)).exclude(pk__in=failed)
                   .order_by("due_at", "id").values_list("id", flat=True)[:batch])
    fired = 0
    for aftersale_id in due_ids:
        try:
            fired += apply_timeout(aftersale_id, now=now)
        except DATABASE_GONE:
            raise
        except Exception:
            log.exception("timeout of after-sale %s failed", aftersale_id)
            failed.add(aftersale_id)
    return fired, bool(due_ids)


def _sweep_row_by_row(*, now, batch: int) -> int:
    """The other timeouts (refunds, order locks, new deadlines) go through the per-row action."""
    fired = 0
    for status in TIMED_STATUSES:
        if status == Status.DISPUTE_AWAITING_EVIDENCE:
            continue
        failed = set()
        while True:
            fired_now, seen = _row_by_row(status, now=now, batch=batch, failed=failed)
            fired += fired_now
            if not seen or not fired_now:  # nothing left, or only rows another worker is applying
                break
    return fired
