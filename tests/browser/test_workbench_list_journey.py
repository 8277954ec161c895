"""The management list (售后单查询页) clicked in chromium as a merchant uses an admin console's list
(issue 12, item 5): 共 N 条 above the table, sort by 申请金额 from its header (and back), 50 条/页,
search a buyer by the name the list shows (张三) and orders by the beginning of their number, all
keeping the order and the page size, and a date range the wrong way round told next to the dates."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from sellerdesk.aftersales import actions as a
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .test_aftersales_journeys import shot

pytestmark = [pytest.mark.browser]

PW = "sellerdesk-journey-pw"


@pytest.fixture
def shop(transactional_db):
    """A shop with 25 requests: 张三's two (one on an order of 2026-12-03), two more orders of that
    day, the rest of other buyers, each amount its own so that an order by amount is one order."""

    class W:
        pass

    w = W()
    w.shop = f.make_shop("好物优选旗舰店")
    w.merchant = f.make_user("shopkeeper", role=Role.MERCHANT, password=PW)
    w.merchant.shops.add(w.shop)
    zhang = f.make_user("zhangsan", role=Role.BUYER, first_name="张三")
    li = f.make_user("lisi", role=Role.BUYER, first_name="李四")
    wang = f.make_user("wangwu", role=Role.BUYER, first_name="王五")
    now = clock.now()
    plan = [(zhang, "KS202612030001"), (zhang, "KS202611280007"), (li, "KS202612030002"), (wang, "KS202612030003")]
    plan += [((li, wang)[i % 2], f"KS2026110{i % 9}{i:04d}") for i in range(21)]
    w.amounts = {}
    w.by_buyer, w.by_order = {}, {}
    for i, (buyer, order_no) in enumerate(plan):
        amount = 1000 + (i * 7919) % 25 * 100  # 25 different amounts, not in the order of opening
        order = f.make_order(
            shop=w.shop, buyer=buyer, paid_fen=amount, order_no=order_no, paid_at=now - timedelta(days=2)
        )
        x = a.do_open_aftersale(
            order_id=order.id,
            type="refund_only",
            amount_fen=amount,
            reason="质量问题",
            acting_user=buyer,
            now=now - timedelta(hours=30 - i),
        )
        w.amounts[x.number] = amount
        w.by_buyer.setdefault(buyer.first_name, set()).add(x.number)
        w.by_order[order_no] = x.number
    return w


def shown_numbers(page) -> list[str]:
    return page.locator("#aftersale-list tbody tr").evaluate_all("rows => rows.map(r => r.dataset.aftersale)")


def test_a_merchant_sorts_pages_searches_and_is_told_about_a_reversed_range(shop, login):
    m = login("shopkeeper", PW, start="/workbench/aftersales/")
    expect(m.locator("#list-total")).to_have_text("共 25 条")
    expect(m.locator("#aftersale-list tbody tr")).to_have_count(20)
    applied = m.get_by_role("columnheader", name="申请时间")
    expect(applied).to_have_attribute("aria-sort", "descending")  # newest first, as the column shows

    # 申请金额: largest first, then the other way round
    amount = m.get_by_role("columnheader", name="申请金额")
    amount.get_by_role("link").click()
    expect(m).to_have_url(re.compile(r"ordering=-amount_fen"))
    expect(amount).to_have_attribute("aria-sort", "descending")
    expect(applied).not_to_have_attribute("aria-sort", re.compile(".*"))
    largest = sorted(shop.amounts, key=lambda n: -shop.amounts[n])
    assert shown_numbers(m) == largest[:20]
    shot(m, "list-1-sorted-by-amount-pc")
    amount.get_by_role("link").click()
    expect(amount).to_have_attribute("aria-sort", "ascending")
    assert shown_numbers(m) == largest[::-1][:20]

    # 50 条/页: all 25 on one page, still by amount
    m.get_by_role("navigation", name="每页条数").get_by_role("link", name="50 条/页").click()
    expect(m).to_have_url(re.compile(r"ordering=amount_fen.*limit=50|limit=50.*ordering=amount_fen"))
    expect(m.locator("#aftersale-list tbody tr")).to_have_count(25)
    expect(m.get_by_role("link", name="50 条/页")).to_have_attribute("aria-current", "true")
    assert shown_numbers(m) == largest[::-1]

    # the buyer as the list shows them, then the beginning of an order number
    m.get_by_label("订单号 / 售后单号 / 买家").fill("张三")
    m.get_by_role("button", name="筛选").click()
    expect(m.locator("#list-total")).to_have_text("共 2 条")
    assert set(shown_numbers(m)) == shop.by_buyer["张三"]
    expect(m).to_have_url(re.compile(r"limit=50"))
    expect(amount).to_have_attribute("aria-sort", "ascending")  # the order stayed too
    m.get_by_label("订单号 / 售后单号 / 买家").fill("KS20261203")
    m.get_by_role("button", name="筛选").click()
    expect(m.locator("#list-total")).to_have_text("共 3 条")
    assert set(shown_numbers(m)) == {shop.by_order[f"KS20261203000{i}"] for i in (1, 2, 3)}
    shot(m, "list-2-order-number-prefix-pc")

    # a range the wrong way round: said next to the dates, never an empty list
    m.get_by_label("订单号 / 售后单号 / 买家").fill("")
    m.get_by_label("申请时间 从").fill("2026-12-05")
    m.get_by_label("至", exact=True).fill("2026-12-01")
    m.get_by_role("button", name="筛选").click()
    error = m.locator("#date-error")
    expect(error).to_have_text("申请时间的开始不能晚于结束，请重新选择时间范围。")
    expect(m.get_by_label("申请时间 从")).to_have_attribute("aria-invalid", "true")
    expect(m.get_by_label("申请时间 从")).to_have_value("2026-12-05")
    expect(m.locator("#aftersale-list")).to_have_count(0)
    expect(m.locator(".empty")).to_have_count(0)
    shot(m, "list-3-reversed-date-range-pc")

    # put right, the list is back with its order and page size
    m.get_by_label("申请时间 从").fill("")
    m.get_by_label("至", exact=True).fill("")
    m.get_by_role("button", name="筛选").click()
    expect(m.locator("#aftersale-list tbody tr")).to_have_count(25)
    expect(amount).to_have_attribute("aria-sort", "ascending")
