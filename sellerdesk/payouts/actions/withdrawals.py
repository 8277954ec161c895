"""do_request_withdrawal: money leaves a wallet to the account bound *now*; the withdrawal keeps
that account even if the wallet's account is changed while it is in flight."""
from django.db import transaction
from django.db.models import F

from sellerdesk.core import clock
from sellerdesk.core.errors import Conflict, InvalidInput, NotFound
from sellerdesk.events.outbox import emit

from .. import policy
from ..access import access_wallet, check_channel, owner_subject
from ..models import AuditAction, Wallet, Withdrawal, WithdrawalStatus
from ..rails import get_rail
from ..table import availability
from .audit import RequestMeta, record
from .changes import account_ref


def do_request_withdrawal(*, acting_user, channel: str, amount_fen: int, ip: str | None = None,
                          user_agent: str = "", now=None) -> Withdrawal:
    now = now or clock.now()
    meta = RequestMeta(ip=ip, user_agent=user_agent)
    subject = owner_subject(acting_user)
    check_channel(channel)
    if not availability(acting_user, subject, channel).has_wallet:
        raise NotFound("没有这个钱包。", code="wallet_not_found")
    if amount_fen <= 0:
        raise InvalidInput("提现金额必须大于0。", code="invalid_amount")
    with transaction.atomic():
        wallet = access_wallet(acting_user, subject, channel, lock=True)
        if wallet is None or wallet.account_id is None:
            raise Conflict("还没有绑定提现账户。", code="no_withdrawal_account")
        if wallet.balance_fen < amount_fen:
            raise Conflict("余额不足。", code="insufficient_balance",
                           details={"balance_fen": wallet.balance_fen, "amount_fen": amount_fen})
        Wallet.objects.filter(pk=wallet.pk).update(balance_fen=F("balance_fen") - amount_fen)
        wallet.refresh_from_db(fields=["balance_fen"])
        cooloff = policy.payout_cooloff()
        held_until = None
        if cooloff and wallet.account_bound_at and wallet.account_bound_at + cooloff > now:
            held_until = wallet.account_bound_at + cooloff
        withdrawal = Withdrawal.objects.create(
            wallet=wallet, account=wallet.account, amount_fen=amount_fen, requested_by=acting_user,
            status=WithdrawalStatus.HELD if held_until else WithdrawalStatus.IN_FLIGHT,
            held_until=held_until, created_at=now)
        if not held_until:
            get_rail().send_payout(account_ref(wallet.account), amount_fen=amount_fen,
                                   reference=f"withdrawal-{withdrawal.pk}")
        record(AuditAction.WITHDRAWAL_REQUESTED, success=True, meta=meta, actor=acting_user, subject=subject,
               wallet=wallet, details={"withdrawal_id": withdrawal.pk, "amount_fen": amount_fen,
                                       "masked": wallet.account.masked, "status": withdrawal.status}, now=now)
        emit("withdrawal.requested", aggregate_type="wallet", aggregate_id=wallet.pk,
             payload={"withdrawal_id": withdrawal.pk, "amount_fen": amount_fen, "account": wallet.account.masked,
                      "status": withdrawal.status})
    return withdrawal
