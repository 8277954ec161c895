"""Withdrawals: money leaves a wallet to the account bound *now*; the withdrawal keeps that account
even if the wallet's account is changed while it is in flight.

held (cool-off after an account change) → processing → paid / failed. `processing` writes a payout
instruction in the same transaction; the worker sends it after commit and its answer comes back
through record_payout_result. A failure puts the amount back on the balance in the transaction
that records it, once. Lock order: wallet, then withdrawal (after the instruction when recording).
"""

from django.db import transaction
from django.db.models import F

from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError, Conflict, InvalidInput, NotFound
from sellerdesk.events.outbox import emit

from .. import policy
from ..access import access_wallet, check_channel, owner_subject
from ..checks import check_step_up
from ..error_codes import PayoutErrorCode as Code
from ..models import AuditAction, InstructionKind, InstructionState, Wallet, Withdrawal, WithdrawalStatus
from ..table import availability
from .audit import RequestMeta, record
from .instructions import order_instruction
from .permissions import refuse_unless_permitted


def do_request_withdrawal(
    *,
    acting_user,
    channel: str,
    amount_fen: int,
    password: str | None = None,
    otp: str | None = None,
    ip: str | None = None,
    user_agent: str = "",
    now=None,
) -> Withdrawal:
    """Needs step-up (`password` or `otp`, checks.check_step_up), checked before the wallet is
    locked so that django-otp's throttle and a spent recovery code stay written when the
    withdrawal is then refused; every step-up refusal is audited."""
    now = now or clock.now()
    meta = RequestMeta(ip=ip, user_agent=user_agent)
    subject = owner_subject(acting_user)
    refuse_unless_permitted(
        acting_user,
        operation="withdraw",
        action=AuditAction.WITHDRAWAL_REFUSED,
        meta=meta,
        subject=subject,
        now=now,
        details={"channel": channel, "amount_fen": amount_fen},
    )
    check_channel(channel)
    if not availability(acting_user, subject, channel).has_wallet:
        raise NotFound(Code.WALLET_NOT_FOUND)
    if amount_fen <= 0:
        raise InvalidInput(Code.INVALID_AMOUNT)
    _step_up(acting_user, subject, channel, amount_fen, password=password, otp=otp, meta=meta, now=now)
    with transaction.atomic():
        wallet = access_wallet(acting_user, subject, channel, lock=True)
        if wallet is None or wallet.account_id is None:
            raise Conflict(Code.NO_WITHDRAWAL_ACCOUNT)
        if wallet.balance_fen < amount_fen:
            raise Conflict(
                Code.INSUFFICIENT_BALANCE, details={"balance_fen": wallet.balance_fen, "amount_fen": amount_fen}
            )
        Wallet.objects.filter(pk=wallet.pk).update(balance_fen=F("balance_fen") - amount_fen)
        wallet.refresh_from_db(fields=["balance_fen"])
        cooloff = policy.payout_cooloff()
        held_until = None
        if cooloff and wallet.account_bound_at and wallet.account_bound_at + cooloff > now:
            held_until = wallet.account_bound_at + cooloff
        withdrawal = Withdrawal.objects.create(
            wallet=wallet,
            account=wallet.account,
            amount_fen=amount_fen,
            requested_by=acting_user,
            status=WithdrawalStatus.HELD if held_until else WithdrawalStatus.PROCESSING,
            held_until=held_until,
            created_at=now,
            processing_at=None if held_until else now,
        )
        if held_until:
            from ..tasks import schedule_release

            schedule_release(withdrawal)
        else:
            _order_payout(withdrawal, now)
        record(
            AuditAction.WITHDRAWAL_REQUESTED,
            success=True,
            meta=meta,
            actor=acting_user,
            subject=subject,
            wallet=wallet,
            details={
                "withdrawal_id": withdrawal.pk,
                "amount_fen": amount_fen,
                "masked": wallet.account.masked,
                "status": withdrawal.status,
            },
            now=now,
        )
        emit(
            "withdrawal.requested",
            aggregate_type="wallet",
            aggregate_id=wallet.pk,
            payload={**_payload(withdrawal, wallet), "held_until": held_until.isoformat() if held_until else None},
        )
    return withdrawal


def _step_up(user, subject, channel, amount_fen, *, password, otp, meta, now) -> None:
    try:
        check_step_up(user, password=password, otp=otp, now=now)
    except CodedError as exc:
        action = AuditAction.STEP_UP_FAILED if exc.code == "step_up_failed" else AuditAction.WITHDRAWAL_REFUSED
        record(
            action,
            success=False,
            meta=meta,
            actor=user,
            subject=subject,
            code=exc.code,
            details={
                "operation": "withdraw",
                "channel": channel,
                "amount_fen": amount_fen,
                "method": "password" if password else "otp" if otp else None,
            },
            now=now,
        )
        raise


def _order_payout(withdrawal, now) -> None:
    order_instruction(
        InstructionKind.PAYOUT,
        reference=withdrawal.reference,
        amount_fen=withdrawal.amount_fen,
        account=withdrawal.account,
        withdrawal=withdrawal,
        now=now,
    )


def _payload(withdrawal, wallet) -> dict:
    return {
        "withdrawal_id": withdrawal.pk,
        "amount_fen": withdrawal.amount_fen,
        "account": withdrawal.account.masked,
        "channel": wallet.channel,
        "subject_id": wallet.subject_id,
        "holder_role": wallet.holder_role,
        "status": withdrawal.status,
        "failed_reason": withdrawal.failed_reason or None,
    }


def _lock(withdrawal_id: int):
    """(wallet, withdrawal), both locked in that order; None if there is no such withdrawal."""
    wallet_id = Withdrawal.objects.filter(pk=withdrawal_id).values_list("wallet_id", flat=True).first()
    if wallet_id is None:
        return None
    wallet = Wallet.objects.select_for_update(of=("self",)).select_related("subject").get(pk=wallet_id)
    withdrawal = Withdrawal.objects.select_for_update(of=("self",)).select_related("account").get(pk=withdrawal_id)
    return wallet, withdrawal


def do_release_withdrawal(withdrawal_id: int, *, now) -> bool:
    """End the cool-off hold: held → processing, payout instruction written. A hold is met at
    `held_until` exactly, so this acts only after it. Safe to run twice (True only the first time)."""
    with transaction.atomic():
        locked = _lock(withdrawal_id)
        if locked is None:
            return False
        wallet, withdrawal = locked
        if withdrawal.status != WithdrawalStatus.HELD or (withdrawal.held_until and now <= withdrawal.held_until):
            return False
        withdrawal.status, withdrawal.processing_at = WithdrawalStatus.PROCESSING, now
        withdrawal.save(update_fields=["status", "processing_at"])
        _order_payout(withdrawal, now)
        record(
            AuditAction.WITHDRAWAL_RELEASED,
            success=True,
            meta=RequestMeta(),
            subject=wallet.subject,
            wallet=wallet,
            details={
                "withdrawal_id": withdrawal.pk,
                "amount_fen": withdrawal.amount_fen,
                "masked": withdrawal.account.masked,
                "held_until": withdrawal.held_until.isoformat(),
            },
            now=now,
        )
    return True


def do_release_due_withdrawals(*, now) -> int:
    """Sweeper: release every hold that ended (the queued task may have been lost)."""
    due = Withdrawal.objects.filter(status=WithdrawalStatus.HELD, held_until__lt=now).order_by("held_until", "id")
    return sum(do_release_withdrawal(pk, now=now) for pk in list(due.values_list("pk", flat=True)))


def record_payout_result(instruction, *, now) -> None:
    """The rail answered the payout (called by record_outcome inside its transaction, the
    instruction locked): paid, or failed with the amount back on the balance. Once: a withdrawal
    that is no longer processing is left as it is."""
    locked = _lock(instruction.withdrawal_id)
    wallet, withdrawal = locked
    if withdrawal.status != WithdrawalStatus.PROCESSING:
        return
    if instruction.state == InstructionState.SUCCEEDED:
        withdrawal.status, withdrawal.paid_at = WithdrawalStatus.PAID, now
        withdrawal.save(update_fields=["status", "paid_at"])
        action, topic = AuditAction.WITHDRAWAL_PAID, "withdrawal.paid"
    else:
        withdrawal.status, withdrawal.failed_at = WithdrawalStatus.FAILED, now
        withdrawal.failed_reason = instruction.failed_reason
        withdrawal.save(update_fields=["status", "failed_at", "failed_reason"])
        Wallet.objects.filter(pk=wallet.pk).update(balance_fen=F("balance_fen") + withdrawal.amount_fen)
        action, topic = AuditAction.WITHDRAWAL_FAILED, "withdrawal.failed"
    record(
        action,
        success=withdrawal.status == WithdrawalStatus.PAID,
        meta=RequestMeta(),
        subject=wallet.subject,
        wallet=wallet,
        code=withdrawal.failed_reason,
        details={
            "withdrawal_id": withdrawal.pk,
            "amount_fen": withdrawal.amount_fen,
            "masked": withdrawal.account.masked,
            "reference": instruction.reference,
            "rail_message": instruction.last_error if withdrawal.failed_reason else "",
        },
        now=now,
    )
    emit(
        topic,
        aggregate_type="wallet",
        aggregate_id=wallet.pk,
        payload={
            **_payload(withdrawal, wallet),
            "reference": instruction.reference,
            "paid_at": now.isoformat() if withdrawal.paid_at else None,
            "failed_at": now.isoformat() if withdrawal.failed_at else None,
        },
    )
