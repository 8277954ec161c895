import secrets

from django.db import IntegrityError, transaction

from sellerdesk.core import text
from sellerdesk.core.errors import Conflict, InvalidInput, NotFound
from sellerdesk.core.roles import require_role
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import Order

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..error_codes import text_code
from ..files import check_files
from ..models import FINAL_STATUSES, AfterSale, AfterSaleType, HistoryKind, Party
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


def check_new_aftersale(order: Order, *, type: str, amount_fen: int) -> None:
    if type not in AfterSaleType.values:
        raise InvalidInput(Code.INVALID_TYPE, details={"allowed": AfterSaleType.values})
    if amount_fen <= 0:
        raise InvalidInput(Code.INVALID_AMOUNT)
    if amount_fen > order.refundable_fen:  # what the order has left, not the input, refuses it: 409
        raise Conflict(Code.AMOUNT_EXCEEDS_REFUNDABLE, details={"refundable_fen": order.refundable_fen})


def _new_number(now) -> str:
    return f"AS{now:%Y%m%d}{secrets.randbelow(10**10):010d}"


@transaction.atomic
def do_open_aftersale(
    *, order_id: int, type: str, amount_fen: int, reason: str, description: str = "", uploads=(), acting_user, now
) -> AfterSale:
    """The buyer opens an after-sales request (售后申请) on their paid order."""
    require_role(acting_user, Role.BUYER)
    order = Order.objects.filter(pk=order_id, buyer=acting_user).first()
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND)
    reason = check_text(reason, field="reason", max_chars=policy.MAX_REASON_CHARS)
    description = check_text(description, field="description", max_chars=policy.MAX_DESCRIPTION_CHARS, required=False)
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
    entry = record(
        aftersale,
        HistoryKind.CREATED,
        actor=acting_user,
        party=Party.BUYER,
        now=now,
        body=description or reason,
        data={"type": type, "amount_fen": amount_fen, "reason": reason},
    )
    store_files(aftersale, checked, uploaded_by=acting_user, now=now, entry=entry)
    schedule_deadline(aftersale)
    publish(aftersale, "aftersale.created", type=type, amount_fen=amount_fen)
    return aftersale
