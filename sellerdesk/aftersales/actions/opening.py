import secrets

from django.db import IntegrityError, transaction

from sellerdesk.core import text
from sellerdesk.core.errors import Conflict, InvalidInput, NotFound
from sellerdesk.core.roles import require_role
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import Order, OrderItem

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..error_codes import text_code
from ..files import check_files
from ..models import FINAL_STATUSES, AfterSale, AfterSaleType, ClaimLine, HistoryKind, Party
from .common import publish, record, store_files
from .deadlines import schedule_deadline


def check_text(value: str | None, *, field: str, max_chars: int, required: bool = True) -> str:
    """The text cleaned (core/text.py), or InvalidInput: empty_<field> / <field>_too_long."""
    if len(text.measured(value)) > max_chars:
        raise InvalidInput(text_code(field, "too_long"), details={"field": field, "max_chars": max_chars})
    value = text.cleaned(value)
    if required and not value:
        raise InvalidInput(text_code(field, "empty"), details={"field": field})
    return value


def check_window(order: Order, now) -> None:
    ends_at = order.aftersale_window_ends_at
    if now > ends_at:  # still open at its last moment
        raise Conflict(Code.AFTERSALE_WINDOW_CLOSED, details={"window_ends_at": ends_at.isoformat()})


def line_claimable_fen(item: OrderItem, quantity: int) -> int:
    """The most a claim of `quantity` units of the line may ask: their share of what the line was
    paid (rounded up, so claims of one unit at a time still reach the line's total), and never
    more than the line has left. A unit a refund settled, even in part, takes its share with it."""
    return min(item.refundable_fen, -(-item.paid_fen * quantity // item.quantity))


def check_claim_lines(order: Order, lines) -> list[tuple[OrderItem, int, int]]:
    """A claim on some lines: each line of this order, once, within what it can still refund."""
    items = {i.pk: i for i in OrderItem.objects.filter(order=order)}
    checked, seen = [], set()
    for line in lines:
        item_id, quantity, amount = line["order_item_id"], line["quantity"], line["amount_fen"]
        item = items.get(item_id)
        # Not found, and a line named twice, are about this order, not the body's shape: 404 / 409.
        if item is None:
            raise NotFound(Code.UNKNOWN_ORDER_ITEM, details={"order_item_id": item_id})
        if item_id in seen:
            raise Conflict(Code.DUPLICATE_CLAIM_LINE, details={"order_item_id": item_id})
        seen.add(item_id)
        if quantity <= 0 or amount <= 0:
            raise InvalidInput(Code.INVALID_CLAIM_LINE, details={"order_item_id": item_id})
        limit = line_claimable_fen(item, quantity)
        if quantity > item.refundable_quantity or amount > limit:  # what the line has left refuses it: 409
            raise Conflict(
                Code.CLAIM_EXCEEDS_LINE,
                details={
                    "order_item_id": item_id,
                    "title": item.title,
                    "refundable_quantity": item.refundable_quantity,
                    "refundable_fen": line_claimable_fen(item, min(quantity, item.refundable_quantity)),
                },
            )
        checked.append((item, quantity, amount))
    return checked


def check_new_aftersale(order: Order, *, type: str, amount_fen: int | None) -> None:
    if type not in AfterSaleType.values:
        raise InvalidInput(Code.INVALID_TYPE, details={"allowed": AfterSaleType.values})
    if amount_fen is None or amount_fen <= 0:
        raise InvalidInput(Code.INVALID_AMOUNT)
    if amount_fen > order.refundable_fen:  # what the order has left, not the input, refuses it: 409
        raise Conflict(Code.AMOUNT_EXCEEDS_REFUNDABLE, details={"refundable_fen": order.refundable_fen})


def _new_number(now) -> str:
    return f"AS{now:%Y%m%d}{secrets.randbelow(10**10):010d}"


@transaction.atomic
def do_open_aftersale(
    *,
    order_id: int,
    type: str,
    amount_fen: int | None = None,
    items=(),
    reason: str,
    description: str = "",
    uploads=(),
    acting_user,
    now,
) -> AfterSale:
    """The buyer opens an after-sales request (售后申请) on their paid order: on the whole order
    (`amount_fen`), or on some lines (`items` of order_item_id, quantity, amount_fen; the amount is
    their total)."""
    require_role(acting_user, Role.BUYER)
    order = Order.objects.filter(pk=order_id, buyer=acting_user).first()
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND)
    check_window(order, now)
    reason = check_text(reason, field="reason", max_chars=policy.MAX_REASON_CHARS)
    description = check_text(description, field="description", max_chars=policy.MAX_DESCRIPTION_CHARS, required=False)
    lines = check_claim_lines(order, items) if items else []
    if lines:
        lines_fen = sum(amount for _, _, amount in lines)
        if amount_fen is not None and amount_fen != lines_fen:
            raise Conflict(Code.AMOUNT_NOT_LINES_TOTAL, details={"amount_fen": amount_fen, "lines_fen": lines_fen})
        amount_fen = lines_fen
    check_new_aftersale(order, type=type, amount_fen=amount_fen)
    checked = check_files(list(uploads))
    if AfterSale.objects.filter(order=order).exclude(status__in=FINAL_STATUSES).exists():
        raise Conflict(Code.AFTERSALE_ALREADY_OPEN)
    try:
        with transaction.atomic():
            aftersale = AfterSale.objects.create(
                number=_new_number(now),
                order=order,
                shop_id=order.shop_id,
                buyer=acting_user,
                type=type,
                amount_fen=amount_fen,
                reason=reason,
                description=description,
                created_at=now,
                updated_at=now,
                due_at=now + policy.merchant_response(),
            )
    except IntegrityError as exc:  # a concurrent request on the same order won
        raise Conflict(Code.AFTERSALE_ALREADY_OPEN) from exc
    ClaimLine.objects.bulk_create(
        ClaimLine(aftersale=aftersale, order_item=item, quantity=quantity, amount_fen=amount)
        for item, quantity, amount in lines
    )
    entry = record(
        aftersale,
        HistoryKind.CREATED,
        actor=acting_user,
        party=Party.BUYER,
        now=now,
        body=description or reason,
        data={
            "type": type,
            "amount_fen": amount_fen,
            "reason": reason,
            **(
                {"items": [{"order_item_id": i.pk, "quantity": q, "amount_fen": f} for i, q, f in lines]}
                if lines
                else {}
            ),
        },
    )
    store_files(aftersale, checked, uploaded_by=acting_user, now=now, entry=entry)
    schedule_deadline(aftersale)
    publish(
        aftersale,
        "aftersale.created",
        type=type,
        amount_fen=amount_fen,
        items=[{"order_item_id": i.pk, "quantity": q, "amount_fen": f} for i, q, f in lines],
    )
    return aftersale
