"""证据即将到期: remind the party asked for evidence 4 h and 1 h before its window closes.

Not a state change, so no history entry. Each reminder is sent at most once per evidence
request: which marks were sent is kept on the request itself (`reminders_sent`), checked and
written under the after-sale's row lock. The sweeper sends the reminders that are due in batches
(`sweep_reminders`); the reminder task's alarm (`remind`) is the same path with one row, and a
reminder for a request that was answered, lapsed or superseded is a no-op that costs no lock.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import BooleanField, F, Func, Q

from sellerdesk.core.errors import Conflict

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..models import AfterSale, EvidenceDraft, EvidenceRequest, Status
from .batches import CLAIM_FIELDS, DATABASE_GONE, SWEEP_BATCH, in_batches, log
from .bulk import publish_each

TOPIC = "dispute.evidence_due_soon"

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
        for r in EvidenceRequest.objects.open()
        .of([a.pk for a in locked])
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
    if not claimed:
        return 0
    by_list = defaultdict(list)
    for _aftersale, request, hours in claimed:
        request.reminders_sent = [*request.reminders_sent, hours]
        by_list[tuple(request.reminders_sent)].append(request.pk)
    for sent, ids in by_list.items():
        if EvidenceRequest.objects.open().filter(pk__in=ids).update(reminders_sent=list(sent)) != len(ids):
            raise Conflict(Code.CONCURRENT_UPDATE)
    drafts = _draft_authors([request.pk for _aftersale, request, _hours in claimed])
    publish_each(
        TOPIC,
        [
            (
                aftersale,
                {
                    "hours_left": hours,
                    "due_at": request.due_at.isoformat(),
                    "party": request.party,
                    "evidence_request_id": request.pk,
                    # who has an unsubmitted draft for it: their notice says so (events/notices.py)
                    "draft_author_ids": drafts.get(request.pk, []),
                },
            )
            for aftersale, request, hours in claimed
        ],
    )
    return len(claimed)


def _draft_authors(request_ids) -> dict[int, list[int]]:
    """The authors of the evidence drafts of these requests (凭证草稿 not yet submitted)."""
    authors = defaultdict(list)
    rows = EvidenceDraft.objects.filter(request_id__in=request_ids).order_by("author_id")
    for request_id, author_id in rows.values_list("request_id", "author_id"):
        authors[request_id].append(author_id)
    return authors


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

    return in_batches(claim, send_reminders, one_by_one, what="evidence reminders")
