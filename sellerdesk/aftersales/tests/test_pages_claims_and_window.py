"""The pages of claims on some lines and of the after-sales window (issue 13, items 2 and 3): the
buyer's 我的订单 says until when a request can be opened, 申请售后 takes lines with counts and
amounts, and the detail pages show the lines claimed."""

from datetime import timedelta

from django.utils import timezone

from sellerdesk.aftersales.models import AfterSale, ClaimLine
from sellerdesk.core import clock
from sellerdesk.orders.models import OrderItem
from sellerdesk.testing import factories as f

from .test_pages import client_for, text

LINES = [("茶壶", 2, 6000), ("围巾", 1, 4000), ("蜂蜜", 3, 1000)]


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def test_my_orders_says_until_when_a_request_can_be_opened(world):
    now = clock.now()
    open_order = f.make_order(
        shop=world.shop, buyer=world.buyer, paid_at=now - timedelta(days=4), delivered_at=now - timedelta(days=2)
    )
    closed = f.make_order(
        shop=world.shop, buyer=world.buyer, paid_at=now - timedelta(days=40), delivered_at=now - timedelta(days=20)
    )

    page = text(client_for(world.buyer).get("/buyer/orders/"))

    assert f"可申请售后至 {local(open_order.aftersale_window_ends_at)}" in page
    row = page[page.index(f'data-order="{closed.order_no}"') :].split("</tr>")[0]
    assert "售后申请期已结束" in row and "申请售后</a>" not in row
    assert f"/buyer/orders/{closed.pk}/aftersale/" not in page
    assert f"/buyer/orders/{open_order.pk}/aftersale/" in page


def test_a_request_on_some_lines_is_made_from_the_form(world):
    order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=19000, items=LINES)
    pot, _, honey = OrderItem.objects.filter(order=order).order_by("id")
    b = client_for(world.buyer)
    form = text(b.get(f"/buyer/orders/{order.pk}/aftersale/"))
    assert "申请的商品" in form and f'name="qty_{honey.pk}"' in form

    resp = b.post(
        f"/buyer/orders/{order.pk}/aftersale/",
        {
            "type": "refund_only",
            "amount": "190.00",  # the whole order's field, which the ticked lines replace
            "reason": "少件/漏发",
            "description": "",
            f"line_{honey.pk}": "1",
            f"qty_{honey.pk}": "2",
            f"amount_{honey.pk}": "20.00",
            f"qty_{pot.pk}": "2",
            f"amount_{pot.pk}": "120.00",
        },
    )

    assert resp.status_code == 302, text(resp)
    aftersale = AfterSale.objects.get(order=order)
    assert aftersale.amount_fen == 2000
    assert list(ClaimLine.objects.values_list("order_item_id", "quantity", "amount_fen")) == [(honey.pk, 2, 2000)]
    merchant_page = text(client_for(world.merchant).get(f"/workbench/aftersales/{aftersale.pk}/"))
    assert "申请 2 件 · ¥20.00" in merchant_page
    assert "申请 2 件 · ¥20.00" in text(client_for(world.merchant).get(f"/m/aftersales/{aftersale.pk}/"))


def test_a_claim_above_a_lines_balance_is_refused_on_the_form_with_the_input_kept(world):
    order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=19000, items=LINES)
    _, scarf, _ = OrderItem.objects.filter(order=order).order_by("id")

    resp = client_for(world.buyer).post(
        f"/buyer/orders/{order.pk}/aftersale/",
        {
            "type": "refund_only",
            "reason": "质量问题",
            f"line_{scarf.pk}": "1",
            f"qty_{scarf.pk}": "1",
            f"amount_{scarf.pk}": "40.01",
        },
    )

    assert resp.status_code == 409
    page = text(resp)
    assert "“围巾”最多还能申请 1 件、¥40.00。" in page
    assert 'value="40.01"' in page and f'name="line_{scarf.pk}" id="line_{scarf.pk}" value="1" checked' in page
    assert not AfterSale.objects.filter(order=order).exists()


def test_the_form_says_the_window_has_closed_and_refuses_a_request(world):
    now = clock.now()
    order = f.make_order(
        shop=world.shop, buyer=world.buyer, paid_at=now - timedelta(days=40), delivered_at=now - timedelta(days=20)
    )
    b = client_for(world.buyer)

    form = text(b.get(f"/buyer/orders/{order.pk}/aftersale/"))
    assert "售后申请期已于" in form and 'type="submit" disabled' in form

    resp = b.post(
        f"/buyer/orders/{order.pk}/aftersale/", {"type": "refund_only", "amount": "10.00", "reason": "质量问题"}
    )
    assert resp.status_code == 409
    assert "售后申请期已于" in text(resp)
    assert not AfterSale.objects.filter(order=order).exists()
