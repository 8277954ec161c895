"""CS tools clicked in chromium (issue 13, item 4): an agent claims a case, extends the merchant's
evidence deadline with a reason the merchant sees, leaves an internal note the parties never see,
another agent sees the claim in the queue and cannot rule, and a ruling whose outcome and
liability disagree is refused until a reason is chosen."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.models import AfterSale
from sellerdesk.core import clock

from .test_aftersales_journeys import shot
from .test_appeal_journey import PW, escalated_world

pytestmark = [pytest.mark.browser]


@pytest.fixture
def case(transactional_db):
    return escalated_world()


def test_an_agent_claims_extends_notes_and_rules_with_a_reason(case, login):
    x = case.x
    cs = login("agent1", PW, start=f"/cs/cases/{x.pk}/")
    cs.locator("#claim-box").get_by_role("button", name="认领").click()
    expect(cs.locator(".flash")).to_contain_text("已认领")
    expect(cs.locator("#claim-box")).to_contain_text("认领")
    form = cs.locator("#extend-deadline-form")
    form.get_by_label("延长（小时）").fill("12")
    form.get_by_label("延长原因").fill("商家申请补拍发货视频")
    form.get_by_role("button", name="确认延长").click()
    expect(cs.locator(".flash")).to_contain_text("期限已延长")
    assert AfterSale.objects.get(pk=x.pk).due_at == x.due_at + timedelta(hours=12)
    note = cs.locator("#cs-note-form")
    note.get_by_label("备注内容").fill("已电话联系商家，周五前补视频。")
    note.get_by_role("button", name="添加备注").click()
    expect(cs.locator(".flash")).to_contain_text("内部备注已添加")
    expect(cs.locator(".tl-kind", has_text="客服内部备注")).to_be_visible()
    shot(cs, "cs-tools-1-case-pc")

    merchant = login("shopkeeper", PW, start=f"/workbench/aftersales/{x.pk}/history/")
    kinds = merchant.locator(".tl-kind").all_inner_texts()
    assert "平台延长期限" in kinds
    assert "客服内部备注" not in kinds and "客服认领" not in kinds
    expect(merchant.locator(".tl-item", has_text="平台延长期限")).to_contain_text("商家申请补拍发货视频")

    a.do_submit_evidence(x.pk, statement="出厂检验合格", acting_user=case.merchant, now=clock.now())
    other = login("agent2", PW, start="/cs/")
    expect(other.locator(f"tr[data-aftersale='{x.number}'] [data-claimed-by]")).to_contain_text("平台客服")
    other.goto(f"/cs/cases/{x.pk}/")
    expect(other.locator("#rule-form")).to_have_count(0)
    expect(other.locator("#claim-box")).to_contain_text("认领")

    cs.goto(f"/cs/cases/{x.pk}/")
    rule = cs.locator("#rule-form")
    rule.get_by_role("radio", name="全额退款").check()
    rule.get_by_role("radio", name="买家责任").check()
    rule.get_by_label("判责理由").fill("买家保存不当，按平台保障规则退款。")
    cs.once("dialog", lambda d: d.dismiss())  # a "no" at the confirmation sends nothing
    rule.get_by_role("button", name="提交判责").click()
    expect(cs.locator("#request-card [data-status]")).to_have_text("平台处理中")
    cs.once("dialog", lambda d: d.accept())
    rule.get_by_role("button", name="提交判责").click()
    expect(cs.locator("#rule-form .form-error")).to_contain_text("请选择原因")
    expect(cs.locator("#rule-form").get_by_label("判责理由")).to_have_value("买家保存不当，按平台保障规则退款。")
    rule = cs.locator("#rule-form")
    rule.get_by_label("结果与责任方不一致的原因").select_option("platform_guarantee")
    cs.once("dialog", lambda d: d.accept())
    rule.get_by_role("button", name="提交判责").click()
    expect(cs.locator("#request-card [data-status]")).to_have_text("退款成功")
