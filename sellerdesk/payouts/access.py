"""access_*: load objects for a user, scoped to what they may see (404 otherwise), optionally locked.

Who acts for which subject: a distributor (or a merchant with a subject of their own) for that
subject; a merchant through a shop: the one chosen for the request (`User.act_for_shop`: the API's
`shop_id`, the pages' session choice), or the only one. Several shops and none chosen is
`400 shop_required`, never a guess.
"""

from sellerdesk.core.errors import Forbidden, NotFound
from sellerdesk.core.roles import require_role
from sellerdesk.identity.models import Role

from .error_codes import PayoutErrorCode as Code
from .models import AccountChange, Channel, Wallet, Withdrawal
from .table import holder_role_of


def owner_subject(user):
    """The subject a merchant or distributor acts for (403 for other roles, 400 shop_required when a
    user with several shops did not choose one)."""
    require_role(user, Role.MERCHANT, Role.DISTRIBUTOR)
    return user.acting_subject()


def check_payout_permission(user) -> None:
    """Changing withdrawal accounts (request, verify, cancel) and withdrawing: the shop's owner and
    staff granted `manage_payout_accounts` only; anyone else is 403 forbidden_permission."""
    if user.subject_id:
        return  # acting for their own subject
    membership = user.acting_membership()
    # No shop at all: no subject, which the action refuses on its own (change_not_allowed).
    if membership is not None and not membership.may_manage_payout_accounts:
        raise Forbidden(
            Code.FORBIDDEN_PERMISSION, details={"permission": "manage_payout_accounts", "shop_id": membership.shop_id}
        )


def check_channel(channel: str) -> str:
    if channel not in Channel.values:
        raise NotFound(Code.WALLET_NOT_FOUND, details={"channels": list(Channel.values)})
    return channel


def access_wallet(user, subject, channel: str, *, lock: bool = False, create: bool = False) -> Wallet | None:
    """The user's wallet on `channel` (None if it has no row yet and create is False).

    With lock=True the row is taken with select_for_update: hold a transaction.
    """
    role = holder_role_of(user)
    if create:
        Wallet.objects.get_or_create(subject=subject, holder_role=role, channel=channel)
    rows = Wallet.objects.filter(subject=subject, holder_role=role, channel=channel)
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.select_related("account").first()


def access_change(user, change_id: int, *, lock: bool = False) -> AccountChange:
    """An account change on one of the user's own wallets; anyone else's is 404."""
    subject = owner_subject(user)
    rows = AccountChange.objects.filter(pk=change_id, wallet__subject=subject, wallet__holder_role=holder_role_of(user))
    if subject is None or not rows.exists():
        raise NotFound(Code.ACCOUNT_CHANGE_NOT_FOUND)
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.select_related("wallet", "new_account", "old_account").get()


def access_withdrawal(user, withdrawal_id: int) -> Withdrawal:
    """A withdrawal from one of the user's own wallets; anyone else's is 404."""
    subject = owner_subject(user)
    row = (
        (
            Withdrawal.objects.filter(
                pk=withdrawal_id, wallet__subject=subject, wallet__holder_role=holder_role_of(user)
            )
            .select_related("wallet", "account", "rail_instruction")
            .first()
        )
        if subject is not None
        else None
    )
    if row is None:
        raise NotFound(Code.WITHDRAWAL_NOT_FOUND)
    return row
