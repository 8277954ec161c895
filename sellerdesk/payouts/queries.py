"""Read side shared by the API and the pages: the caller's wallets as the table says."""

from dataclasses import dataclass

from sellerdesk.core import clock

from .access import owner_subject
from .models import AccountChange, ChangeStatus, Wallet
from .table import Availability, availability, holder_role_of, wallet_channels


@dataclass
class WalletView:
    channel: str
    availability: Availability
    wallet: Wallet | None
    pending_change: AccountChange | None

    @property
    def balance_fen(self) -> int:
        return self.wallet.balance_fen if self.wallet else 0

    @property
    def account(self):
        return self.wallet.account if self.wallet else None


def wallet_views(user, *, now=None) -> list[WalletView]:
    """One entry per wallet the user has (product.md §2), in the table's order."""
    now = now or clock.now()
    subject = owner_subject(user)
    if subject is None:
        return []
    rows = {
        w.channel: w
        for w in Wallet.objects.filter(subject=subject, holder_role=holder_role_of(user)).select_related("account")
    }
    pending = {}
    for change in AccountChange.objects.filter(
        wallet__in=list(rows.values()), status=ChangeStatus.PENDING_VERIFICATION
    ).select_related("new_account"):
        if not change.is_expired(now):
            pending[change.wallet_id] = change
    views = []
    for channel in wallet_channels(user):
        allowed = availability(user, subject, channel)
        if not allowed.has_wallet:
            continue
        wallet = rows.get(channel)
        views.append(WalletView(channel, allowed, wallet, pending.get(wallet.pk) if wallet else None))
    return views
