"""The after-sales window (issue 13, item 3; api.md POST /aftersales): orders carry `delivered_at`,
pushed by the order system; a request is possible until SELLERDESK_AFTERSALE_WINDOW_SECONDS
(default 15 days) after it, or after payment while delivery is unknown, and refused a second later
with `aftersale_window_closed` and the window's end."""

from datetime import UTC, datetime, timedelta

from sellerdesk.aftersales.actions import do_open_aftersale
from sellerdesk.aftersales.models import AfterSale
from sellerdesk.core import clock
from sellerdesk.orders.models import Order
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import SECOND, refused

PAID = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
DELIVERED = PAID + timedelta(days=3)
WINDOW = timedelta(days=15)


def open_on(w, order, now):
    return do_open_aftersale(
        order_id=order.id, type="refund_only", amount_fen=1000, reason="质量问题", acting_user=w.buyer, now=now
    )


def test_a_request_may_be_opened_at_the_windows_last_moment_and_not_a_second_later(world):
    order = f.make_order(shop=world.shop, buyer=world.buyer, paid_at=PAID, delivered_at=DELIVERED)

    err = refused(lambda: open_on(world, order, DELIVERED + WINDOW + SECOND), "aftersale_window_closed")

    assert err.status == 409
    assert err.details == {"window_ends_at": (DELIVERED + WINDOW).isoformat()}
    assert "售后申请期已于" in err.message
    assert not AfterSale.objects.filter(order=order).exists()
    assert open_on(world, order, DELIVERED + WINDOW).order_id == order.id


def test_the_window_counts_from_payment_while_delivery_is_unknown(world):
    order = f.make_order(shop=world.shop, buyer=world.buyer, paid_at=PAID)

    refused(lambda: open_on(world, order, PAID + WINDOW + SECOND), "aftersale_window_closed")
    assert open_on(world, order, PAID + WINDOW).order_id == order.id


def test_the_windows_length_is_set_by_SELLERDESK_AFTERSALE_WINDOW_SECONDS(world, settings):
    settings.SELLERDESK_DEADLINES = {**settings.SELLERDESK_DEADLINES, "aftersale_window": 3600}
    order = f.make_order(shop=world.shop, buyer=world.buyer, paid_at=PAID, delivered_at=DELIVERED)

    assert order.aftersale_window_ends_at == DELIVERED + timedelta(hours=1)
    refused(lambda: open_on(world, order, DELIVERED + timedelta(hours=1) + SECOND), "aftersale_window_closed")


def test_the_order_system_pushes_the_delivery_time_later_and_it_then_stays(world, api_as):
    platform = api_as(world.platform)
    body = {
        "order_no": "KS-DELIVERY-1",
        "shop_id": world.shop.id,
        "buyer_id": world.buyer.id,
        "items": [{"sku": "A", "title": "茶叶", "quantity": 1, "unit_price_fen": 5000}],
        "paid_fen": 5000,
        "paid_at": "2026-11-01T10:00:00+08:00",
    }
    first = platform.post("/platform/orders", body)
    assert first.status_code == 201 and first.json()["delivered_at"] is None
    assert first.json()["aftersale_window_ends_at"] == "2026-11-16T02:00:00Z"

    delivered = platform.post("/platform/orders", {**body, "delivered_at": "2026-11-04T18:30:00+08:00"})

    assert delivered.status_code == 200
    assert delivered.json()["delivered_at"] == "2026-11-04T10:30:00Z"
    assert delivered.json()["aftersale_window_ends_at"] == "2026-11-19T10:30:00Z"
    # The same push again is fine; another delivery time is a conflict that changes nothing.
    assert platform.post("/platform/orders", {**body, "delivered_at": "2026-11-04T10:30:00Z"}).status_code == 200
    moved = platform.post("/platform/orders", {**body, "delivered_at": "2026-11-05T10:30:00Z"})
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "delivered_at_conflict"
    early = platform.post(
        "/platform/orders", {**body, "order_no": "KS-DELIVERY-2", "delivered_at": "2026-10-31T00:00:00Z"}
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "delivered_before_paid"
    assert not Order.objects.filter(order_no="KS-DELIVERY-2").exists()
    assert Order.objects.get(order_no="KS-DELIVERY-1").delivered_at == datetime(2026, 11, 4, 10, 30, tzinfo=UTC)


def test_the_api_refuses_a_request_after_the_window_with_its_end(world, api_as):
    now = clock.now()
    closed = f.make_order(
        shop=world.shop,
        buyer=world.buyer,
        paid_at=now - timedelta(days=40),
        delivered_at=now - WINDOW - timedelta(minutes=1),
    )
    still_open = f.make_order(shop=world.shop, buyer=world.buyer, paid_at=now - WINDOW, delivered_at=now - WINDOW / 2)
    buyer = api_as(world.buyer)
    body = {"type": "refund_only", "amount_fen": 1000, "reason": "质量问题"}

    refused_ = buyer.post("/aftersales", {**body, "order_id": closed.id})

    assert refused_.status_code == 409
    error = refused_.json()["error"]
    assert error["code"] == "aftersale_window_closed"
    assert error["details"]["window_ends_at"] == closed.aftersale_window_ends_at.isoformat()
    assert buyer.post("/aftersales", {**body, "order_id": still_open.id}).status_code == 201
    order = buyer.get(f"/orders/{still_open.id}").json()
    assert order["aftersale_window_ends_at"].startswith(still_open.aftersale_window_ends_at.strftime("%Y-%m-%dT%H:%M"))
