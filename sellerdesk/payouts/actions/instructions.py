"""Rail instructions: money SellerDesk decided to move, sent by the worker after commit, once.

- order_instruction(): inside the deciding action's transaction, the row and the task that sends
  it (django-tasks-db writes the task row in the same transaction: a rollback sends nothing).
- process_instruction(): the worker. Claim (a short transaction: state sending, a lease and a
  fencing token), call the rail outside any transaction, record the answer in a new transaction
  that also tells the owner (refund, withdrawal or account change) and writes its events.
- run_due_instructions(): the sweeper's part: every due instruction, and those a worker claimed
  and never recorded (its lease expired). They are re-sent with the same reference, so the rail
  answers with the transfer it may already have made, never a second one.
- requeue_instruction(): a failed instruction sent again, same reference (CS 重新退款).

Lock order when recording: the instruction, then the owner's rows (wallet → withdrawal / change;
refund). Nothing here calls the rail while a transaction is open.
"""

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from sellerdesk.core import clock

from .. import policy
from ..models import InstructionKind, InstructionState, RailInstruction
from ..rails import RailRejected, RailUnavailable, get_rail

log = logging.getLogger(__name__)
Kind, State = InstructionKind, InstructionState


def order_instruction(
    kind: str,
    *,
    reference: str,
    amount_fen: int,
    now,
    account=None,
    order=None,
    refund=None,
    withdrawal=None,
    change=None,
) -> RailInstruction:
    """Write the instruction and queue its send. Must run inside the transaction of the decision."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_instruction() must run inside the transaction of the decision it carries out")
    instruction = RailInstruction.objects.create(
        kind=kind,
        reference=reference,
        amount_fen=amount_fen,
        account=account,
        order=order,
        refund=refund,
        withdrawal=withdrawal,
        change=change,
        state=State.PENDING,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    _enqueue(instruction)
    return instruction


def _enqueue(instruction, run_after=None) -> None:
    from ..tasks import send_rail_instruction

    task = send_rail_instruction if run_after is None else send_rail_instruction.using(run_after=run_after)
    task.enqueue(instruction.pk)


def due_q(now) -> Q:
    """Due for a send: pending and its time has come, or claimed by a worker whose lease expired."""
    return Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, lease_until__lt=now)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: about 5 s, 30 s, 3 min, 18 min, 1.8 h, then the cap (6 h)."""
    base, cap = policy.rail_retry_base().total_seconds(), policy.rail_retry_cap().total_seconds()
    seconds = min(base * 6 ** min(max(attempts - 1, 0), 12), cap)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not a secret)


@dataclass(frozen=True)
class Outcome:
    """What the rail answered to one send."""

    sent: bool = False
    transfer_id: str = ""
    code: str = ""  # a rejection's code
    message: str = ""
    transient: bool = False
    maybe_sent: bool = False


def claim_instruction(instruction_id: int, *, now) -> RailInstruction | None:
    """Take a due instruction for this worker, in a short transaction of its own. None when it is
    not due or another worker holds it (its row lock is skipped on PostgreSQL, not waited for)."""
    with transaction.atomic():
        instruction = (
            RailInstruction.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account", "order")
            .filter(due_q(now), pk=instruction_id)
            .first()
        )
        if instruction is None:
            return None
        if instruction.state == State.SENDING:
            # Its worker died or hung after claiming it: the rail may already have the transfer.
            instruction.maybe_sent = True
        instruction.state = State.SENDING
        instruction.attempts += 1
        instruction.lease_token = uuid.uuid4().hex
        instruction.lease_until = now + policy.rail_lease()
        instruction.updated_at = now
        instruction.save(update_fields=["state", "attempts", "lease_token", "lease_until", "maybe_sent", "updated_at"])
    return instruction


def send_claimed(instruction: RailInstruction) -> Outcome:
    """Call the rail for a claimed instruction. Holds no transaction; never raises."""
    from .changes import account_ref

    rail = get_rail()
    try:
        if instruction.kind == Kind.REFUND:
            sent = rail.refund(
                order_no=instruction.order.order_no, amount_fen=instruction.amount_fen, reference=instruction.reference
            )
        elif instruction.kind == Kind.PAYOUT:
            sent = rail.send_payout(
                account_ref(instruction.account), amount_fen=instruction.amount_fen, reference=instruction.reference
            )
        else:
            sent = rail.send_micro_deposit(
                account_ref(instruction.account), amount_fen=instruction.amount_fen, reference=instruction.reference
            )
    except RailRejected as exc:
        return Outcome(code=exc.code, message=exc.message)
    except RailUnavailable as exc:
        return Outcome(transient=True, maybe_sent=exc.maybe_sent, message=str(exc))
    except Exception as exc:  # an adapter's bug or an unexpected network error: we cannot tell whether it sent
        log.exception("rail call failed for instruction %s (%s)", instruction.pk, instruction.reference)
        return Outcome(transient=True, maybe_sent=True, message=type(exc).__name__)
    return Outcome(sent=True, transfer_id=sent.transfer_id or sent.reference)


def record_outcome(claimed: RailInstruction, outcome: Outcome, *, now) -> str:
    """Write the rail's answer, and tell the owner in the same transaction. Returns `succeeded`,
    `failed`, `retrying`, or `stale` when the claim is no longer this worker's (its lease expired
    and another worker re-sent it; that one records)."""
    with transaction.atomic():
        instruction = RailInstruction.objects.select_for_update().get(pk=claimed.pk)
        if instruction.state != State.SENDING or instruction.lease_token != claimed.lease_token:
            log.info("instruction %s: stale claim, result left to the current one", instruction.pk)
            return "stale"
        instruction.lease_until, instruction.lease_token, instruction.updated_at = None, "", now
        if outcome.sent:
            instruction.state, instruction.transfer_id, instruction.succeeded_at = (
                State.SUCCEEDED,
                outcome.transfer_id,
                now,
            )
        elif not outcome.transient:
            _mark_failed(instruction, outcome.code, outcome.message, now)
        else:
            instruction.maybe_sent = instruction.maybe_sent or outcome.maybe_sent
            instruction.last_error = outcome.message[:300]
            if instruction.attempts >= policy.rail_max_attempts() and not instruction.maybe_sent:
                _mark_failed(instruction, "rail_unavailable", outcome.message, now)
            else:
                # A send that may have reached the rail keeps being retried: only the rail's answer
                # to a re-send (the transfer, or a refusal) may end it.
                instruction.state = State.PENDING
                instruction.next_attempt_at = now + retry_delay(instruction.attempts)
        instruction.save()
        if instruction.state == State.PENDING:
            _enqueue(instruction, run_after=instruction.next_attempt_at)
            return "retrying"
        _tell_owner(instruction, now=now)
        return instruction.state


def _mark_failed(instruction, code: str, message: str, now) -> None:
    instruction.state = State.FAILED
    instruction.failed_reason = (code or "rejected")[:64]
    instruction.last_error = (message or code)[:300]
    instruction.failed_at = now


def _tell_owner(instruction, *, now) -> None:
    if instruction.kind == Kind.REFUND:
        from sellerdesk.aftersales.actions.refunds import record_refund_result

        record_refund_result(instruction, now=now)
    elif instruction.kind == Kind.PAYOUT:
        from .withdrawals import record_payout_result

        record_payout_result(instruction, now=now)
    else:
        from .changes import record_micro_deposit_result

        record_micro_deposit_result(instruction, now=now)


def process_instruction(instruction_id: int, *, now=None) -> str | None:
    """Claim, send and record one instruction (the task and the sweeper call this, never inside a
    transaction). None when it was not due or another worker has it."""
    claimed = claim_instruction(instruction_id, now=now or clock.now())
    if claimed is None:
        return None
    outcome = send_claimed(claimed)
    return record_outcome(claimed, outcome, now=now or clock.now())


def run_due_instructions(*, now=None, limit: int | None = None) -> int:
    """Send every due instruction, oldest due first; returns how many this call processed."""
    due = (
        RailInstruction.objects.filter(due_q(now or clock.now()))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(due[:limit] if limit else due):
        if process_instruction(pk, now=now) is not None:
            done += 1
    return done


def requeue_instruction(instruction: RailInstruction, *, now) -> None:
    """Send a failed instruction again, same reference, a fresh round of attempts. The caller holds
    the instruction's row lock (select_for_update) in its transaction."""
    if instruction.state != State.FAILED:
        raise ValueError(f"instruction {instruction.pk} is {instruction.state}, not failed")
    instruction.state = State.PENDING
    instruction.attempts = 0
    instruction.requeues += 1
    instruction.next_attempt_at = instruction.updated_at = now
    instruction.failed_reason, instruction.failed_at = "", None
    instruction.save()
    _enqueue(instruction)
