"""Deadline tasks: thin, they call the actions. The row's due_at is the truth; a task is only
the alarm clock, and the sweeper catches any alarm the queue lost."""
from datetime import timedelta

from django_tasks import task

from sellerdesk.core import clock

from .actions.deadlines import apply_timeout, sweep


@task()
def fire_deadline(aftersale_id: int) -> bool:
    return apply_timeout(aftersale_id, now=clock.now())


@task()
def sweep_deadlines() -> int:
    return sweep(now=clock.now())


def schedule_deadline(aftersale) -> None:
    """Queue the timeout of the after-sale's current state, in the caller's transaction."""
    # A deadline is met at due_at exactly, so the alarm rings one second after it.
    fire_deadline.using(run_after=aftersale.due_at + timedelta(seconds=1)).enqueue(aftersale.pk)
