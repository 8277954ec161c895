from datetime import UTC

from django.db import transaction

from sellerdesk.core.errors import Conflict, InvalidInput, NotFound
from sellerdesk.core.fields import MAX_FEN
from sellerdesk.identity.models import Role, Shop, User

from .error_codes import OrderErrorCode as Code
from .models import Order, OrderItem


def check_paid_order(*, shop_id: int, buyer_id: int, items: list[dict], paid_fen: int) -> tuple[Shop, User]:
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        raise NotFound(Code.UNKNOWN_SHOP, details={"shop_id": shop_id})
    buyer = User.objects.filter(pk=buyer_id, role=Role.BUYER).first()
    if buyer is None:
        raise NotFound(Code.UNKNOWN_BUYER, details={"buyer_id": buyer_id})
    if not items:
        raise InvalidInput(Code.INVALID_ITEMS)
    if not 0 < paid_fen <= MAX_FEN:
        raise InvalidInput(Code.INVALID_AMOUNT, details={"max_fen": MAX_FEN})
    # paid_fen is what the buyer paid, after discounts and with shipping: it may differ from the
    # items' total either way, and it is what refunds are bounded by.
    return shop, buyer


@transaction.atomic
def do_record_paid_order(
    *, order_no: str, shop_id: int, buyer_id: int, items: list[dict], paid_fen: int, paid_at
) -> tuple[Order, bool]:
    """Record a paid order; idempotent on order_no (returns the existing order, created=False)."""
    existing = Order.objects.filter(order_no=order_no).first()
    if existing is not None:
        if (existing.shop_id, existing.buyer_id, existing.paid_fen) != (shop_id, buyer_id, paid_fen):
            raise Conflict(Code.ORDER_NO_CONFLICT, details={"order_no": order_no})
        return existing, False
    shop, buyer = check_paid_order(shop_id=shop_id, buyer_id=buyer_id, items=items, paid_fen=paid_fen)
    # Stored and answered in UTC, whatever offset the order system sent.
    paid_at = paid_at.astimezone(UTC)
    order = Order.objects.create(order_no=order_no, shop=shop, buyer=buyer, paid_fen=paid_fen, paid_at=paid_at)
    OrderItem.objects.bulk_create([OrderItem(order=order, **i) for i in items])
    return order, True


def orders_visible_to(user):
    if user.role == Role.BUYER:
        return Order.objects.filter(buyer=user)
    if user.role == Role.MERCHANT:
        return Order.objects.filter(shop_id__in=user.shop_ids())
    if user.role == Role.ADMIN:
        return Order.objects.all()
    return Order.objects.none()


def access_order(user, order_id: int) -> Order:
    order = orders_visible_to(user).filter(pk=order_id).first()
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND)
    return order
