"""The pages (views.py): each answers its user, hides other shops' and buyers' objects (404), and
every POST goes through a domain action; refusals come back as a message on the same page with
the input kept and nothing changed."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.models import AfterSale, Dispute, Status
from sellerdesk.aftersales.stats import dispute_figures, workbench_summary
from sellerdesk.core import clock
from sellerdesk.testing import factories as f

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


def client_for(user) -> Client:
    c = Client(**ZH)
    c.force_login(user)
    return c


def png(name="photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def text(resp) -> str:
    return resp.content.decode()


def open_request(w, **kw):
    return a.do_open_aftersale(
        order_id=w.order.id,
        type="refund_only",
        amount_fen=kw.get("amount", 10000),
        reason="商品与描述不符",
        description="颜色不对",
        acting_user=w.buyer,
        now=kw.get("now", clock.now()),
    )


def in_dispute(w, now=None):
    now = now or clock.now()
    x = open_request(w, now=now)
    a.do_reject(x.id, reason="不支持仅退款", acting_user=w.merchant, now=now)
    a.do_escalate(x.id, reason="商家拒绝", acting_user=w.buyer, now=now)
    return AfterSale.objects.get(pk=x.pk)


# ----------------------------------------------------------------------------------- who sees what


def test_login_lands_each_role_on_its_home(world):
    for user, home in ((world.merchant, "/workbench/"), (world.buyer, "/buyer/orders/"), (world.cs, "/cs/")):
        c = Client(**ZH)
        resp = c.post("/login/", {"username": user.username, "password": "sellerdesk-test-pw"})
        assert resp.status_code == 302
        assert c.get("/").url == home


def test_pages_need_login(world):
    resp = Client().get("/workbench/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")


def test_every_page_answers_its_user(world):
    x = in_dispute(world)
    m, b, cs = client_for(world.merchant), client_for(world.buyer), client_for(world.cs)
    for c, url in (
        (m, "/workbench/"),
        (m, "/workbench/aftersales/"),
        (m, "/workbench/aftersales/?quick=disputes_pending"),
        (m, "/workbench/aftersales/?status=dispute_awaiting_evidence"),
        (m, f"/workbench/aftersales/{x.pk}/"),
        (m, f"/workbench/aftersales/{x.pk}/history/"),
        (m, "/m/orders/"),
        (m, "/m/orders/?tab=all"),
        (m, f"/m/aftersales/{x.pk}/"),
        (m, f"/m/aftersales/{x.pk}/history/"),
        (b, "/buyer/orders/"),
        (b, f"/buyer/aftersales/{x.pk}/"),
        (b, f"/buyer/aftersales/{x.pk}/history/"),
        (cs, "/cs/"),
        (cs, f"/cs/cases/{x.pk}/"),
        (cs, f"/cs/cases/{x.pk}/history/"),
    ):
        assert c.get(url).status_code == 200, url


def test_another_shops_or_buyers_objects_are_404(world):
    x = in_dispute(world)
    other_m, other_b = client_for(world.other_merchant), client_for(world.other_buyer)
    for url in (f"/workbench/aftersales/{x.pk}/", f"/workbench/aftersales/{x.pk}/history/", f"/m/aftersales/{x.pk}/"):
        resp = other_m.get(url)
        assert resp.status_code == 404
        assert "页面不存在" in text(resp) and x.number not in text(resp)
    assert other_b.get(f"/buyer/aftersales/{x.pk}/").status_code == 404
    assert other_b.get(f"/buyer/orders/{world.order.pk}/aftersale/").status_code == 404
    # A POST to someone else's request changes nothing.
    assert other_m.post(f"/workbench/aftersales/{x.pk}/", {"action": "approve"}).status_code == 404
    assert AfterSale.objects.get(pk=x.pk).status == Status.DISPUTE_AWAITING_EVIDENCE
    # Lists never show it.
    assert x.number not in text(other_m.get("/workbench/aftersales/"))
    assert x.number not in text(other_m.get("/m/orders/"))


def test_wrong_role_gets_403_page(world):
    resp = client_for(world.buyer).get("/workbench/")
    assert resp.status_code == 403 and "没有权限" in text(resp)
    assert client_for(world.merchant).get("/cs/").status_code == 403


# ------------------------------------------------------------------------------------- the lists


def test_query_page_quick_filter_and_status_find_the_dispute_with_its_countdown(world):
    x = in_dispute(world)
    other_order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=5000)
    y = a.do_open_aftersale(
        order_id=other_order.id,
        type="refund_only",
        amount_fen=5000,
        reason="质量问题",
        acting_user=world.buyer,
        now=clock.now(),
    )
    m = client_for(world.merchant)
    for url in (
        "/workbench/aftersales/?quick=disputes_pending",
        "/workbench/aftersales/?status=dispute_awaiting_evidence",
    ):
        page = text(m.get(url))
        assert x.number in page and y.number not in page
        assert "举证倒计时" in page and "退款详情" in page and "¥100.00" in page
        due = x.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
        assert due.strftime("%Y-%m-%d %H:%M:%S") in page  # the deadline with its date, Beijing time
    page = text(m.get("/workbench/aftersales/"))
    assert "纠纷待处理" in page and "待商家提供凭证" in page and "筛选" in page
    assert y.number in text(m.get(f"/workbench/aftersales/?q={y.order.order_no}"))
    assert x.number not in text(m.get(f"/workbench/aftersales/?q={y.order.order_no}"))


def test_query_page_empty_state_says_what_to_do(world):
    page = text(client_for(world.merchant).get("/workbench/aftersales/?quick=disputes_pending"))
    assert "没有符合条件的售后单" in page and "筛选" in page


def test_query_page_pages_with_a_cursor(world):
    for i in range(23):
        order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=1000 + i)
        a.do_open_aftersale(
            order_id=order.id,
            type="refund_only",
            amount_fen=1000,
            reason="质量问题",
            acting_user=world.buyer,
            now=clock.now(),
        )
    m = client_for(world.merchant)
    first = text(m.get("/workbench/aftersales/"))
    cursor = re.search(r"cursor=([\w-]+)", first).group(1)
    second = text(m.get(f"/workbench/aftersales/?cursor={cursor}"))
    numbers = lambda page: set(re.findall(r'data-aftersale="(AS\d+)"', page))  # noqa: E731
    assert len(numbers(first)) == 20 and len(numbers(second)) == 3
    assert not numbers(first) & numbers(second)
    assert m.get("/workbench/aftersales/?cursor=garbage").status_code == 400


def test_phone_waiting_for_refund_lists_disputes_awaiting_evidence(world):
    x = in_dispute(world)
    page = text(client_for(world.merchant).get("/m/orders/"))
    assert "等待退款" in page and x.number in page and "待商家举证" in page and "举证倒计时" in page


def test_cs_queue_is_oldest_first_and_marks_timeouts(world, settings):
    now = clock.now()
    first = in_dispute(world, now=now - timedelta(hours=30))
    a.apply_timeout(first.id, now=now - timedelta(hours=5))
    order2 = f.make_order(shop=world.shop, buyer=world.buyer)
    second = a.do_open_aftersale(
        order_id=order2.id, type="refund_only", amount_fen=100, reason="质量问题", acting_user=world.buyer, now=now
    )
    a.do_reject(second.id, reason="不同意", acting_user=world.merchant, now=now)
    a.do_escalate(second.id, reason="介入", acting_user=world.buyer, now=now)
    a.do_submit_evidence(second.id, statement="已发货", acting_user=world.merchant, now=now)
    page = text(client_for(world.cs).get("/cs/"))
    assert page.index(first.number) < page.index(second.number)
    row = page[page.index(first.number) : page.index(second.number)]
    assert "商家超时未举证" in row


# ---------------------------------------------------------------------------------- POST actions


def test_merchant_rejects_from_the_detail_page(world):
    x = open_request(world)
    m = client_for(world.merchant)
    resp = m.post(f"/workbench/aftersales/{x.pk}/", {"action": "reject", "reason": "商品已按描述发货"})
    assert resp.status_code == 302
    x.refresh_from_db()
    assert x.status == Status.MERCHANT_REJECTED and x.rejection_reason == "商品已按描述发货"
    assert "已拒绝售后申请" in text(m.get(resp.url))


def test_refusal_shows_the_message_keeps_the_input_and_changes_nothing(world):
    x = open_request(world)
    m = client_for(world.merchant)
    resp = m.post(f"/workbench/aftersales/{x.pk}/", {"action": "reject", "reason": "   "})
    assert resp.status_code == 400 and "请填写原因" in text(resp)
    x.refresh_from_db()
    assert x.status == Status.AWAITING_MERCHANT and x.history.count() == 1
    a.do_reject(x.id, reason="不同意", acting_user=world.merchant, now=clock.now())
    resp = m.post(f"/workbench/aftersales/{x.pk}/", {"action": "make_offer", "amount": "abc", "note": "半价"})
    assert resp.status_code == 400
    assert "金额格式不正确" in text(resp) and "半价" in text(resp)
    resp = m.post(f"/workbench/aftersales/{x.pk}/", {"action": "make_offer", "amount": "100.00", "note": "全额"})
    assert resp.status_code == 409 and "小于申请金额 ¥100.00" in text(resp)
    x.refresh_from_db()
    assert x.status == Status.MERCHANT_REJECTED and not x.offers.exists()


def test_evidence_dialog_refusals_come_back_in_the_dialog(world):
    x = in_dispute(world)
    m = client_for(world.merchant)
    url = f"/workbench/aftersales/{x.pk}/"
    resp = m.post(url, {"action": "submit_evidence", "statement": "  ", "files": [png()]})
    assert resp.status_code == 400
    page = text(resp)
    assert "请填写举证说明" in page and 'id="dlg-evidence"' in page and "data-autoopen" in page
    resp = m.post(
        url,
        {
            "action": "submit_evidence",
            "statement": "发货前已质检",
            "files": [SimpleUploadedFile("fake.png", b"not an image at all", content_type="image/png")],
        },
    )
    assert resp.status_code == 415
    assert "fake.png" in text(resp) and "不是允许的类型" in text(resp) and "发货前已质检" in text(resp)
    x.refresh_from_db()
    assert x.status == Status.DISPUTE_AWAITING_EVIDENCE and not Dispute.objects.get(aftersale=x).evidence.exists()


def test_evidence_from_the_phone_page_sends_the_dispute_to_cs(world):
    x = in_dispute(world)
    resp = client_for(world.merchant).post(
        f"/m/aftersales/{x.pk}/",
        {"action": "submit_evidence", "statement": "附发货前实拍", "files": [png("IMG_0001.png")]},
    )
    assert resp.status_code == 302 and resp.url == f"/m/aftersales/{x.pk}/"
    x.refresh_from_db()
    assert x.status == Status.DISPUTE_PLATFORM_REVIEW
    page = text(client_for(world.cs).get(f"/cs/cases/{x.pk}/"))
    assert "附发货前实拍" in page and "IMG_0001.png" in page and "/api/v1/attachments/" in page


def test_buyer_opens_escalates_and_cancels_through_pages(world):
    b = client_for(world.buyer)
    page = text(b.get(f"/buyer/orders/{world.order.pk}/aftersale/"))
    assert 'value="100.00"' in page  # pre-filled with what is refundable
    resp = b.post(
        f"/buyer/orders/{world.order.pk}/aftersale/",
        {"type": "refund_only", "amount": "100.01", "reason": "质量问题", "description": ""},
    )
    assert resp.status_code == 409 and "¥100.00" in text(resp)
    resp = b.post(
        f"/buyer/orders/{world.order.pk}/aftersale/",
        {"type": "refund_only", "amount": "80.50", "reason": "质量问题", "description": "坏了", "files": [png()]},
    )
    assert resp.status_code == 302
    x = AfterSale.objects.get(order=world.order)
    assert x.amount_fen == 8050 and x.attachments.count() == 1
    a.do_reject(x.id, reason="不同意", acting_user=world.merchant, now=clock.now())
    assert b.post(f"/buyer/aftersales/{x.pk}/", {"action": "escalate", "reason": "商家拒绝"}).status_code == 302
    x.refresh_from_db()
    assert x.status == Status.DISPUTE_AWAITING_EVIDENCE
    assert b.post(f"/buyer/aftersales/{x.pk}/", {"action": "cancel"}).status_code == 302
    x.refresh_from_db()
    assert x.status == Status.CANCELLED and Dispute.objects.get(aftersale=x).status == "cancelled"


def test_offer_accept_through_pages(world):
    x = in_dispute(world)
    m, b = client_for(world.merchant), client_for(world.buyer)
    assert m.post(f"/workbench/aftersales/{x.pk}/", {"action": "make_offer", "amount": "30.00"}).status_code == 302
    page = text(b.get(f"/buyer/aftersales/{x.pk}/"))
    assert "接受方案" in page and "¥30.00" in page
    offer_id = re.search(r'name="offer_id" value="(\d+)"', page).group(1)
    assert b.post(f"/buyer/aftersales/{x.pk}/", {"action": "accept_offer", "offer_id": offer_id}).status_code == 302
    x.refresh_from_db()
    assert x.status == Status.REFUNDED and x.refund.amount_fen == 3000


def test_cs_requests_supplement_and_rules(world):
    x = in_dispute(world)
    a.do_submit_evidence(x.id, statement="已发货", acting_user=world.merchant, now=clock.now())
    cs = client_for(world.cs)
    url = f"/cs/cases/{x.pk}/"
    resp = cs.post(url, {"action": "request_evidence", "party": "merchant", "note": "补充物流签收", "due_hours": "0"})
    assert resp.status_code == 400 and "1 到 168 小时" in text(resp)
    assert (
        cs.post(
            url, {"action": "request_evidence", "party": "merchant", "note": "补充物流签收", "due_hours": "12"}
        ).status_code
        == 302
    )
    x.refresh_from_db()
    assert x.status == Status.DISPUTE_AWAITING_SUPPLEMENT
    resp = cs.post(
        url, {"action": "rule", "outcome": "partial_refund", "amount": "", "liable": "merchant", "note": "部分责任"}
    )
    assert resp.status_code == 400
    assert (
        cs.post(
            url,
            {
                "action": "rule",
                "outcome": "partial_refund",
                "amount": "40.00",
                "liable": "merchant",
                "note": "部分责任",
            },
        ).status_code
        == 302
    )
    x.refresh_from_db()
    assert x.status == Status.REFUNDED and x.refund.amount_fen == 4000
    page = text(client_for(world.merchant).get(f"/workbench/aftersales/{x.pk}/history/"))
    assert page.index("买家申请售后") < page.index("平台判责") and "部分退款" in page


# --------------------------------------------------------------------------------- workbench figures


def test_workbench_figures_leave_out_buyer_cancelled_disputes(world):
    now = clock.now()
    ruled = in_dispute(world, now=now - timedelta(days=2))
    a.do_submit_evidence(ruled.id, statement="已发货", acting_user=world.merchant, now=now - timedelta(days=2))
    a.do_rule(
        ruled.id,
        outcome="refund",
        liable="merchant",
        note="商品有问题",
        acting_user=world.cs,
        now=now - timedelta(days=1),
    )
    cancelled_order = f.make_order(shop=world.shop, buyer=world.buyer)
    c = a.do_open_aftersale(
        order_id=cancelled_order.id,
        type="refund_only",
        amount_fen=100,
        reason="质量问题",
        acting_user=world.buyer,
        now=now,
    )
    a.do_reject(c.id, reason="不同意", acting_user=world.merchant, now=now)
    a.do_escalate(c.id, reason="介入", acting_user=world.buyer, now=now)
    a.do_cancel(c.id, acting_user=world.buyer, now=now)
    for _ in range(2):
        f.make_order(shop=world.shop, buyer=world.buyer)
    # An order paid long ago is outside the period.
    f.make_order(shop=world.shop, buyer=world.buyer, paid_at=now - timedelta(days=40))
    figures = dispute_figures(world.merchant.shop_ids(), now=clock.now())  # after the last order was paid
    assert figures.disputes_opened == 1  # the cancelled one does not count
    assert figures.merchant_liable == 1
    assert figures.paid_orders == 4  # world.order + cancelled_order + 2
    assert figures.liability_rate_percent == "25.00%"
    page = text(client_for(world.merchant).get("/workbench/"))
    assert "纠纷商责率" in page and "25.00%" in page
    # Another shop's figures are its own.
    assert dispute_figures(world.other_merchant.shop_ids(), now=now).disputes_opened == 0


def test_workbench_counts_evidence_due_within_4_hours(world):
    now = clock.now()
    soon = in_dispute(world, now=now - timedelta(hours=21))  # due in 3 h
    summary = workbench_summary(world.merchant, now=now)
    assert summary["disputes_pending"] == 1 and summary["evidence_due_soon"] == 1
    assert summary["by_status"][Status.DISPUTE_AWAITING_EVIDENCE] == 1
    page = text(client_for(world.merchant).get("/workbench/"))
    assert soon.number in page


def test_english_is_available(world):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(world.merchant)
    c.post("/i18n/setlang/", {"language": "en", "next": "/workbench/"})
    page = text(c.get("/workbench/"))
    assert "After-sales workbench" in page


def _queue_link(page: str, rel: str):
    m = re.search(rf'href="\?cursor=([^"]+)" rel="{rel}"', page)
    return m and m.group(1)


def test_cs_queue_pages_through_every_dispute_oldest_first(world, monkeypatch):
    from sellerdesk.aftersales import views

    monkeypatch.setattr(views, "CS_QUEUE_SIZE", 2)
    t0 = clock.now() - timedelta(days=3)
    numbers = []
    for i in range(6):
        order = f.make_order(shop=world.shop, buyer=world.buyer)
        req = a.do_open_aftersale(
            order_id=order.id, type="refund_only", amount_fen=100, reason="r", acting_user=world.buyer, now=t0
        )
        a.do_reject(req.id, reason="no", acting_user=world.merchant, now=t0)
        a.do_escalate(req.id, reason="help", acting_user=world.buyer, now=t0)
        # Reviews start in reverse order of creation, so "oldest first" is not "lowest id first";
        # the last two start in the same second (the id breaks the tie).
        a.do_submit_evidence(
            req.id, statement="s", acting_user=world.merchant, now=t0 + timedelta(hours=10 - min(i, 4))
        )
        numbers.append(req.number)
    oldest_first = [numbers[4], numbers[5], *reversed(numbers[:4])]
    client = client_for(world.cs)

    # 下一页 until there is none: every dispute once, oldest first, no 上一页 on the first page.
    pages, cursor = [], None
    while True:
        page = text(client.get("/cs/", {"cursor": cursor} if cursor else {}))
        pages.append(page)
        cursor = _queue_link(page, "next")
        if not cursor:
            break
    seen = [[n for n in oldest_first if n in page] for page in pages]
    assert seen == [oldest_first[0:2], oldest_first[2:4], oldest_first[4:6]]
    assert pages[0].index(oldest_first[0]) < pages[0].index(oldest_first[1])
    assert _queue_link(pages[0], "prev") is None and _queue_link(pages[1], "prev")
    assert "第 1 /" not in pages[0]  # no page numbers: nothing counts the whole queue

    # 上一页 from the last page walks back through the same pages.
    back = text(client.get("/cs/", {"cursor": _queue_link(pages[2], "prev")}))
    assert [n for n in oldest_first if n in back] == oldest_first[2:4]
    first = text(client.get("/cs/", {"cursor": _queue_link(back, "prev")}))
    assert [n for n in oldest_first if n in first] == oldest_first[0:2] and _queue_link(first, "prev") is None

    # A case ruled meanwhile neither shifts the next page nor repeats a row.
    a.do_rule(
        AfterSale.objects.get(number=oldest_first[0]).id,
        outcome="no_refund",
        liable="buyer",
        note="证据不足",
        acting_user=world.cs,
        now=clock.now(),
    )
    page2 = text(client.get("/cs/", {"cursor": _queue_link(pages[0], "next")}))
    assert [n for n in oldest_first if n in page2] == oldest_first[2:4]


def test_cs_queue_with_a_stale_or_garbage_cursor_goes_back_to_the_oldest(world):
    client = client_for(world.cs)
    assert client.get("/cs/", {"cursor": "garbage"}).status_code == 302


@pytest.mark.parametrize("cursor", ["not-a-cursor", "x" * 300])
@pytest.mark.parametrize("page", ["buyer", "merchant"])
def test_an_order_list_with_a_cursor_it_cannot_read_shows_the_first_page_and_says_why(world, page, cursor):
    user, path = (world.buyer, "/buyer/orders/") if page == "buyer" else (world.merchant, "/m/orders/?tab=all")
    sep = "&" if "?" in path else "?"
    response = client_for(user).get(f"{path}{sep}cursor={cursor}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "翻页链接" in html and "请从第一页重新查看" in html
    assert world.order.order_no in html  # the first page, not an empty one
