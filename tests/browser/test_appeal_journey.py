"""售后申诉 clicked in chromium (issue 13, item 1): the buyer appeals a ruling from the refund detail
page with a photo, the merchant sees it on the phone, the agent who ruled cannot decide it, a
second agent overturns it from the CS console's appeals queue after confirming, and both parties
see the outcome and the history."""

import re

import pytest
from playwright.sync_api import expect

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.models import AfterSale, Refund
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .conftest import PHONE
from .test_aftersales_journeys import png_bytes, shot

pytestmark = [pytest.mark.browser]

PW = "sellerdesk-journey-pw"


def escalated_world():
    """A shop, its merchant, a buyer, two CS agents and a request the buyer escalated after the
    merchant refused it: the negotiation period is open. (The CS tools journey starts here too.)"""

    class W:
        pass

    w = W()
    w.shop = f.make_shop("好物优选旗舰店")
    w.merchant = f.make_user("shopkeeper", role=Role.MERCHANT, password=PW)
    w.merchant.shops.add(w.shop)
    w.buyer = f.make_user("zhangsan", role=Role.BUYER, password=PW, first_name="张三")
    w.cs = f.make_user("agent1", role=Role.CS, password=PW)
    w.cs2 = f.make_user("agent2", role=Role.CS, password=PW)
    order = f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=26800)
    now = clock.now()
    x = a.do_open_aftersale(
        order_id=order.id,
        type="refund_only",
        amount_fen=26800,
        reason="质量问题",
        description="茶叶受潮",
        acting_user=w.buyer,
        now=now,
    )
    a.do_reject(x.id, reason="买家未提供照片", acting_user=w.merchant, now=now)
    a.do_escalate(x.id, reason="商家拒绝退款", acting_user=w.buyer, now=now)
    w.x = AfterSale.objects.get(pk=x.pk)
    return w


@pytest.fixture
def ruled(transactional_db):
    """The dispute, ruled by agent1 against the buyer (no refund, buyer liable) a minute ago."""
    w = escalated_world()
    now = clock.now()
    a.do_submit_evidence(w.x.id, statement="出厂检验合格", acting_user=w.merchant, now=now)
    a.do_rule(w.x.id, outcome="no_refund", liable="buyer", note="买家未提供受潮证据。", acting_user=w.cs, now=now)
    w.x = AfterSale.objects.get(pk=w.x.pk)
    return w


def test_a_buyer_appeals_and_another_agent_overturns_the_ruling(ruled, login):
    x = ruled.x
    buyer = login("zhangsan", PW, start=f"/buyer/aftersales/{x.pk}/")
    expect(buyer.locator("#ruling")).to_contain_text("不退款")
    expect(buyer.locator("#appeal-window")).to_contain_text("前申诉一次")
    buyer.get_by_role("button", name="申诉").click()
    dialog = buyer.locator("#dlg-appeal")
    expect(dialog).to_be_visible()
    dialog.get_by_label("申诉理由").fill("判责没有看我收货当天拍的受潮照片。")
    dialog.get_by_label("补充凭证（选填）").set_input_files(
        [{"name": "受潮照片.png", "mimeType": "image/png", "buffer": png_bytes((200, 60, 60))}]
    )
    shot(buyer, "appeal-1-dialog-pc")
    dialog.get_by_role("button", name="提交申诉").click()
    expect(buyer.locator(".flash")).to_contain_text("申诉已提交")
    expect(buyer.locator("#appeal")).to_contain_text("待复核")
    expect(buyer.get_by_role("button", name="申诉")).to_have_count(0)  # once per request

    merchant = login("shopkeeper", PW, viewport=PHONE, start=f"/m/aftersales/{x.pk}/")
    expect(merchant.locator("#appeal")).to_contain_text("待复核")
    assert merchant.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    ruler = login("agent1", PW)
    ruler.goto("/cs/")
    row = ruler.locator(f"tr[data-appeal='{x.number}']")
    expect(row).to_contain_text("您作出的判责")
    ruler.goto(f"/cs/cases/{x.pk}/")
    expect(ruler.locator("#appeal-other-agent")).to_be_visible()
    expect(ruler.locator("#decide-appeal-form")).to_have_count(0)

    cs = login("agent2", PW)
    cs.goto("/cs/")
    expect(cs.get_by_role("heading", name=re.compile("申诉待复核"))).to_be_visible()
    shot(cs, "appeal-2-cs-queue-pc")
    cs.locator(f"tr[data-appeal='{x.number}']").get_by_role("link", name="复核").click()
    expect(cs.locator("#appeal")).to_contain_text("受潮照片")
    form = cs.locator("#decide-appeal-form")
    form.get_by_role("radio", name="改判").check()
    form.get_by_role("radio", name="全额退款").check()
    form.get_by_role("radio", name="商家责任").check()
    form.get_by_label("复核说明").fill("买家照片显示收货时已受潮，改判全额退款。")
    shot(cs, "appeal-3-decide-pc")
    # The decision moves money: the page asks first, and a "no" sends nothing.
    cs.once("dialog", lambda d: d.dismiss())
    form.get_by_role("button", name="提交复核").click()
    expect(form).to_be_visible()
    assert not Refund.objects.filter(aftersale=x).exists()
    cs.once("dialog", lambda d: d.accept())
    form.get_by_role("button", name="提交复核").click()
    expect(cs.locator(".flash")).to_contain_text("申诉复核完成")
    expect(cs.locator("#request-card [data-status]")).to_have_text("退款成功")

    buyer.reload()
    expect(buyer.locator("#appeal")).to_contain_text("改判")
    expect(buyer.locator("#appeal")).to_contain_text("全额退款")
    expect(buyer.locator("#request-card [data-status]")).to_have_text("退款成功")
    shot(buyer, "appeal-4-outcome-pc")
    buyer.get_by_role("link", name="协商历史", exact=True).first.click()
    kinds = buyer.locator(".tl-kind").all_inner_texts()
    assert kinds[-3:] == ["提交售后申诉", "申诉复核：改判", "退款成功"], kinds
    assert Refund.objects.get(aftersale=x).source == "appeal"
