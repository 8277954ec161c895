"""Money tasks: thin, they call the actions. The rows are the truth (an instruction's state and
next_attempt_at, a withdrawal's held_until); a task is only the alarm clock, and sweep_money
(run by the worker's sweeper) catches whatever the queue lost or a dead worker left half done."""

from django_tasks import task

from sellerdesk.core import clock

from . import policy
from .actions.instructions import process_instruction, run_due_instructions
from .actions.withdrawals import do_release_due_withdrawals, do_release_withdrawal


@task()
def send_rail_instruction(instruction_id: int) -> str | None:
    return process_instruction(instruction_id)


@task()
def release_withdrawal(withdrawal_id: int) -> bool:
    return do_release_withdrawal(withdrawal_id, now=clock.now())


def schedule_release(withdrawal) -> None:
    """Queue the end of a withdrawal's cool-off hold, in the caller's transaction."""
    release_withdrawal.using(run_after=withdrawal.held_until + policy.payout_cooloff_release_delay()).enqueue(
        withdrawal.pk
    )


def sweep_money(*, now=None) -> int:
    """Release the holds that ended, then send every due or abandoned rail instruction."""
    released = do_release_due_withdrawals(now=now or clock.now())
    return released + run_due_instructions(now=now, limit=policy.rail_sweep_batch())
