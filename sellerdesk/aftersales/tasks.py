"""Deadline tasks: thin, they call the actions. The row's due_at is the truth; a task is only
the alarm clock, and the sweeper catches any alarm the queue lost."""
from datetime import timedelta

from django_tasks import task

from sellerdesk.core import clock

from . import policy
from .actions.deadlines import apply_timeout, sweep
from .actions.reminders import remind_evidence_due
from .models import Status


@task()
def fire_deadline(aftersale_id: int) -> bool:
    return apply_timeout(aftersale_id, now=clock.now())


@task()
def evidence_due_soon(aftersale_id: int) -> bool:
    return remind_evidence_due(aftersale_id, now=clock.now())


@task()
def sweep_deadlines() -> int:
    return sweep(now=clock.now())


def schedule_deadline(aftersale) -> None:
    """Queue the timeout of the after-sale's current state, in the caller's transaction."""
    # A deadline is met at due_at exactly, so the alarm rings one second after it.
    fire_deadline.using(run_after=aftersale.due_at + timedelta(seconds=1)).enqueue(aftersale.pk)
    if aftersale.status in (Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_AWAITING_SUPPLEMENT):
        remind_at = aftersale.due_at - policy.evidence_due_soon()
        if remind_at > aftersale.updated_at:
            evidence_due_soon.using(run_after=remind_at).enqueue(aftersale.pk)
