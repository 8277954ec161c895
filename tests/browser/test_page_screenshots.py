"""Full-page screenshots of the main pages on the demo data (PC 1440 wide and phone 390×844), for
docs/screenshots/ and the README. Also checks each page rendered (heading visible, no error page).

Run alone: .venv/bin/pytest tests/browser/test_page_screenshots.py
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sellerdesk.aftersales.models import AfterSale, Status

from .conftest import PC, PHONE

pytestmark = [pytest.mark.browser]

from .shots import SHOTS  # noqa: E402

DEMO_PW = "sellerdesk-demo"


def save(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"pages-{name}.png")
    size = page.viewport_size
    if size["width"] < 500:  # phone: stretch the viewport so the sticky action bar sits at the bottom
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        page.screenshot(path=path)
        page.set_viewport_size(size)
    else:
        page.screenshot(path=path, full_page=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    mine = AfterSale.objects.filter(shop__staff__username="merchant")
    return {
        "evidence": mine.filter(status=Status.DISPUTE_AWAITING_EVIDENCE).order_by("due_at").first(),
        "review": mine.filter(status=Status.DISPUTE_PLATFORM_REVIEW, dispute__timed_out=False).first(),
        "rejected": mine.filter(status=Status.MERCHANT_REJECTED).first(),
        "other_shop": AfterSale.objects.exclude(shop__staff__username="merchant").first(),
    }


def test_screenshots_of_the_main_pages(demo, login, chromium, live_server):
    ev = demo["evidence"]
    # Login page, anonymous.
    ctx = chromium.new_context(viewport=PC, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url)
    anon = ctx.new_page()
    anon.goto("/login/")
    expect(anon.get_by_role("button", name="登录")).to_be_visible()
    save(anon, "01-login-pc")
    ctx.close()

    m = login("merchant", DEMO_PW)
    expect(m.get_by_role("heading", name="售后工作台首页")).to_be_visible()
    save(m, "02-workbench-pc")
    m.goto("/workbench/aftersales/?quick=disputes_pending")
    expect(m.locator("#aftersale-list")).to_be_visible()
    save(m, "03-query-disputes-pending-pc")
    m.goto(f"/workbench/aftersales/{ev.pk}/")
    expect(m.locator("#dispute-box")).to_be_visible()
    save(m, "04-refund-detail-pc")
    m.get_by_role("button", name="提交凭证").click()
    expect(m.locator("#dlg-evidence")).to_be_visible()
    save(m, "05-evidence-dialog-pc")
    m.goto(f"/workbench/aftersales/{demo['review'].pk}/history/")
    expect(m.get_by_role("heading", name="协商历史")).to_be_visible()
    save(m, "06-history-pc")
    resp = m.goto(f"/workbench/aftersales/{demo['other_shop'].pk}/")
    assert resp.status == 404
    save(m, "07-not-found-pc")

    phone = login("merchant", DEMO_PW, viewport=PHONE, start="/m/orders/")
    expect(phone.get_by_role("heading", name="我的订单")).to_be_visible()
    save(phone, "08-waiting-for-refund-phone")
    phone.goto(f"/m/aftersales/{ev.pk}/")
    expect(phone.locator(".m-hero")).to_be_visible()
    save(phone, "09-refund-detail-phone")
    phone.get_by_role("button", name="提交凭证").click()
    expect(phone.locator("#dlg-evidence")).to_be_visible()
    save(phone, "10-evidence-dialog-phone")
    phone.goto(f"/m/aftersales/{ev.pk}/history/")
    save(phone, "11-history-phone")

    b = login("buyer", DEMO_PW)
    expect(b.get_by_role("heading", name="我的订单")).to_be_visible()
    save(b, "12-buyer-orders-pc")
    b.locator("a", has_text="申请售后").first.click()
    expect(b.get_by_role("heading", name="申请售后")).to_be_visible()
    save(b, "13-buyer-new-request-pc")
    b.goto(f"/buyer/aftersales/{demo['rejected'].pk}/")
    save(b, "14-buyer-request-pc")
    bp = login("buyer", DEMO_PW, viewport=PHONE, start=f"/buyer/aftersales/{ev.pk}/")
    expect(bp.locator("#dispute-box")).to_be_visible()
    save(bp, "15-buyer-dispute-phone")

    cs = login("cs", DEMO_PW)
    expect(cs.get_by_role("heading", name="待判责纠纷")).to_be_visible()
    save(cs, "16-cs-queue-pc")
    # The oldest case may be waiting for a supplement (查看); open the first one to rule on.
    cs.locator("#cs-queue tbody").get_by_role("link", name="处理", exact=True).first.click()
    expect(cs.locator("#rule-form")).to_be_visible()
    save(cs, "17-cs-case-pc")

    en = chromium.new_context(viewport=PC, locale="en-US", timezone_id="Asia/Shanghai", base_url=live_server.url)
    page = en.new_page()
    page.goto("/login/")
    page.get_by_label("User name").fill("merchant")
    page.get_by_label("Password").fill(DEMO_PW)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="After-sales workbench")).to_be_visible()
    save(page, "18-workbench-english-pc")
    en.close()
