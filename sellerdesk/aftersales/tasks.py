"""Deadline tasks: thin, they call the actions. The row's due_at is the truth; a task is only
the alarm clock, and the sweeper catches any alarm the queue lost."""

from datetime import timedelta

from django_tasks import task

from sellerdesk.core import clock

from . import policy
from .actions.deadlines import apply_timeout, remind, sweep, sweep_reminders
from .models import EvidenceRequest, Status


@task()
def fire_deadline(aftersale_id: int) -> bool:
    return apply_timeout(aftersale_id, now=clock.now())


@task()
def evidence_due_soon(evidence_request_id: int, hours_left: int) -> bool:
    # The sweeper's batch path with one row (actions.deadlines.send_reminders): no double when both ring.
    return remind(evidence_request_id, hours_left, now=clock.now())


@task()
def sweep_deadlines() -> int:
    """The timeouts that are due, then the reminders (both in batches). Returns the timeouts fired."""
    now = clock.now()
    fired = sweep(now=now)
    sweep_reminders(now=now)
    return fired


def schedule_deadline(aftersale) -> None:
    """Queue the timeout of the after-sale's current state, in the caller's transaction."""
    # A deadline is met at due_at exactly, so the alarm rings one second after it.
    fire_deadline.using(run_after=aftersale.due_at + timedelta(seconds=1)).enqueue(aftersale.pk)
    if aftersale.status in (Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_AWAITING_SUPPLEMENT):
        request = EvidenceRequest.objects.filter(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN).first()
        for hours in policy.evidence_reminder_hours() if request else ():
            remind_at = request.due_at - timedelta(hours=hours)
            if remind_at > aftersale.updated_at:  # a mark already passed when the window opened is skipped
                evidence_due_soon.using(run_after=remind_at).enqueue(request.pk, hours)
