"""The six journeys of issue 3, clicked in chromium as a person would (no API shortcuts inside a
journey; the starting world is made with the real actions). Screenshots of the steps go to
docs/screenshots/aftersales-*.png."""

import base64
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.models import AfterSale, Dispute, Evidence, Status
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .conftest import PC, PHONE

pytestmark = [pytest.mark.browser]

PW = "sellerdesk-journey-pw"
from .shots import SHOTS  # noqa: E402


def shot(page, name):
    """A full-page screenshot. Phone pages are shot with the viewport stretched to the page's
    height, so the fixed action bar sits at the bottom as on a real phone, not mid-page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"aftersales-{name}.png")
    size = page.viewport_size
    if size and size["width"] < 500:
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        page.screenshot(path=path)
        page.set_viewport_size(size)
    else:
        page.screenshot(path=path, full_page=True)


def png_bytes(color=(220, 90, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def w(transactional_db):
    class W:
        pass

    w = W()
    w.shop = f.make_shop("好物优选旗舰店")
    w.other_shop = f.make_shop("隔壁小店")
    w.merchant = f.make_user("shopkeeper", role=Role.MERCHANT, password=PW)
    w.merchant.shops.add(w.shop)
    w.other_merchant = f.make_user("neighbour", role=Role.MERCHANT, password=PW)
    w.other_merchant.shops.add(w.other_shop)
    w.buyer = f.make_user("zhangsan", role=Role.BUYER, password=PW, first_name="张三")
    w.cs = f.make_user("agent", role=Role.CS, password=PW)
    w.order = f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=26800)
    return w


def dispute(w, *, order=None, now=None) -> AfterSale:
    """A request the merchant refused and the buyer escalated: the negotiation period is open."""
    now = now or clock.now()
    order = order or w.order
    x = a.do_open_aftersale(
        order_id=order.id,
        type="refund_only",
        amount_fen=order.paid_fen,
        reason="质量问题",
        description="茶叶受潮结块",
        acting_user=w.buyer,
        now=now,
    )
    a.do_reject(x.id, reason="买家未提供照片", acting_user=w.merchant, now=now)
    a.do_escalate(x.id, reason="商家拒绝退款，申请平台介入", acting_user=w.buyer, now=now)
    return AfterSale.objects.get(pk=x.pk)


def status_of(x) -> str:
    return AfterSale.objects.get(pk=x.pk).status


# ------------------------------------------------------------------------------ 1. the article, PC


def test_article_journey_on_pc(w, login):
    buyer = login("zhangsan", PW)
    expect(buyer).to_have_url(re.compile(r"/buyer/orders/$"))
    buyer.locator(f"tr[data-order='{w.order.order_no}']").get_by_role("link", name="申请售后").click()
    expect(buyer.get_by_label("退款金额（元）")).to_have_value("268.00")  # pre-filled: refundable
    buyer.get_by_label("申请原因").select_option("质量问题")
    buyer.get_by_label("问题描述").fill("茶叶受潮结块，无法饮用")
    buyer.get_by_label("上传图片").set_input_files(
        [{"name": "受潮.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    buyer.get_by_role("button", name="提交申请").click()
    expect(buyer.locator("#request-card [data-status]")).to_have_text("待商家处理")
    x = AfterSale.objects.get(order=w.order)

    merchant = login("shopkeeper", PW)
    expect(merchant.get_by_role("heading", name="售后工作台首页")).to_be_visible()
    merchant.get_by_role("link", name="售后单查询", exact=True).first.click()
    merchant.locator(f"tr[data-aftersale='{x.number}']").get_by_role("link", name="退款详情").click()
    merchant.get_by_role("button", name="拒绝售后").click()
    merchant.locator("#dlg-reject").get_by_label("拒绝原因").fill("茶叶出厂检验合格，受潮系保存不当")
    merchant.locator("#dlg-reject").get_by_role("button", name="确认拒绝").click()
    expect(merchant.locator("#request-card [data-status]")).to_have_text("商家已拒绝")

    buyer.reload()
    buyer.get_by_role("button", name="申请平台介入").click()
    buyer.locator("#dlg-escalate").get_by_label("介入原因").fill("商家拒绝退款，申请平台介入")
    buyer.locator("#dlg-escalate").get_by_role("button", name="提交申请").click()
    expect(buyer.locator("#request-card [data-status]")).to_have_text("待商家提供凭证")
    expect(buyer.locator("#dispute-box .countdown-left")).to_contain_text("剩余")
    assert status_of(x) == Status.DISPUTE_AWAITING_EVIDENCE

    # 方式一: 快捷筛选 "纠纷待处理", then 筛选.
    merchant.get_by_role("link", name="售后单查询", exact=True).first.click()
    merchant.locator("label.chip", has_text="纠纷待处理").click()
    merchant.get_by_role("button", name="筛选").click()
    expect(merchant).to_have_url(re.compile(r"quick=disputes_pending"))
    row = merchant.locator(f"tr[data-aftersale='{x.number}']")
    expect(row).to_be_visible()
    expect(row.locator(".countdown-left")).to_contain_text(re.compile(r"剩余 (23|24):\d\d:\d\d"))
    due = AfterSale.objects.get(pk=x.pk).due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    expect(row.locator(".countdown-due")).to_contain_text(due.strftime("%Y-%m-%d %H:%M:%S"))
    shot(merchant, "1-query-disputes-pending-pc")
    # 方式二: 售后状态 "待商家提供凭证", then 筛选.
    merchant.locator("label.chip", has_text="全部").click()
    merchant.get_by_label("售后状态").select_option(label="待商家提供凭证")
    merchant.get_by_role("button", name="筛选").click()
    expect(merchant).to_have_url(re.compile(r"status=dispute_awaiting_evidence"))
    row = merchant.locator(f"tr[data-aftersale='{x.number}']")
    expect(merchant.locator("#aftersale-list tbody tr")).to_have_count(1)
    row.get_by_role("link", name="退款详情").click()
    expect(merchant.get_by_role("heading", name="退款详情")).to_be_visible()
    expect(merchant.locator("#dispute-box .countdown-left")).to_contain_text("剩余")
    expect(merchant.locator("#request-card img")).to_have_count(1)  # the buyer's photo, previewed
    shot(merchant, "2-refund-detail-pc")
    merchant.get_by_role("button", name="提交凭证").click()
    dialog = merchant.locator("#dlg-evidence")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("最多 9 个文件")
    dialog.get_by_label("举证说明").fill("出厂检验合格，附发货前实拍与物流签收记录。")
    dialog.get_by_label("上传凭证").set_input_files(
        [{"name": "发货前实拍.png", "mimeType": "image/png", "buffer": png_bytes((40, 120, 200))}]
    )
    expect(dialog.locator("[data-chosen-files] img")).to_have_count(1)  # a thumbnail before sending
    shot(merchant, "3-evidence-dialog-pc")
    dialog.get_by_role("button", name="提交凭证").click()
    expect(dialog.locator("[data-confirm-panel]")).to_contain_text("平台客服判责")
    dialog.get_by_role("button", name="确认提交").click()
    expect(merchant.locator(".flash")).to_contain_text("凭证已提交")
    expect(merchant.locator("#request-card [data-status]")).to_have_text("平台处理中")

    cs = login("agent", PW)
    expect(cs.get_by_role("heading", name="待判责纠纷")).to_be_visible()
    shot(cs, "4-cs-queue-pc")
    cs.locator(f"tr[data-aftersale='{x.number}']").get_by_role("link", name="处理").click()
    expect(cs.locator("#dispute-box .evidence")).to_contain_text("出厂检验合格")
    expect(cs.locator("#dispute-box .evidence img")).to_have_count(1)
    form = cs.locator("#rule-form")
    form.get_by_role("radio", name="部分退款").check()
    form.get_by_label("部分退款金额（元）").fill("100.00")
    form.get_by_role("radio", name="商家责任").check()
    form.get_by_label("判责理由").fill("商品保存说明不足，双方各担部分责任。")
    shot(cs, "5-cs-case-pc")
    cs.once("dialog", lambda d: d.accept())  # the ruling moves money: the page asks first
    form.get_by_role("button", name="提交判责").click()
    expect(cs.locator("#request-card [data-status]")).to_have_text("退款成功")

    buyer.reload()
    expect(buyer.locator("#request-card [data-status]")).to_have_text("退款成功")
    expect(buyer.locator("#ruling")).to_contain_text("部分退款")
    expect(buyer.locator("#request-card")).to_contain_text("¥100.00")
    shot(buyer, "6-buyer-outcome-pc")

    merchant.reload()
    expect(merchant.locator("#ruling")).to_contain_text("商家责任")
    merchant.get_by_role("link", name="协商历史", exact=True).click()
    expect(merchant.get_by_role("heading", name="协商历史")).to_be_visible()
    kinds = merchant.locator(".tl-kind").all_inner_texts()
    assert kinds == ["买家申请售后", "商家拒绝售后", "买家申请平台介入", "提交凭证", "平台判责", "退款成功"]
    expect(merchant.locator(".tl-item.tl-buyer").first).to_be_visible()
    expect(merchant.locator(".tl-item.tl-merchant").first).to_be_visible()
    expect(merchant.locator(".tl-item.tl-cs").first).to_be_visible()
    expect(merchant.locator(".tl-item a[href^='/api/v1/attachments/']").first).to_be_visible()
    shot(merchant, "7-history-pc")
    buyer.get_by_role("link", name="协商历史", exact=True).first.click()
    assert buyer.locator(".tl-kind").all_inner_texts() == kinds


# ---------------------------------------------------------------------------------- 2. the phone


def test_same_merchant_steps_on_the_phone(w, login):
    x = dispute(w)
    phone = login("shopkeeper", PW, viewport=PHONE, start="/m/orders/")
    expect(phone.get_by_role("heading", name="我的订单")).to_be_visible()
    phone.get_by_role("link", name=re.compile("等待退款")).click()
    card = phone.locator(f"[data-aftersale='{x.number}']")
    expect(card).to_contain_text("待商家举证")
    expect(card.locator(".countdown-left")).to_contain_text("剩余")
    shot(phone, "8-waiting-for-refund-phone")
    card.click()
    expect(phone.get_by_role("heading", name="退款详情")).to_be_visible()
    expect(phone.locator(".m-hero")).to_contain_text("等待商家上传举证")
    expect(phone.locator(".m-hero .countdown-left")).to_contain_text(re.compile(r"剩余 \d\d:\d\d:\d\d"))
    shot(phone, "9-refund-detail-phone")
    phone.get_by_role("button", name="提交凭证").click()
    dialog = phone.locator("#dlg-evidence")
    expect(dialog).to_be_visible()
    dialog.get_by_label("举证说明").fill("手机拍摄的发货前实拍")
    dialog.get_by_label("上传凭证").set_input_files(
        [{"name": "IMG_2041.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    shot(phone, "10-evidence-dialog-phone")
    dialog.get_by_role("button", name="提交凭证").click()
    dialog.get_by_role("button", name="确认提交").click()
    expect(phone.locator(".flash")).to_contain_text("凭证已提交")
    expect(phone.locator(".m-hero [data-status]")).to_have_text("平台处理中")
    assert status_of(x) == Status.DISPUTE_PLATFORM_REVIEW
    assert Evidence.objects.get(dispute__aftersale=x).attachments.count() == 1
    phone.get_by_role("link", name="协商历史").first.click()
    expect(phone.locator(".tl-kind").last).to_have_text("提交凭证")


# ---------------------------------------------------------------------- 3. the buyer cancels


def test_buyer_cancels_during_negotiation_and_lists_update(w, login):
    negotiating = dispute(w)
    reviewed = dispute(w, order=f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=5900))
    a.do_submit_evidence(reviewed.id, statement="已发货", acting_user=w.merchant, now=clock.now())

    merchant = login("shopkeeper", PW, start="/workbench/aftersales/?quick=disputes_pending")
    expect(merchant.locator(f"tr[data-aftersale='{negotiating.number}']")).to_be_visible()
    cs = login("agent", PW)
    expect(cs.locator(f"tr[data-aftersale='{reviewed.number}']")).to_be_visible()

    buyer = login("zhangsan", PW)
    for x in (negotiating, reviewed):
        buyer.goto(f"/buyer/aftersales/{x.pk}/")
        buyer.get_by_role("button", name="撤销申请").click()
        buyer.locator("#dlg-cancel").get_by_role("button", name="确认撤销").click()
        expect(buyer.locator("#request-card [data-status]")).to_have_text("已撤销")
        expect(buyer.locator("#dispute-box")).to_contain_text("纠纷取消")

    merchant.reload()
    expect(merchant.locator(f"tr[data-aftersale='{negotiating.number}']")).to_have_count(0)
    expect(merchant.locator(".empty")).to_contain_text("没有符合条件的售后单")
    cs.reload()
    expect(cs.locator(f"tr[data-aftersale='{reviewed.number}']")).to_have_count(0)
    assert not Dispute.objects.filter(aftersale__in=[negotiating, reviewed], ruling__isnull=False).exists()


# ------------------------------------------------------------------- 4. the merchant agrees


def test_merchant_agrees_during_the_dispute_and_both_see_the_refund(w, login):
    x = dispute(w)
    merchant = login("shopkeeper", PW, start=f"/workbench/aftersales/{x.pk}/")
    merchant.get_by_role("button", name="同意售后").click()
    dlg = merchant.locator("#dlg-approve")
    expect(dlg).to_contain_text("¥268.00")
    dlg.get_by_role("button", name="确认同意").click()
    expect(merchant.locator("#request-card [data-status]")).to_have_text("退款成功")
    expect(merchant.locator("#request-card")).to_contain_text("已退款")
    expect(merchant.locator("#dispute-box")).to_contain_text("纠纷完成")

    buyer = login("zhangsan", PW, start=f"/buyer/aftersales/{x.pk}/")
    expect(buyer.locator("#request-card [data-status]")).to_have_text("退款成功")
    expect(buyer.locator("#request-card")).to_contain_text("¥268.00")
    expect(buyer.locator(".tl-kind")).to_contain_text(["商家同意售后", "退款成功"])
    assert AfterSale.objects.get(pk=x.pk).refund.amount_fen == 26800


# -------------------------------------------------------------------------- 5. the 24 h timeout


def test_evidence_timeout_moves_the_dispute_to_cs_marked_no_evidence(w, login, settings):
    settings.SELLERDESK_DEADLINES = {**settings.SELLERDESK_DEADLINES, "evidence": 3}
    x = dispute(w)
    merchant = login("shopkeeper", PW, start="/workbench/aftersales/?quick=disputes_pending")
    row = merchant.locator(f"tr[data-aftersale='{x.number}']")
    expect(row).to_be_visible()
    expect(row.locator(".countdown-left")).to_have_text("已超时", timeout=8_000)  # ticks to zero live
    a.sweep(now=clock.now() + timedelta(seconds=1))
    assert status_of(x) == Status.DISPUTE_PLATFORM_REVIEW
    merchant.reload()
    expect(merchant.locator(f"tr[data-aftersale='{x.number}']")).to_have_count(0)

    cs = login("agent", PW)
    row = cs.locator(f"tr[data-aftersale='{x.number}']")
    expect(row).to_contain_text("商家超时未举证")
    row.get_by_role("link", name="处理").click()
    expect(cs.locator("#dispute-box")).to_contain_text("商家在24小时内未提交举证")
    expect(cs.locator(".tl-kind").last).to_have_text("商家超时未举证")


# ------------------------------------------------------------- 6. bad input, another shop's URL


def test_bad_evidence_input_is_refused_clearly_and_changes_nothing(w, login):
    x = dispute(w)
    merchant = login("shopkeeper", PW, start=f"/workbench/aftersales/{x.pk}/")
    merchant.get_by_role("button", name="提交凭证").click()
    dialog = merchant.locator("#dlg-evidence")
    error = dialog.locator("[data-form-error]")
    submit = dialog.get_by_role("button", name="提交凭证")

    submit.click()  # empty statement
    expect(error).to_contain_text("请填写举证说明")
    dialog.get_by_label("举证说明").fill("附质检报告")
    files = dialog.get_by_label("上传凭证")
    files.set_input_files([{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    expect(error).to_contain_text("notes.txt")
    expect(error).to_contain_text("不是允许的类型")
    files.set_input_files([{"name": "huge.png", "mimeType": "image/png", "buffer": b"\0" * (10 * 1024 * 1024 + 1)}])
    expect(error).to_contain_text("超过大小上限")
    expect(error).to_contain_text("huge.png")
    expect(dialog.locator("[data-chosen-files] li")).to_have_count(0)  # neither was taken
    assert merchant.url.endswith(f"/workbench/aftersales/{x.pk}/")
    # A file that claims to be an image passes the browser's check; the server judges the content.
    files.set_input_files([{"name": "fake.png", "mimeType": "image/png", "buffer": b"MZ\x90\x00 not an image"}])
    expect(error).to_be_empty()
    submit.click()
    dialog.get_by_role("button", name="确认提交").click()
    expect(dialog).to_be_visible()  # still open, with the server's message
    expect(dialog.locator("[data-form-error]")).to_contain_text("fake.png")
    expect(dialog.locator("[data-form-error]")).to_contain_text("按文件内容判断")
    expect(dialog.get_by_label("举证说明")).to_have_value("附质检报告")  # the input is kept
    expect(dialog.locator("[data-chosen-files]")).to_contain_text("fake.png")  # and the chosen file
    shot(merchant, "11-evidence-refused-pc")
    assert status_of(x) == Status.DISPUTE_AWAITING_EVIDENCE
    assert not Evidence.objects.filter(dispute__aftersale=x).exists()

    neighbour = login("neighbour", PW)
    response = neighbour.goto(f"/workbench/aftersales/{x.pk}/")
    assert response.status == 404
    expect(neighbour.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(neighbour.locator("body")).not_to_contain_text(x.number)


# --------------------------------------------------------- 7. evidence drafted over two visits (issue 12)


@pytest.mark.parametrize("size", ["pc", "phone"])
def test_evidence_is_drafted_over_two_visits_then_submitted_after_a_confirmation(w, login, size):
    x = dispute(w)
    phone = size == "phone"
    start = f"/m/aftersales/{x.pk}/" if phone else f"/workbench/aftersales/{x.pk}/"
    page = login("shopkeeper", PW, viewport=PHONE if phone else PC, start=start)
    page.get_by_role("button", name="提交凭证").click()
    dialog = page.locator("#dlg-evidence")
    counter = dialog.locator("[data-counter]")
    expect(counter).to_have_text("0 / 2,000")
    statement = dialog.get_by_label("举证说明")
    statement.fill("茶叶出厂检验合格，附发货前实拍。")
    expect(counter).to_have_text("16 / 2,000")
    # More than the limit is refused, never cut: the text stays as typed and the counter says so.
    statement.fill("长" * 2001)
    expect(counter).to_have_text("2,001 / 2,000")
    expect(dialog.locator("[data-form-error]")).to_contain_text("超过了 2,000 字的上限")
    assert len(statement.input_value()) == 2001
    dialog.get_by_role("button", name="保存草稿").click()
    expect(dialog.locator("[data-form-error]")).to_contain_text("超过了 2,000 字的上限")
    statement.fill("茶叶出厂检验合格，附发货前实拍。")
    expect(dialog.locator("[data-form-error]")).to_be_empty()
    dialog.get_by_label("上传凭证").set_input_files(
        [
            {"name": "发货前实拍.png", "mimeType": "image/png", "buffer": png_bytes((40, 120, 200))},
            {"name": "打包.png", "mimeType": "image/png", "buffer": png_bytes((30, 160, 90))},
        ]
    )
    chosen = dialog.locator("[data-chosen-files] li")
    expect(chosen).to_have_count(2)
    expect(dialog.locator("[data-chosen-files] img")).to_have_count(2)  # thumbnails before sending
    shot(page, f"12-evidence-draft-thumbnails-{size}")
    dialog.get_by_role("button", name="删除 打包.png").click()
    expect(chosen).to_have_count(1)
    dialog.get_by_role("button", name="保存草稿").click()
    expect(dialog.locator("[data-draft-status]")).to_contain_text("草稿已保存")
    expect(dialog.locator("[data-saved-files] li")).to_have_count(1)
    expect(chosen).to_have_count(0)
    assert status_of(x) == Status.DISPUTE_AWAITING_EVIDENCE  # a draft sends nothing

    # Come back later: the draft is there, with its thumbnail.
    page.reload()
    page.get_by_role("button", name="提交凭证").click()
    expect(dialog.locator("[data-draft-status]")).to_contain_text("已恢复您保存的草稿")
    expect(statement).to_have_value("茶叶出厂检验合格，附发货前实拍。")
    expect(dialog.locator("[data-saved-files] img")).to_have_count(1)
    expect(dialog.locator("[data-saved-files]")).to_contain_text("发货前实拍.png")
    # A second image dropped onto the dialog.
    transfer = page.evaluate_handle(
        """b64 => { const dt = new DataTransfer();
                    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                    dt.items.add(new File([bytes], '签收记录.png', {type: 'image/png'}));
                    return dt; }""",
        base64.b64encode(png_bytes((200, 200, 40))).decode(),
    )
    dialog.dispatch_event("drop", {"dataTransfer": transfer})
    expect(dialog.locator("[data-chosen-files]")).to_contain_text("签收记录.png")
    dialog.get_by_role("button", name="提交凭证").click()
    panel = dialog.locator("[data-confirm-panel]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("平台客服判责")
    expect(panel).to_contain_text("不能再修改")
    shot(page, f"13-evidence-draft-confirm-{size}")
    panel.get_by_role("button", name="确认提交").click()
    expect(page.locator(".flash")).to_contain_text("凭证已提交")
    status = page.locator(".m-hero [data-status]") if phone else page.locator("#request-card [data-status]")
    expect(status).to_have_text("平台处理中")
    evidence = Evidence.objects.get(dispute__aftersale=x)
    assert evidence.statement == "茶叶出厂检验合格，附发货前实拍。"
    assert sorted(evidence.attachments.values_list("original_name", flat=True)) == ["发货前实拍.png", "签收记录.png"]


def test_a_server_refusal_of_a_draft_loses_nothing_typed_or_chosen(w, login):
    x = dispute(w)
    page = login("shopkeeper", PW, start=f"/workbench/aftersales/{x.pk}/")
    page.get_by_role("button", name="提交凭证").click()
    dialog = page.locator("#dlg-evidence")
    dialog.get_by_label("举证说明").fill("第一次保存")
    dialog.get_by_label("上传凭证").set_input_files(
        [{"name": "实拍.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    dialog.get_by_role("button", name="保存草稿").click()
    expect(dialog.locator("[data-saved-files] li")).to_have_count(1)
    dialog.get_by_label("举证说明").fill("第二次修改，附一个假图片")
    dialog.get_by_label("上传凭证").set_input_files(
        [{"name": "fake.png", "mimeType": "image/png", "buffer": b"MZ\x90\x00 not an image"}]
    )
    dialog.get_by_role("button", name="保存草稿").click()
    error = dialog.locator("[data-form-error]")
    expect(error).to_contain_text("fake.png")
    expect(error).to_contain_text("按文件内容判断")
    expect(dialog.get_by_label("举证说明")).to_have_value("第二次修改，附一个假图片")
    expect(dialog.locator("[data-chosen-files]")).to_contain_text("fake.png")
    expect(dialog.locator("[data-saved-files]")).to_contain_text("实拍.png")
    shot(page, "14-evidence-draft-refused-pc")
    assert status_of(x) == Status.DISPUTE_AWAITING_EVIDENCE
