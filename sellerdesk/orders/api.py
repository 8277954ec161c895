from datetime import datetime

from ninja import Field, Router, Schema, Status

from sellerdesk.core.fields import MAX_FEN, InputSchema, IsoAwareDatetime, JsonInt, fen
from sellerdesk.core.pagination import LIMIT, paginate
from sellerdesk.core.roles import require_role
from sellerdesk.identity.models import Role

from .actions import access_order, do_record_paid_order, orders_visible_to

router = Router(tags=["orders"])


class ItemIn(InputSchema):
    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    quantity: JsonInt = Field(gt=0, le=1_000_000)
    unit_price_fen: JsonInt = Field(ge=0, le=MAX_FEN)


class OrderIn(InputSchema):
    order_no: str = Field(min_length=1, max_length=40)
    shop_id: JsonInt
    buyer_id: JsonInt
    items: list[ItemIn] = Field(min_length=1)
    paid_fen: JsonInt = fen("What the buyer paid (after discounts, with shipping)")
    paid_at: IsoAwareDatetime = Field(description="ISO 8601 with an offset")
    delivered_at: IsoAwareDatetime | None = Field(
        None,
        description="When the goods reached the buyer (ISO 8601 with an offset). Push the order again "
        "with it once known; the after-sales window counts from it (from paid_at until then)",
    )


class ItemOut(Schema):
    id: int = Field(description="The order_item_id a claim on some lines names")
    sku: str
    title: str
    quantity: int
    unit_price_fen: int
    paid_fen: int = Field(description="The line's share of what the buyer paid (after the order's discount)")
    refunded_fen: int
    refundable_fen: int = Field(description="What a claim on this line may still ask")
    refunded_quantity: int
    refundable_quantity: int


class OrderOut(Schema):
    id: int
    order_no: str
    shop_id: int
    shop_name: str = Field(alias="shop.name")
    buyer_id: int
    paid_fen: int
    refunded_fen: int
    refundable_fen: int
    paid_at: datetime
    delivered_at: datetime | None
    aftersale_window_ends_at: datetime = Field(
        description="The last moment an after-sales request may be opened (SELLERDESK_AFTERSALE_WINDOW_SECONDS "
        "after delivered_at, or after paid_at while delivery is unknown)"
    )
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


@router.post("/platform/orders", response={200: OrderOut, 201: OrderOut})
def push_paid_order(request, payload: OrderIn):
    """The order system pushes a paid order. Idempotent on `order_no` (200 with the existing order);
    pushed again with `delivered_at` once the goods arrive (a different delivery time later is 409)."""
    require_role(request.auth, Role.PLATFORM, Role.ADMIN)
    order, created = do_record_paid_order(
        order_no=payload.order_no,
        shop_id=payload.shop_id,
        buyer_id=payload.buyer_id,
        items=[i.dict() for i in payload.items],
        paid_fen=payload.paid_fen,
        paid_at=payload.paid_at,
        delivered_at=payload.delivered_at,
    )
    return Status(201 if created else 200, order)


@router.get("/orders", response=OrderPage)
def list_orders(request, limit: int | None = LIMIT, cursor: str | None = None):
    qs = orders_visible_to(request.auth).select_related("shop").prefetch_related("items")
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/orders/{order_id}", response=OrderOut)
def get_order(request, order_id: int):
    return access_order(request.auth, order_id)
