"""The deadline engine: the timeouts of the transition table, the sweeper, and the alarms.

Each timeout is a compare-and-set on (status, due_at) under the row lock, so running it twice,
from the task queue and the sweeper at once, changes nothing the second time.

The timeouts that pile up by the hundred thousand when no worker ran are set-based: the evidence
timeout (超时未举证, `time_out_evidence`) and the supplement timeout (补充凭证超时,
`time_out_supplement`) apply to a batch of locked rows in a few statements (batches.py). The
per-row path (the deadline task) calls the same functions with one row, so each has one
implementation. The sweeper claims batches with FOR UPDATE SKIP LOCKED, so any number of
sweepers share the work without waiting on each other, and commits once per batch.

This module owns the alarms too: a move into a state that ends by itself goes through
`set_timed_status`, which queues the deadline task (and the evidence reminders) in the caller's
transaction. The row's due_at is the truth; a task is only the alarm clock, and the sweeper
catches any alarm the queue lost.
"""

from datetime import timedelta

from django.db import transaction
from django_tasks import task

from sellerdesk.core import clock

from .. import policy
from ..models import AfterSale, Dispute, DisputeStatus, EvidenceRequest, HistoryKind, Party, Refund, Status
from ..states import TIMED_STATUSES, Action, Choice, deadline_passed, resolve
from .batches import CLAIM_FIELDS, DATABASE_GONE, SWEEP_BATCH, in_batches, log
from .bulk import publish_many, record_many, set_status_many
from .common import close_open_offers, make_refund, publish, record, set_status
from .reminders import remind, sweep_reminders

EVIDENCE_TIMED_OUT_BODY = "商家超时未举证，纠纷已转平台客服处理"


def _overdue(now) -> dict:
    """deadline_passed(aftersale, now) as a filter: met at due_at exactly, missed after it."""
    return {"due_at__isnull": False, "due_at__lt": now}


def claim_overdue(status, *, now, limit: int, skip_locked: bool, exclude=()) -> list[AfterSale]:
    """Lock up to `limit` after-sales in `status` whose deadline passed, oldest deadline first.
    With skip_locked, rows another transaction holds are left to it (PostgreSQL; SQLite's
    IMMEDIATE transactions already run one at a time and ignore FOR UPDATE)."""
    rows = (
        AfterSale.objects.select_for_update(skip_locked=skip_locked)
        .filter(status=status, **_overdue(now))
        .exclude(pk__in=exclude)
        .only(*CLAIM_FIELDS)
        .order_by("due_at", "id")
    )
    return list(rows[:limit])


def time_out_evidence(aftersales: list[AfterSale], *, now) -> int:
    """超时未举证 for after-sales the caller has locked, each in DISPUTE_AWAITING_EVIDENCE with its
    deadline passed: recorded as "no evidence", and the dispute goes to platform CS."""
    if not aftersales:
        return 0
    ids = [a.pk for a in aftersales]
    history = [(a, {"due_at": a.due_at.isoformat()}) for a in aftersales]  # before set_status clears due_at
    EvidenceRequest.objects.open().of(ids).update(state=EvidenceRequest.State.LAPSED, closed_at=now)
    Dispute.objects.filter(pk__in=[a.dispute_id for a in aftersales]).update(
        status=DisputeStatus.PLATFORM_REVIEW, timed_out=True, review_started_at=now
    )
    set_status_many(aftersales, Status.DISPUTE_PLATFORM_REVIEW, action=Action.TIME_OUT, now=now)
    record_many(
        history, HistoryKind.EVIDENCE_TIMED_OUT, body=EVIDENCE_TIMED_OUT_BODY, actor=None, party=Party.SYSTEM, now=now
    )
    publish_many(aftersales, "dispute.timed_out")
    return len(aftersales)


def time_out_supplement(aftersales: list[AfterSale], *, now) -> int:
    """补充凭证超时 for after-sales the caller has locked, each in DISPUTE_AWAITING_SUPPLEMENT with
    its deadline passed: the open request lapses and the dispute goes back to platform CS."""
    if not aftersales:
        return 0
    ids = [a.pk for a in aftersales]
    open_requests = EvidenceRequest.objects.open().of(ids)
    asked = dict(open_requests.values_list("dispute__aftersale_id", "party"))
    history = [(a, {"due_at": a.due_at.isoformat(), "party": asked.get(a.pk)}) for a in aftersales]
    open_requests.update(state=EvidenceRequest.State.LAPSED, closed_at=now)
    Dispute.objects.filter(pk__in=[a.dispute_id for a in aftersales]).update(status=DisputeStatus.PLATFORM_REVIEW)
    set_status_many(aftersales, Status.DISPUTE_PLATFORM_REVIEW, action=Action.TIME_OUT, now=now)
    record_many(history, HistoryKind.SUPPLEMENT_TIMED_OUT, actor=None, party=Party.SYSTEM, now=now)
    publish_many(aftersales, "dispute.supplement_timed_out")
    return len(aftersales)


def apply_timeout(aftersale_id: int, *, now) -> bool:
    """Apply the current state's timeout if its deadline has passed. Returns True if it did."""
    # Read first without a lock: most alarms ring for a deadline the sweeper already applied or
    # a state that moved on, and those must not queue behind (or block) the row's lock.
    current = AfterSale.objects.filter(pk=aftersale_id).values("status", "due_at").first()
    if (
        current is None
        or current["status"] not in TIMED_STATUSES
        or not deadline_passed(AfterSale(due_at=current["due_at"]), now)
    ):
        return False
    return _apply_timeout_locked(aftersale_id, now=now)


@transaction.atomic
def _apply_timeout_locked(aftersale_id: int, *, now) -> bool:
    aftersale = AfterSale.objects.select_for_update().filter(pk=aftersale_id).first()
    if aftersale is None or aftersale.status not in TIMED_STATUSES or not deadline_passed(aftersale, now):
        return False
    TIMEOUT_EFFECTS[aftersale.status]([aftersale], now=now)
    return True


# What each timeout of the table (states.TABLE[Action.TIME_OUT], which says where it leads) does
# besides moving the state: history, refunds, events. Each takes a list of locked, overdue rows.
def _auto_approve(aftersales, *, now) -> int:
    for a in aftersales:  # 超时自动同意
        record(a, HistoryKind.AUTO_APPROVED, data={"due_at": a.due_at.isoformat()}, **_system(now))
        refund_or_await_return(
            a, Refund.Source.AUTO_APPROVED, action=Action.TIME_OUT, now=now, actor=None, party=Party.SYSTEM
        )
        publish(a, "aftersale.auto_approved")
    return len(aftersales)


def _return_timed_out(aftersales, *, now) -> int:
    for a in aftersales:  # 买家超时未退货
        record(a, HistoryKind.RETURN_TIMED_OUT, data={"due_at": a.due_at.isoformat()}, **_system(now))
        set_status(a, Status.CLOSED, action=Action.TIME_OUT, now=now)
        publish(a, "aftersale.closed", reason="return_timed_out")
    return len(aftersales)


def _receipt_auto_confirmed(aftersales, *, now) -> int:
    for a in aftersales:  # 超时自动确认收货
        record(a, HistoryKind.RECEIPT_AUTO_CONFIRMED, data={"due_at": a.due_at.isoformat()}, **_system(now))
        set_status(a, Status.REFUNDED, action=Action.TIME_OUT, now=now)
        make_refund(a, a.amount_fen, Refund.Source.RECEIPT_CONFIRMED, now=now)
    return len(aftersales)


def _escalation_window_closed(aftersales, *, now) -> int:
    for a in aftersales:  # 逾期未申请平台介入
        record(a, HistoryKind.ESCALATION_WINDOW_CLOSED, data={"due_at": a.due_at.isoformat()}, **_system(now))
        close_open_offers(a, now=now)
        set_status(a, Status.CLOSED, action=Action.TIME_OUT, now=now)
        publish(a, "aftersale.closed", reason="escalation_window_closed")
    return len(aftersales)


def _system(now) -> dict:
    return {"actor": None, "party": Party.SYSTEM, "now": now}


TIMEOUT_EFFECTS = {
    Status.AWAITING_MERCHANT: _auto_approve,
    Status.AWAITING_RETURN: _return_timed_out,
    Status.AWAITING_RECEIPT: _receipt_auto_confirmed,
    Status.MERCHANT_REJECTED: _escalation_window_closed,
    Status.DISPUTE_AWAITING_EVIDENCE: time_out_evidence,
    Status.DISPUTE_AWAITING_SUPPLEMENT: time_out_supplement,
}
assert set(TIMEOUT_EFFECTS) == set(TIMED_STATUSES), "every timeout row of the table has its effects"
# The timeouts swept set-based in batches; the others (refunds, new deadlines) go row by row.
SET_BASED = (Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_AWAITING_SUPPLEMENT)


def sweep(*, now, batch: int = SWEEP_BATCH) -> int:
    """Fire every timeout that is due: catches what the task queue lost or a worker missed.
    Returns the number fired. It touches only requests whose deadline passed; the reminders that
    are due go out through sweep_reminders, which the sweeper runs after it."""
    fired = sweep_evidence(now=now, batch=batch) + sweep_supplements(now=now, batch=batch)
    return fired + _sweep_row_by_row(now=now, batch=batch)


def _sweep_set_based(status, *, now, batch: int) -> int:
    def claim(exclude):
        rows = claim_overdue(status, now=now, limit=batch, skip_locked=True, exclude=exclude)
        return rows, len(rows) == batch

    return in_batches(
        claim,
        lambda rows: TIMEOUT_EFFECTS[status](rows, now=now),
        lambda failed: _row_by_row(status, now=now, batch=batch, failed=failed),
        what=f"timeout of {status}",
    )


def sweep_evidence(*, now, batch: int = SWEEP_BATCH) -> int:
    """Evidence timeouts in batches: claim up to `batch` overdue rows no one else holds, apply
    them set-based, commit; until none is left. Two sweepers take disjoint batches."""
    return _sweep_set_based(Status.DISPUTE_AWAITING_EVIDENCE, now=now, batch=batch)


def sweep_supplements(*, now, batch: int = SWEEP_BATCH) -> int:
    """Supplement timeouts (补充凭证超时), in batches as sweep_evidence."""
    return _sweep_set_based(Status.DISPUTE_AWAITING_SUPPLEMENT, now=now, batch=batch)


def _row_by_row(status, *, now, batch: int, failed: set) -> tuple[int, bool]:
    """Up to `batch` overdue after-sales in `status`, each in its own transaction; the ones that
    fail are added to `failed` (retried next sweep). Returns (fired, whether any row was seen)."""
    due_ids = list(
        AfterSale.objects.filter(status=status, **_overdue(now))
        .exclude(pk__in=failed)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:batch]
    )
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
        if status in SET_BASED:
            continue
        failed = set()
        while True:
            fired_now, seen = _row_by_row(status, now=now, batch=batch, failed=failed)
            fired += fired_now
            if not seen or not fired_now:  # nothing left, or only rows another worker is applying
                break
    return fired


# ------------------------------------------------------------------------ the alarms


def set_timed_status(aftersale: AfterSale, status, *, action: Action, now, due_at) -> None:
    """set_status into a state that ends by itself at `due_at`, and queue its alarm."""
    set_status(aftersale, status, action=action, now=now, due_at=due_at)
    schedule_deadline(aftersale)


def schedule_deadline(aftersale: AfterSale) -> None:
    """Queue the timeout of the after-sale's current state, in the caller's transaction."""
    # A deadline is met at due_at exactly, so the alarm rings one second after it.
    fire_deadline.using(run_after=aftersale.due_at + timedelta(seconds=1)).enqueue(aftersale.pk)
    if aftersale.status in (Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_AWAITING_SUPPLEMENT):
        request = EvidenceRequest.objects.open().of(aftersale).first()
        for hours in policy.evidence_reminder_hours() if request else ():
            remind_at = request.due_at - timedelta(hours=hours)
            if remind_at > aftersale.updated_at:  # a mark already passed when the window opened is skipped
                evidence_due_soon.using(run_after=remind_at).enqueue(request.pk, hours)


def refund_or_await_return(aftersale: AfterSale, source, *, action: Action, now, actor, party) -> None:
    """The merchant (or the system for them) agreed: refund now, or wait for the goods first
    (states.Choice.REFUND_OR_AWAIT_RETURN decides which)."""
    if resolve(Choice.REFUND_OR_AWAIT_RETURN, aftersale) == Status.AWAITING_RETURN:
        set_timed_status(
            aftersale, Status.AWAITING_RETURN, action=action, now=now, due_at=now + policy.return_shipment()
        )
        return
    set_status(aftersale, Status.REFUNDED, action=action, now=now)
    make_refund(aftersale, aftersale.amount_fen, source, now=now, actor=actor, party=party)


@task()
def fire_deadline(aftersale_id: int) -> bool:
    return apply_timeout(aftersale_id, now=clock.now())


@task()
def evidence_due_soon(evidence_request_id: int, hours_left: int) -> bool:
    # The sweeper's batch path with one row (reminders.send_reminders): no double when both ring.
    return remind(evidence_request_id, hours_left, now=clock.now())


@task()
def sweep_deadlines() -> int:
    """The timeouts that are due, then the reminders (both in batches). Returns the timeouts fired."""
    now = clock.now()
    fired = sweep(now=now)
    sweep_reminders(now=now)
    return fired
