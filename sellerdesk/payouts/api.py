"""Thin endpoints of the account centre (账户中心): they validate, call actions and serialise.

A merchant with several shops says which one it acts for with the `shop_id` query parameter on
every endpoint here (without it: `400 shop_required`); with one shop it may leave it out.
"""

from ninja import Query, Router, Schema
from pydantic import StrictBool

from sellerdesk.core import clock
from sellerdesk.core.addresses import client_ip
from sellerdesk.core.errors import NotFound
from sellerdesk.core.fields import InputSchema
from sellerdesk.core.roles import require_role
from sellerdesk.identity.auth import API_AUTH
from sellerdesk.identity.models import Role

from . import actions
from .access import access_change, access_withdrawal, owner_subject
from .actions.permissions import do_set_payout_permission, owned_membership, shop_staff
from .models import Channel, SubjectProof, WithdrawalAccount
from .queries import wallet_views
from .rails import get_rail, sandbox_enabled
from .schemas import (
    ChangeIn,
    ChangeOut,
    StatementOut,
    VerifyIn,
    WalletList,
    WithdrawalIn,
    WithdrawalOut,
)

try:
    from ninja.responses import Status
except ImportError:  # django-ninja < 1.5 answers (status, body) tuples

    def Status(status_code, value):  # noqa: N802
        return status_code, value


router = Router(tags=["wallets"])
# The wallets there are (GET /wallets lists the caller's); any other channel is 404 wallet_not_found.
CHANNELS = {"x-param-enums": {"channel": list(Channel.values)}}


def _acting(request, shop_id: int | None):
    """The caller, acting for `shop_id` when given (a shop they are not in is 404)."""
    user = request.auth
    if shop_id is not None:
        user.act_for_shop(shop_id)
    return user


class PermissionIn(InputSchema):
    can_manage_payout_accounts: StrictBool


class StaffOut(Schema):
    user_id: int
    username: str
    name: str
    is_owner: bool
    can_manage_payout_accounts: bool


class StaffList(Schema):
    shop_id: int
    items: list[StaffOut]


def staff_out(m):
    return {
        "user_id": m.user_id,
        "username": m.user.username,
        "name": m.user.get_full_name() or m.user.username,
        "is_owner": m.is_owner,
        "can_manage_payout_accounts": m.may_manage_payout_accounts,
    }


def _meta(request) -> dict:
    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400]}


def account_out(account, bound_at=None):
    if account is None:
        return None
    return {
        "kind": account.kind,
        "masked": account.masked,
        "last4": account.last4,
        "holder_name": account.holder_name,
        "bank_name": account.bank_name,
        "is_corporate": account.is_corporate,
        "bound_at": bound_at,
    }


def change_out(change, now):
    status = change.effective_status(now)
    expired = status != change.status
    return {
        "id": change.pk,
        "channel": change.wallet.channel,
        "status": status,
        "failure_reason": "expired" if expired else (change.failure_reason or None),
        "new_account": account_out(change.new_account),
        "old_account": account_out(change.old_account),
        "proof": change.proof,
        "attempts_left": change.attempts_left if change.proof == SubjectProof.MICRO_DEPOSIT else None,
        "expires_at": change.expires_at,
        "created_at": change.created_at,
        "completed_at": change.completed_at,
    }


@router.get("/wallets", response=WalletList)
def list_wallets(request, shop_id: int | None = None):
    """The caller's wallets (merchant: 安心钱包/微信/支付宝; distributor: 达人钱包 per product.md §2)."""
    items = []
    for view in wallet_views(_acting(request, shop_id)):
        spec, allowed = view.availability.spec, view.availability
        items.append(
            {
                "channel": view.channel,
                "label": spec.label,
                "page_title": spec.page_title,
                "path": spec.path,
                "balance_fen": view.balance_fen,
                "account_kind": spec.account_kind,
                "account": account_out(view.account, view.wallet.account_bound_at if view.wallet else None),
                "can_change": allowed.can_change,
                "change_label": spec.change_label,
                "change_blocked_code": allowed.blocked_code or None,
                "change_blocked_reason": allowed.blocked_reason or None,
                "notes": list(spec.notes),
                "pending_change_id": view.pending_change.pk if view.pending_change else None,
            }
        )
    return {"items": items}


@router.post("/wallets/{channel}/account-changes", response={201: ChangeOut}, openapi_extra=CHANNELS)
def request_change(request, channel: str, payload: ChangeIn, shop_id: int | None = None):
    """Replace the wallet's withdrawal account (更换银行卡 / 更换账户). Needs step-up: `password` or `otp`
    (a code from the enrolled authenticator app, or a recovery code, spent once).

    Personal card or Alipay → `completed`; corporate account → `pending_verification` (micro-deposit sent).
    The body is one of the three shapes of its schema; what the schema cannot say: `anxin` and
    `wechat` take a bank card and `alipay` an Alipay account (the other shape is 400, e.g.
    account_no_required); a personal card number passes the Luhn check (400 card_number_checksum);
    the holder is the caller's subject, `GET /me` → `subject.legal_name` (422 subject_mismatch); an
    enterprise binds corporate accounts and an individual personal cards (422
    corporate_account_required / corporate_not_allowed).
    Errors: change_not_allowed, subject_mismatch, corporate_not_allowed, corporate_alipay_required,
    alipay_account_not_found, card_number_not_digits, card_number_length, card_number_checksum,
    account_number_not_digits, account_number_length, bank_name_required, bank_name_unknown (a bank
    not in the list, see the schema's enum), holder_name_required,
    account_no_required, alipay_account_required, alipay_account_invalid, step_up_required,
    step_up_failed (401), step_up_throttled (429), micro_deposit_throttled (429), same_account (409),
    change_already_pending (409), forbidden_permission (403: staff without manage_payout_accounts),
    shop_required (400).
    """
    now = clock.now()
    change = actions.do_request_change(
        acting_user=_acting(request, shop_id),
        channel=channel,
        request=actions.ChangeRequest(**payload.dict()),
        now=now,
        **_meta(request),
    )
    return Status(201, change_out(change, now))


@router.get("/account-changes/{change_id}", response=ChangeOut)
def get_change(request, change_id: int, shop_id: int | None = None):
    return change_out(access_change(_acting(request, shop_id), change_id), clock.now())


@router.post("/account-changes/{change_id}/verify", response=ChangeOut)
def verify_change(request, change_id: int, payload: VerifyIn, shop_id: int | None = None):
    """Enter the micro-deposit amount. Errors: verification_failed (422, with attempts_left),
    verification_expired (409), change_not_pending (409), forbidden_permission (403)."""
    now = clock.now()
    change = actions.do_verify_change(
        acting_user=_acting(request, shop_id),
        change_id=change_id,
        amount_fen=payload.amount_fen,
        now=now,
        **_meta(request),
    )
    return change_out(change, now)


@router.post("/account-changes/{change_id}/cancel", response=ChangeOut)
def cancel_change(request, change_id: int, shop_id: int | None = None):
    """Errors: change_not_pending (409), forbidden_permission (403)."""
    now = clock.now()
    change = actions.do_cancel_change(
        acting_user=_acting(request, shop_id), change_id=change_id, now=now, **_meta(request)
    )
    return change_out(change, now)


def withdrawal_out(w):
    return {
        "id": w.pk,
        "channel": w.wallet.channel,
        "amount_fen": w.amount_fen,
        "status": w.status,
        "account": account_out(w.account),
        "held_until": w.held_until,
        "created_at": w.created_at,
        "processing_at": w.processing_at,
        "paid_at": w.paid_at,
        "failed_at": w.failed_at,
        "failed_reason": w.failed_reason or None,
        "reference": w.reference,
    }


@router.post("/wallets/{channel}/withdrawals", response={201: WithdrawalOut}, openapi_extra=CHANNELS)
def request_withdrawal(request, channel: str, payload: WithdrawalIn, shop_id: int | None = None):
    """Withdraw to the account bound now; the withdrawal keeps it even if the account is changed later.

    `processing` (the payout is sent by the worker after this request commits), or `held` until
    `held_until` after a recent account change. Errors include forbidden_permission (403: staff
    without manage_payout_accounts), shop_required (400). Needs step-up, `password` or `otp`:
    step_up_required / step_up_failed (401), step_up_method_unavailable (400: `otp` without an
    enrolled authenticator), step_up_throttled (429)."""
    w = actions.do_request_withdrawal(
        acting_user=_acting(request, shop_id),
        channel=channel,
        amount_fen=payload.amount_fen,
        password=payload.password,
        otp=payload.otp,
        **_meta(request),
    )
    return Status(201, withdrawal_out(w))


@router.get("/withdrawals/{withdrawal_id}", response=WithdrawalOut)
def get_withdrawal(request, withdrawal_id: int, shop_id: int | None = None):
    """One of the caller's withdrawals: held → processing → paid / failed. Anyone else's is 404."""
    return withdrawal_out(access_withdrawal(_acting(request, shop_id), withdrawal_id))


def _row_id(value: int) -> int:
    """A path id as a foreign-key lookup can take it: one beyond 64 bits names no row (0), where
    SQLite would raise OverflowError (a 500) instead of finding nothing."""
    return value if -(2**63) <= value < 2**63 else 0


@router.get("/shops/{shop_id}/staff", response=StaffList, tags=["staff"])
def list_staff(request, shop_id: int):
    """The shop's staff (子账号) and whether each may manage withdrawal accounts. Owner only (403)."""
    owner = owned_membership(request.auth, _row_id(shop_id))
    return {"shop_id": shop_id, "items": [staff_out(m) for m in shop_staff(owner)]}


@router.post("/shops/{shop_id}/staff/{user_id}/payout-permission", response=StaffOut, tags=["staff"])
def set_payout_permission(request, shop_id: int, user_id: int, payload: PermissionIn):
    """Grant (true) or revoke (false) `manage_payout_accounts` for one of the shop's staff.
    Owner only (403 forbidden_permission); audited. Errors: shop_not_found, staff_not_found (404)."""
    member = do_set_payout_permission(
        acting_user=request.auth,
        shop_id=_row_id(shop_id),
        member_id=_row_id(user_id),
        granted=payload.can_manage_payout_accounts,
        **_meta(request),
    )
    return staff_out(member)


class StatementQuery(Schema):
    account_last4: str | None = None


def sandbox_only(request):
    """First of a sandbox path's authenticators: without the sandbox the path does not exist, so
    every caller (even an anonymous one) gets 404; with it, the next authenticator decides."""
    if not sandbox_enabled():
        raise NotFound()
    return None


@router.get("/sandbox/rail/statement", response=StatementOut, tags=["sandbox"], auth=[sandbox_only, *API_AUTH])
def rail_statement(request, filters: Query[StatementQuery]):
    """What the rail simulator sent to the caller's accounts (admin: to anyone), newest first.
    Only where the simulator is the adapter (never in production): 404 otherwise."""
    rail = get_rail()
    user = request.auth
    require_role(user, Role.MERCHANT, Role.DISTRIBUTOR, Role.ADMIN)
    if user.role == Role.ADMIN:
        fingerprints = None
    else:
        subject = owner_subject(user)
        fingerprints = (
            list(WithdrawalAccount.objects.filter(subject=subject).values_list("fingerprint", flat=True))
            if subject
            else []
        )
    lines = rail.statement(fingerprints=fingerprints, last4=filters.account_last4)
    return {"items": [line.__dict__ for line in lines]}
