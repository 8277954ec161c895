"""A refund after its decision: the rail's answer, and CS sending a failed one again.

make_refund (common.py) writes the refund `pending` with its rail instruction; the worker sends it
after commit and record_refund_result writes what the rail answered. A refund that failed (the
rail refused it, or the retries were used up) waits in the CS console until an agent sends it
again with do_retry_refund: the same instruction and reference, so the rail can never make a
second transfer for it.
"""

from django.db import transaction

from sellerdesk.core.errors import Conflict, NotFound
from sellerdesk.core.roles import require_role
from sellerdesk.identity.models import Role

from ..error_codes import AfterSaleErrorCode as Code
from ..models import HistoryKind, Party, Refund
from .common import publish, record


def _refund_payload(refund) -> dict:
    return {
        "refund_id": refund.pk,
        "order_id": refund.order_id,
        "amount_fen": refund.amount_fen,
        "reference": refund.reference,
        "refund_status": refund.status,
        "failed_reason": refund.failed_reason or None,
    }


def record_refund_result(instruction, *, now) -> None:
    """Called by the rail worker inside the transaction that records the rail's answer (the
    instruction row locked first, then the refund). Once: a refund no longer pending is left alone."""
    from sellerdesk.payouts.models import InstructionState

    refund = Refund.objects.select_for_update(of=("self",)).select_related("aftersale").get(pk=instruction.refund_id)
    if refund.status != Refund.Status.PENDING:
        return
    aftersale = refund.aftersale
    if instruction.state == InstructionState.SUCCEEDED:
        refund.status, refund.succeeded_at = Refund.Status.SUCCEEDED, now
        refund.save(update_fields=["status", "succeeded_at"])
        record(
            aftersale,
            HistoryKind.REFUND_SUCCEEDED,
            actor=None,
            party=Party.SYSTEM,
            now=now,
            body=f"退款 ¥{refund.amount_fen / 100:.2f} 已原路退回",
            data={"amount_fen": refund.amount_fen, "reference": refund.reference},
        )
        publish(aftersale, "refund.succeeded", **_refund_payload(refund))
        return
    refund.status, refund.failed_at = Refund.Status.FAILED, now
    refund.failed_reason = instruction.failed_reason
    refund.save(update_fields=["status", "failed_at", "failed_reason"])
    record(
        aftersale,
        HistoryKind.REFUND_FAILED,
        actor=None,
        party=Party.SYSTEM,
        now=now,
        body=f"退款 ¥{refund.amount_fen / 100:.2f} 暂未成功，平台客服会跟进处理",
        data={
            "amount_fen": refund.amount_fen,
            "reference": refund.reference,
            "failed_reason": refund.failed_reason,
            "attempts": instruction.attempts,
        },
    )
    publish(aftersale, "refund.failed", **_refund_payload(refund))


def do_retry_refund(refund_id: int, *, acting_user, now) -> Refund:
    """CS (重新退款): send a failed refund again, with the same instruction and reference.
    Every failed refund is a CS case, with or without a dispute. Lock order: the instruction, then
    the refund (the same as the worker's)."""
    from sellerdesk.payouts.actions.instructions import requeue_instruction
    from sellerdesk.payouts.models import RailInstruction

    require_role(acting_user, Role.CS, Role.ADMIN)
    with transaction.atomic():
        instruction = RailInstruction.objects.select_for_update().filter(refund_id=refund_id).first()
        if instruction is None:
            raise NotFound(Code.REFUND_NOT_FOUND)
        refund = Refund.objects.select_for_update(of=("self",)).select_related("aftersale").get(pk=refund_id)
        if refund.status != Refund.Status.FAILED:
            raise Conflict(Code.REFUND_NOT_FAILED, details={"refund_status": refund.status})
        previous = refund.failed_reason
        requeue_instruction(instruction, now=now)
        refund.status, refund.failed_reason, refund.failed_at = Refund.Status.PENDING, "", None
        refund.save(update_fields=["status", "failed_reason", "failed_at"])
        record(
            refund.aftersale,
            HistoryKind.REFUND_RETRIED,
            actor=acting_user,
            party=Party.CS,
            now=now,
            body=f"平台客服重新发起退款 ¥{refund.amount_fen / 100:.2f}",
            data={"amount_fen": refund.amount_fen, "reference": refund.reference, "previous_reason": previous},
        )
    return refund
