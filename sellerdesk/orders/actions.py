from datetime import UTC

from django.db import transaction

from sellerdesk.core.errors import Conflict, InvalidInput, NotFound
from sellerdesk.core.fields import MAX_FEN
from sellerdesk.core.money import split_in_proportion
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


def _record_delivery(order: Order, delivered_at) -> None:
    """A later push of the same order may say when it was delivered; once known it stays."""
    if delivered_at is None:
        return
    delivered_at = delivered_at.astimezone(UTC)
    if delivered_at < order.paid_at:
        raise Conflict(Code.DELIVERED_BEFORE_PAID, details={"paid_at": order.paid_at.isoformat()})
    if order.delivered_at is None:
        order.delivered_at = delivered_at
        order.save(update_fields=["delivered_at"])
    elif order.delivered_at != delivered_at:
        raise Conflict(
            Code.DELIVERED_AT_CONFLICT,
            details={"order_no": order.order_no, "delivered_at": order.delivered_at.isoformat()},
        )


@transaction.atomic
def do_record_paid_order(
    *, order_no: str, shop_id: int, buyer_id: int, items: list[dict], paid_fen: int, paid_at, delivered_at=None
) -> tuple[Order, bool]:
    """Record a paid order; idempotent on order_no (returns the existing order, created=False).
    The order system pushes it again with `delivered_at` once the goods arrive."""
    existing = Order.objects.select_for_update().filter(order_no=order_no).first()
    if existing is not None:
        if (existing.shop_id, existing.buyer_id, existing.paid_fen) != (shop_id, buyer_id, paid_fen):
            raise Conflict(Code.ORDER_NO_CONFLICT, details={"order_no": order_no})
        _record_delivery(existing, delivered_at)
        return existing, False
    shop, buyer = check_paid_order(shop_id=shop_id, buyer_id=buyer_id, items=items, paid_fen=paid_fen)
    # Stored and answered in UTC, whatever offset the order system sent.
    paid_at = paid_at.astimezone(UTC)
    order = Order.objects.create(order_no=order_no, shop=shop, buyer=buyer, paid_fen=paid_fen, paid_at=paid_at)
    _record_delivery(order, delivered_at)
    # Each line's share of what was paid: its list total, scaled down in proportion when a discount
    # made the order cheaper; anything above the lines' total is shipping, on no line.
    shares = split_in_proportion(paid_fen, [i["quantity"] * i["unit_price_fen"] for i in items])
    OrderItem.objects.bulk_create([OrderItem(order=order, paid_fen=p, **i) for i, p in zip(items, shares, strict=True)])
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
