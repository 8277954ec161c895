"""账户设置 → 消息推送, clicked in chromium: a merchant adds an endpoint pointing at a real HTTP
receiver on 127.0.0.1, copies the secret shown once, a buyer opens an after-sales request (the real
action), the dispatcher runs, and the endpoint's page shows the delivery 已成功 with status code 200;
重新发送 queues it again. Screenshot: webhooks-1-endpoint-pc.png (tests/browser/shots.py says where).

Uses tests/browser/conftest.py (`login`, which skips with a message where /usr/bin/chromium is
missing) and the `receiver` fixture of sellerdesk/testing/receiver.py.
"""

import json
import re

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from sellerdesk.aftersales import actions as a
from sellerdesk.core import clock
from sellerdesk.events import dispatcher
from sellerdesk.events.models import WebhookDelivery, WebhookEndpoint
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .shots import SHOTS

pytestmark = [pytest.mark.browser]

PW = "sellerdesk-journey-pw"


@pytest.fixture
def w(transactional_db):
    class W:
        pass

    w = W()
    w.shop = f.make_shop("好物优选旗舰店")
    w.merchant = f.make_user("shopkeeper", role=Role.MERCHANT, password=PW)
    w.merchant.shops.add(w.shop)
    w.buyer = f.make_user("zhangsan", role=Role.BUYER, password=PW, first_name="张三")
    w.order = f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=26800)
    return w


def test_merchant_adds_an_endpoint_and_sees_the_delivery_succeed(login, w, receiver):
    page = login("shopkeeper", PW)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    # 账户设置 → 消息推送 from the workbench's navigation.
    page.locator(".nav").get_by_role("link", name="消息推送").click()
    expect(page.locator("h1")).to_have_text("消息推送")
    expect(page.locator(".nav a.active")).to_have_text("消息推送")
    expect(page.locator(".empty-title")).to_have_text("还没有推送地址")

    # The form: URL, two chosen event types instead of 全部事件, a note.
    page.get_by_label("接收地址（URL）").fill(receiver.at("/sellerdesk"))
    page.get_by_label("全部事件").uncheck()
    page.locator("input[name=event_types][value='aftersale.created']").check()
    page.locator("input[name=event_types][value='dispute.opened']").check()
    page.get_by_label("备注").fill("ERP 测试环境")
    page.get_by_role("button", name="添加推送地址").click()

    # The secret, once, with the copy button and the lines a receiver needs.
    secret_box = page.locator("[data-secret-once]")
    expect(secret_box).to_contain_text("只显示这一次")
    expect(secret_box.locator(".wh-code")).to_contain_text("Webhook(secret).verify(body, headers)")
    secret = page.locator("[data-secret]").inner_text().strip()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]+", secret)
    page.get_by_role("button", name="复制").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    endpoint = WebhookEndpoint.objects.get()
    row = page.locator(f"[data-endpoint='{endpoint.pk}']")
    expect(row).to_contain_text("买家申请售后")
    expect(row).to_contain_text("买家申请平台介入")
    expect(row.locator("[data-status]")).to_have_text("启用")

    page.reload()
    expect(page.locator("[data-secret-once]")).to_have_count(0)
    assert secret not in page.content()

    # Something happens: the buyer opens a request; the worker's round sends it.
    aftersale = a.do_open_aftersale(
        order_id=w.order.id,
        type="refund_only",
        amount_fen=26800,
        reason="质量问题",
        description="茶叶受潮结块",
        acting_user=w.buyer,
        now=clock.now(),
    )
    assert dispatcher.dispatch_once() == 1
    [received] = receiver.wait_for("/sellerdesk")
    body = Webhook(secret).verify(received.body, received.headers)
    assert body["type"] == "aftersale.created" and body["data"]["aftersale_id"] == aftersale.id
    assert json.loads(received.body)["id"] == int(received.headers["webhook-id"])

    # The endpoint's page: settings and the delivery, 已成功 with 200.
    row.get_by_role("link", name="查看推送记录").click()
    expect(page.locator("h1")).to_have_text(receiver.at("/sellerdesk"))
    expect(page.locator("#webhook-settings")).to_contain_text("ERP 测试环境")
    delivery = WebhookDelivery.objects.get()
    line = page.locator(f"#delivery-{delivery.pk}")
    expect(line.locator("[data-state-label]")).to_have_text("已成功")
    expect(line.locator("[data-status-code]")).to_have_text("200")
    expect(line.locator("[data-attempts]")).to_have_text("1")
    expect(line).to_contain_text("买家申请售后")
    expect(line).to_contain_text(aftersale.number)
    expect(line).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "webhooks-1-endpoint-pc.png"), full_page=True)

    # 停用 asks first in a dialog; cancelling leaves the endpoint as it was.
    page.get_by_role("button", name="停用").click()
    dialog = page.locator("#dlg-disable")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("停用后不再向这个地址推送任何事件")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()

    # 重新发送: queued again, sent again with the same webhook-id.
    line.get_by_role("button", name="重新发送").click()
    expect(page.locator(".flash-success")).to_contain_text("已重新加入发送队列")
    expect(page.locator(f"#delivery-{delivery.pk} [data-state-label]")).to_have_text("待发送")
    assert dispatcher.dispatch_once() == 1
    receiver.wait_for("/sellerdesk", count=2)
    assert receiver.on("/sellerdesk")[1].headers["webhook-id"] == received.headers["webhook-id"]
    page.reload()
    expect(page.locator(f"#delivery-{delivery.pk} [data-state-label]")).to_have_text("已成功")
    expect(page.locator(f"#delivery-{delivery.pk} [data-attempts]")).to_have_text("2")
    assert WebhookEndpoint.objects.get().status == "enabled"
