"""Claims on some lines and the after-sales window, clicked in chromium (issue 13, items 2 and 3):
the buyer's 我的订单 says until when each order can have a request and that a late one cannot; the
buyer claims one jar of honey of an order of three lines (the whole order's amount gives way to the
line's), is refused above the line's balance with the input kept, and the merchant sees the line
claimed on the refund detail page, on PC and on the phone."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from sellerdesk.aftersales.models import AfterSale, ClaimLine
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import OrderItem
from sellerdesk.testing import factories as f

from .conftest import PHONE
from .test_aftersales_journeys import shot

pytestmark = [pytest.mark.browser]

PW = "sellerdesk-journey-pw"


@pytest.mark.django_db(transaction=True)
def test_a_buyer_claims_one_line_within_the_window_and_the_merchant_sees_it(login):
    shop = f.make_shop("好物优选旗舰店")
    merchant = f.make_user("shopkeeper", role=Role.MERCHANT, password=PW)
    merchant.shops.add(shop)
    buyer = f.make_user("zhangsan", role=Role.BUYER, password=PW, first_name="张三")
    now = clock.now()
    order = f.make_order(
        shop=shop,
        buyer=buyer,
        paid_fen=19000,
        paid_at=now - timedelta(days=3),
        delivered_at=now - timedelta(days=1),
        items=[("紫砂茶壶", 2, 6000), ("真丝围巾", 1, 4000), ("土蜂蜜 500g", 3, 1000)],
    )
    late = f.make_order(shop=shop, buyer=buyer, paid_at=now - timedelta(days=40), delivered_at=now - timedelta(days=30))
    honey = OrderItem.objects.get(order=order, title="土蜂蜜 500g")

    b = login("zhangsan", PW)
    expect(b.get_by_role("heading", name="我的订单")).to_be_visible()
    row = b.locator(f"tr[data-order='{order.order_no}']")
    expect(row.locator("[data-window]")).to_contain_text("可申请售后至")
    late_row = b.locator(f"tr[data-order='{late.order_no}']")
    expect(late_row.locator("[data-window]")).to_have_text("售后申请期已结束")
    expect(late_row.get_by_role("link", name="申请售后")).to_have_count(0)
    shot(b, "claim-01-orders-window")

    row.get_by_role("link", name="申请售后").click()
    expect(b.get_by_role("heading", name="申请售后")).to_be_visible()
    whole = b.locator("#whole-amount")
    expect(whole).to_be_visible()
    line = b.locator(f"tr[data-line='{honey.pk}']")
    line.get_by_role("checkbox").check()
    expect(whole).to_be_hidden()
    line.get_by_label("土蜂蜜 500g 的件数").fill("1")
    line.get_by_label("土蜂蜜 500g 的金额").fill("10.01")
    b.get_by_label("申请原因").select_option("少件/漏发")
    shot(b, "claim-02-new-request-lines")
    b.get_by_role("button", name="提交申请").click()

    # Above the line's share: refused on the form, nothing lost.
    expect(b.locator("[data-form-error]")).to_contain_text("“土蜂蜜 500g”最多还能申请")
    expect(line.get_by_role("checkbox")).to_be_checked()
    expect(line.get_by_label("土蜂蜜 500g 的金额")).to_have_value("10.01")
    assert not AfterSale.objects.filter(order=order).exists()

    line.get_by_label("土蜂蜜 500g 的金额").fill("10.00")
    b.get_by_role("button", name="提交申请").click()
    expect(b.locator("#request-card [data-status]")).to_have_text("待商家处理")
    expect(b.locator("#order-lines [data-claimed]")).to_contain_text("申请 1 件 · ¥10.00")
    aftersale = AfterSale.objects.get(order=order)
    assert aftersale.amount_fen == 1000
    assert list(ClaimLine.objects.filter(aftersale=aftersale).values_list("order_item_id", "quantity")) == [
        (honey.pk, 1)
    ]

    m = login("shopkeeper", PW, start=f"/workbench/aftersales/{aftersale.pk}/")
    expect(m.locator("#order-lines [data-claimed]")).to_contain_text("土蜂蜜 500g")
    expect(m.locator("#order-lines [data-claimed]")).to_contain_text("申请 1 件 · ¥10.00")
    shot(m, "claim-03-merchant-detail")
    mp = login("shopkeeper", PW, viewport=PHONE, start=f"/m/aftersales/{aftersale.pk}/")
    expect(mp.locator("[data-claimed]")).to_contain_text("申请 1 件 · ¥10.00")
    shot(mp, "claim-04-merchant-phone")
