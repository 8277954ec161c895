"""The owner/staff rule of the account centre (api.md "Staff and step-up"): who may move money's
destination, and the owner granting or revoking `manage_payout_accounts` to staff (子账号)."""

import logging

from django.db import transaction

from sellerdesk.core import clock
from sellerdesk.core.errors import Forbidden, NotFound
from sellerdesk.identity.models import Role, ShopMembership

from ..access import check_payout_permission
from ..error_codes import PayoutErrorCode as Code
from ..models import AuditAction
from .audit import RequestMeta, record

log = logging.getLogger(__name__)


def refuse_unless_permitted(
    user, *, operation: str, action: str, meta: RequestMeta, subject=None, now=None, details: dict | None = None
) -> None:
    """Raise 403 forbidden_permission, with the refusal in the audit log, unless `user` may
    change the acting subject's withdrawal accounts or withdraw. Call it before any change."""
    try:
        check_payout_permission(user)
    except Forbidden as exc:
        record(
            action,
            success=False,
            meta=meta,
            actor=user,
            subject=subject or user.acting_subject(),
            code=exc.code,
            details={"operation": operation, **exc.details, **(details or {})},
            now=now or clock.now(),
        )
        log.info("payout operation refused: user=%s operation=%s code=%s", user.pk, operation, exc.code)
        raise


def owned_membership(user, shop_id) -> ShopMembership:
    """The owner's membership of `shop_id`. A shop the user is not in is 404; staff get 403."""
    if user.role != Role.MERCHANT:
        raise Forbidden(Code.OWNER_ONLY, details={"permission": "owner"})
    mine = ShopMembership.objects.filter(user=user, shop_id=shop_id).select_related("shop__subject").first()
    if mine is None:
        raise NotFound(Code.SHOP_NOT_FOUND)
    if not mine.is_owner:
        raise Forbidden(Code.OWNER_ONLY, details={"permission": "owner", "shop_id": mine.shop_id})
    return mine


def do_set_payout_permission(
    *, acting_user, shop_id: int, member_id: int, granted: bool, ip: str | None = None, user_agent: str = "", now=None
) -> ShopMembership:
    """The shop's owner grants (granted=True) or revokes `manage_payout_accounts` for one of its
    staff. Audited either way, refusals too. Setting what is already set changes nothing and
    writes no entry. The owner's own membership cannot be changed (the owner always may)."""
    now = now or clock.now()
    meta = RequestMeta(ip=ip, user_agent=user_agent)
    action = AuditAction.PAYOUT_PERMISSION_GRANTED if granted else AuditAction.PAYOUT_PERMISSION_REVOKED
    try:
        owner = owned_membership(acting_user, shop_id)
    except Forbidden as exc:
        record(
            action,
            success=False,
            meta=meta,
            actor=acting_user,
            code=exc.code,
            details={"shop_id": shop_id, "member_id": member_id, "granted": granted},
            now=now,
        )
        raise
    with transaction.atomic():
        member = (
            ShopMembership.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(shop_id=owner.shop_id, user_id=member_id, is_owner=False)
            .first()
        )
        if member is None:
            raise NotFound(Code.STAFF_NOT_FOUND)
        if member.can_manage_payout_accounts == granted:
            return member
        member.can_manage_payout_accounts = granted
        member.save(update_fields=["can_manage_payout_accounts"])
        record(
            action,
            success=True,
            meta=meta,
            actor=acting_user,
            subject=owner.shop.subject,
            details={
                "shop_id": owner.shop_id,
                "member_id": member.user_id,
                "member": member.user.username,
                "permission": "manage_payout_accounts",
                "granted": granted,
            },
            now=now,
        )
    return member


def shop_staff(owner_membership) -> list[ShopMembership]:
    """Everyone in the owner's shop but the owner, by user id."""
    return list(
        ShopMembership.objects.filter(shop_id=owner_membership.shop_id, is_owner=False)
        .select_related("user")
        .order_by("user_id")
    )
