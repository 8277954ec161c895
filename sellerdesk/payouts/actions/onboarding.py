"""do_open_wallet: the first binding, done at qualification/onboarding (outside the account centre).

Used by demo data and tests; the account centre only *changes* accounts (do_request_change).
"""

from django.db import transaction

from sellerdesk.core import clock

from ..models import AuditAction, Wallet, WithdrawalAccount
from ..rails import get_rail
from .audit import RequestMeta, record
from .changes import account_ref


@transaction.atomic
def do_open_wallet(
    *,
    subject,
    holder_role: str,
    channel: str,
    kind: str | None = None,
    number: str | None = None,
    holder_name: str = "",
    bank_name: str = "",
    is_corporate: bool = False,
    balance_fen: int = 0,
    now=None,
) -> Wallet:
    """Create (or top up) the subject's wallet and bind its first account if it has none.
    `number` must already be valid (checks.check_bank_account / check_alipay_account)."""
    now = now or clock.now()
    wallet, _ = Wallet.objects.select_for_update().get_or_create(
        subject=subject, holder_role=holder_role, channel=channel
    )
    if balance_fen:
        wallet.balance_fen = balance_fen
    if number and wallet.account_id is None:
        account = WithdrawalAccount(
            subject=subject,
            kind=kind,
            holder_name=holder_name or subject.legal_name,
            bank_name=bank_name,
            is_corporate=is_corporate,
            created_at=now,
            verified_at=now,
        )
        account.set_number(number)
        account.save()
        wallet.account = account
        wallet.account_bound_at = now
        get_rail().remember_bound(account_ref(account))
        record(
            AuditAction.CHANGE_COMPLETED,
            success=True,
            meta=RequestMeta(),
            subject=subject,
            wallet=wallet,
            details={"first_binding": True, "channel": channel, "masked": account.masked},
            now=now,
        )
    wallet.save()
    return wallet
