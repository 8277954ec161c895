"""Timeouts. Each is a compare-and-set on (status, due_at) under the row lock, so running it
twice, from the task queue and the sweeper at once, changes nothing the second time.

The timeouts that pile up by the hundred thousand when no worker ran are set-based: the evidence
timeout (超时未举证, `time_out_evidence`) and the supplement timeout (补充凭证超时,
`time_out_supplement`) apply to a batch of locked rows in a few statements, and so do the
"evidence due soon" reminders (`send_reminders`). The per-row paths (the deadline and reminder
tasks) call the same functions with one row, so each has one implementation. The sweeper claims
batches with FOR UPDATE SKIP LOCKED, so any number of sweepers share the work without waiting on
each other, and commits once per batch (`_in_batches`).
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import BooleanField, F, Func, Q

from sellerdesk.core.errors import Conflict
from sellerdesk.events.models import OutboxEvent
from sellerdesk.events.outbox import _SCOPE

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..models import AfterSale, Dispute, DisputeStatus, EvidenceRequest, HistoryKind, Party, Refund, Status
from ..states import TIMED_STATUSES, Action, deadline_passed
from .bulk import fan_out_many, insert_many, publish_many, record_many, set_status_many
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
    EvidenceRequest.objects.filter(dispute__aftersale_id__in=ids, state=EvidenceRequest.State.OPEN).update(
        state=EvidenceRequest.State.LAPSED, closed_at=now
    )
    Dispute.objects.filter(aftersale_id__in=ids).update(
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
    open_requests = EvidenceRequest.objects.filter(dispute__aftersale_id__in=ids, state=EvidenceRequest.State.OPEN)
    asked = dict(open_requests.values_list("dispute__aftersale_id", "party"))
    history = [(a, {"due_at": a.due_at.isoformat(), "party": asked.get(a.pk)}) for a in aftersales]
    open_requests.update(state=EvidenceRequest.State.LAPSED, closed_at=now)
    Dispute.objects.filter(aftersale_id__in=ids).update(status=DisputeStatus.PLATFORM_REVIEW)
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


def _in_batches(claim, apply, one_by_one, *, what: str) -> int:
    """The sweeper's loop: `claim(exclude)` locks a batch of rows no one else holds and says
    whether the batch was full, `apply(rows)` applies it set-based, one transaction per batch;
    until a batch comes back short (the rest, if any, are in another sweeper's open batch).

    A batch that fails for a reason other than the database going away is applied by
    `one_by_one(failed)` -> (fired, whether any row was seen), each row in its own transaction;
    rows that fail alone are added to `failed` and left for the next sweep. A dropped connection
    goes up to the worker."""
    fired, failed = 0, set()
    while True:
        try:
            with transaction.atomic():
                claimed, full = claim(failed)
                fired += apply(claimed)
        except DATABASE_GONE:
            raise
        except Exception:  # one bad row must not stop the others: find it by applying the batch row by row
            log.exception("batch %s failed; applying it row by row", what)
            fired_one_by_one, progressed = one_by_one(failed)
            fired += fired_one_by_one
            if not progressed:
                return fired
            continue
        if not full:
            return fired


def _sweep_set_based(status, *, now, batch: int) -> int:
    def claim(exclude):
        rows = claim_overdue(status, now=now, limit=batch, skip_locked=True, exclude=exclude)
        return rows, len(rows) == batch

    return _in_batches(
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


# ------------------------------------------------------------------------ evidence due soon, batched

# Where an open evidence request's after-sale waits.
AWAITING_EVIDENCE = (Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_AWAITING_SUPPLEMENT)


def _open_request() -> Func:
    """`state = 'open'` with the value written out, as in evidence_request_open_due's WHERE: SQLite
    uses a partial index only for the query's own terms, never for a bound parameter."""
    return Func(
        F("state"), template=f"%(expressions)s = '{EvidenceRequest.State.OPEN.value}'", output_field=BooleanField()
    )


class _MarkSent(Func):
    """reminders_sent (a JSON list of hours) holds `hours`. On PostgreSQL jsonb containment; SQLite
    has no JSON `contains` lookup, so json_each. `hours` is an int from the settings, never input."""

    output_field = BooleanField()

    def __init__(self, hours: int):
        self.hours = int(hours)
        super().__init__(F("reminders_sent"))

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template=f"(%(expressions)s @> '[{self.hours}]'::jsonb)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template=f"EXISTS (SELECT 1 FROM json_each(%(expressions)s) WHERE value = {self.hours})",
            **extra,
        )


def reminder_due(request: EvidenceRequest, now, marks=None) -> int | None:
    """The mark (hours before due_at) to remind the asked party of now, or None: the latest mark
    that has passed, if the request is still open, its deadline not passed, the mark had not passed
    yet when the request was made (as schedule_deadline skips it) and was not sent. A mark passed
    over while no worker ran (4 h, found at 30 min) is not sent late: the later one (1 h) is."""
    marks = policy.evidence_reminder_hours() if marks is None else marks
    if request.state != EvidenceRequest.State.OPEN or not now <= request.due_at:
        return None
    passed = [h for h in marks if request.due_at - timedelta(hours=h) <= now]
    if not passed:
        return None
    hours = min(passed)
    if request.due_at - timedelta(hours=hours) <= request.requested_at or hours in request.reminders_sent:
        return None
    return hours


def _reminders_due_q(now, marks) -> Q:
    """reminder_due(request, now) is not None, as a filter on EvidenceRequest (the sweep's read)."""
    marks = sorted(set(marks))
    due = Q()
    for i, hours in enumerate(marks):
        # this mark has passed, the next later one (a smaller number of hours) has not
        window = Q(due_at__lte=now + timedelta(hours=hours)) & (
            Q(due_at__gt=now + timedelta(hours=marks[i - 1])) if i else Q(due_at__gte=now)
        )
        due |= window & Q(requested_at__lt=F("due_at") - timedelta(hours=hours)) & ~_MarkSent(hours)
    return due


def reminder_candidates(now, *, exclude=()):
    """After-sales with a reminder due (their ids), read without a lock, soonest deadline first."""
    marks = policy.evidence_reminder_hours()
    if not marks:
        return EvidenceRequest.objects.none().values_list("dispute__aftersale_id", flat=True)
    # The partial index evidence_request_open_due reads the open requests due within the largest
    # mark, in order; only the ones with a reminder due are joined to their dispute. (No filter on
    # the after-sale's status here, which claim_reminders checks under the lock: SQLite without
    # ANALYZE figures read every waiting after-sale through aftersale_status_recent for it.)
    return (
        EvidenceRequest.objects.filter(
            _open_request(),
            _reminders_due_q(now, marks),
            due_at__gte=now,
            due_at__lte=now + timedelta(hours=max(marks)),
        )
        .exclude(dispute__aftersale_id__in=exclude)
        .order_by("due_at", "id")
        .values_list("dispute__aftersale_id", flat=True)
    )


def claim_reminders(aftersale_ids, *, now, skip_locked: bool) -> list[tuple[AfterSale, EvidenceRequest, int]]:
    """Lock these after-sales (skipping rows another transaction holds, with skip_locked) and
    return (after-sale, its open request, the mark due) for those whose reminder is due, read again
    under the lock: every writer of an evidence request holds its after-sale's lock."""
    if not aftersale_ids:
        return []
    locked = list(
        AfterSale.objects.select_for_update(skip_locked=skip_locked)
        .filter(pk__in=aftersale_ids, status__in=AWAITING_EVIDENCE)
        .only(*CLAIM_FIELDS)
        .order_by("id")
    )
    requests = {
        r.dispute.aftersale_id: r
        for r in EvidenceRequest.objects.filter(
            dispute__aftersale_id__in=[a.pk for a in locked], state=EvidenceRequest.State.OPEN
        )
        .select_related("dispute")
        .only("id", "party", "state", "due_at", "requested_at", "reminders_sent", "dispute__aftersale_id")
    }
    marks = policy.evidence_reminder_hours()
    claimed = []
    for aftersale in locked:
        request = requests.get(aftersale.pk)
        hours = reminder_due(request, now, marks) if request is not None else None
        if hours is not None:
            claimed.append((aftersale, request, hours))
    return claimed


def send_reminders(claimed: list[tuple[AfterSale, EvidenceRequest, int]]) -> int:
    """证据即将到期 for (after-sale, open request, mark) the caller has locked: each mark recorded
    as sent on its request (one UPDATE per distinct list, a batch has one or two), then one outbox
    event per request with the payload of common.publish, and their notifications."""
    from .reminders import TOPIC

    if not claimed:
        return 0
    by_list = defaultdict(list)
    for _aftersale, request, hours in claimed:
        request.reminders_sent = [*request.reminders_sent, hours]
        by_list[tuple(request.reminders_sent)].append(request.pk)
    for sent, ids in by_list.items():
        if EvidenceRequest.objects.filter(pk__in=ids, state=EvidenceRequest.State.OPEN).update(
            reminders_sent=list(sent)
        ) != len(ids):
            raise Conflict(Code.CONCURRENT_UPDATE)
    # bulk.publish_many with a payload per row (it takes one payload for all of its rows)
    events = []
    for aftersale, request, hours in claimed:
        data = {
            "aftersale_id": aftersale.pk,
            "number": aftersale.number,
            "status": aftersale.status,
            "shop_id": aftersale.shop_id,
            "buyer_id": aftersale.buyer_id,
            "hours_left": hours,
            "due_at": request.due_at.isoformat(),
            "party": request.party,
            "evidence_request_id": request.pk,
        }
        events.append(
            OutboxEvent(
                topic=TOPIC,
                aggregate_type="aftersale",
                aggregate_id=str(aftersale.pk),
                payload=data,
                holder_role="",
                **{k: data.get(k) for k in _SCOPE},
            )
        )
    fan_out_many(insert_many(OutboxEvent, events))
    return len(claimed)


def remind(evidence_request_id: int, hours_left: int, *, now) -> bool:
    """The reminder task's alarm: send this request's `hours_left` reminder if it is the one due
    (reminder_due). Checked first without a lock: after an outage most reminders are for requests
    that lapsed, were answered or were reminded by the sweeper, and those cost no row lock."""
    request = (
        EvidenceRequest.objects.filter(pk=evidence_request_id)
        .only("state", "due_at", "requested_at", "reminders_sent", "dispute__aftersale_id")
        .select_related("dispute")
        .first()
    )
    if request is None or reminder_due(request, now) != hours_left:
        return False
    with transaction.atomic():
        claimed = [
            c
            for c in claim_reminders([request.dispute.aftersale_id], now=now, skip_locked=False)
            if c[1].pk == evidence_request_id and c[2] == hours_left
        ]
        return send_reminders(claimed) == 1


def sweep_reminders(*, now, batch: int = SWEEP_BATCH) -> int:
    """The reminders that are due, in batches as the timeouts: the ones whose task the queue lost,
    or that a worker away through the mark missed. Returns the number sent."""
    seen = set()  # candidates already claimed (or skipped: another sweeper holds them)

    def claim(failed):
        ids = list(reminder_candidates(now, exclude=seen | failed)[:batch])
        seen.update(ids)
        return claim_reminders(ids, now=now, skip_locked=True), len(ids) == batch

    def one_by_one(failed):
        ids = list(reminder_candidates(now, exclude=failed)[:batch])
        sent = 0
        for aftersale_id in ids:
            try:
                with transaction.atomic():
                    sent += send_reminders(claim_reminders([aftersale_id], now=now, skip_locked=True))
            except DATABASE_GONE:
                raise
            except Exception:
                log.exception("reminder of after-sale %s failed", aftersale_id)
                failed.add(aftersale_id)
        return sent, bool(ids)

    return _in_batches(claim, send_reminders, one_by_one, what="evidence reminders")
