"""POST /platform/orders (the order system's push) and GET /orders."""

import pytest

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.orders.models import Order, OrderItem


def payload(w, **overrides):
    return {
        "order_no": "KS2026000001",
        "shop_id": w.shop.id,
        "buyer_id": w.buyer.id,
        "items": [
            {"sku": "A-1", "title": "连衣裙", "quantity": 2, "unit_price_fen": 1500},
            {"sku": "B-2", "title": "腰带", "quantity": 1, "unit_price_fen": 990},
        ],
        "paid_fen": 3990,
        "paid_at": "2026-04-01T08:30:00+08:00",
        **overrides,
    }


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code


def test_a_pushed_order_is_created_once_201_then_200(world, api_as):
    platform = api_as(world.platform)
    first = platform.post("/platform/orders", payload(world))
    second = platform.post("/platform/orders", payload(world))

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    body = first.json()
    assert body["order_no"] == "KS2026000001"
    assert body["paid_fen"] == 3990 and body["refunded_fen"] == 0 and body["refundable_fen"] == 3990
    assert body["paid_at"] in ("2026-04-01T00:30:00Z", "2026-04-01T00:30:00+00:00")
    assert [(i["sku"], i["quantity"], i["unit_price_fen"]) for i in body["items"]] == [
        ("A-1", 2, 1500),
        ("B-2", 1, 990),
    ]
    assert Order.objects.filter(order_no="KS2026000001").count() == 1
    assert OrderItem.objects.filter(order__order_no="KS2026000001").count() == 2


@pytest.mark.parametrize(
    "overrides,status,code",
    [
        ({"items": []}, 400, "invalid_input"),
        ({"items": [{"sku": "A", "title": "x", "quantity": 0, "unit_price_fen": 100}]}, 400, "invalid_input"),
        ({"items": [{"sku": "A", "title": "x", "quantity": 1, "unit_price_fen": -1}]}, 400, "invalid_input"),
        ({"items": [{"sku": "", "title": "x", "quantity": 1, "unit_price_fen": 100}]}, 400, "invalid_input"),
        ({"paid_fen": 0}, 400, "invalid_amount"),
        ({"paid_fen": -1}, 400, "invalid_amount"),
        ({"paid_fen": "3990"}, 400, "invalid_input"),  # a string is not a number
        ({"paid_fen": "3990元"}, 400, "invalid_input"),
        ({"shop_id": 999999}, 404, "unknown_shop"),
        ({"buyer_id": 999999}, 404, "unknown_buyer"),
        ({"paid_at": "yesterday"}, 400, "invalid_input"),
        ({"paid_at": 0}, 400, "invalid_input"),  # not seconds since 1970
        ({"paid_at": "2026-04-01T08:30:00"}, 400, "invalid_input"),  # no offset: ambiguous
        ({"order_no": ""}, 400, "invalid_input"),
    ],
)
def test_a_bad_paid_order_is_refused_and_not_recorded(world, api_as, overrides, status, code):
    before = Order.objects.count()
    response = api_as(world.platform).post("/platform/orders", payload(world, **overrides))
    assert_error(response, status, code)
    assert Order.objects.count() == before
    assert not Order.objects.filter(order_no=payload(world, **overrides)["order_no"] or "-").exists()


def test_a_merchant_is_not_accepted_as_the_buyer_of_an_order(world, api_as):
    response = api_as(world.platform).post("/platform/orders", payload(world, buyer_id=world.merchant.id))
    assert_error(response, 404, "unknown_buyer")
    assert not Order.objects.filter(order_no="KS2026000001").exists()


def test_paid_fen_may_exceed_the_items_total_since_it_includes_shipping(world, api_as):
    response = api_as(world.platform).post("/platform/orders", payload(world, paid_fen=3991))
    assert response.status_code == 201, response.content
    assert response.json()["refundable_fen"] == 3991


def test_orders_show_refundable_fen_after_a_refund(world, api_as):
    # given ¥30.00 of the ¥100.00 order refunded
    a = actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=3000,
        reason="少发",
        acting_user=world.buyer,
        now=clock.now(),
    )
    actions.do_approve(a.pk, acting_user=world.merchant, now=clock.now())

    # when the buyer and the merchant look at the order
    listed = api_as(world.buyer).get("/orders").json()["items"]
    shown = api_as(world.merchant).get(f"/orders/{world.order.id}").json()

    # then both show what was refunded and what is left
    assert [(o["id"], o["paid_fen"], o["refunded_fen"], o["refundable_fen"]) for o in listed] == [
        (world.order.id, 10000, 3000, 7000)
    ]
    assert (shown["refunded_fen"], shown["refundable_fen"]) == (3000, 7000)


def test_an_unknown_order_is_404(world, api_as):
    response = api_as(world.buyer).get("/orders/999999")
    assert_error(response, 404, "not_found")


def test_pushing_an_existing_order_no_with_other_terms_is_a_conflict(world, api_as):
    platform = api_as(world.platform)
    body = {
        "order_no": world.order.order_no,
        "shop_id": world.other_shop.id,
        "buyer_id": world.buyer.id,
        "items": [{"sku": "S", "title": "t", "quantity": 1, "unit_price_fen": 10000}],
        "paid_fen": 10000,
        "paid_at": "2026-11-01T00:00:00+00:00",
    }
    response = platform.post("/platform/orders", body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_no_conflict"
    world.order.refresh_from_db()
    assert world.order.shop_id == world.shop.id
