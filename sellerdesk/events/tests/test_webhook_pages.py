"""消息推送 (/workbench/webhooks/): a merchant registers an endpoint through the form, sees its secret
exactly once, reads its deliveries and resends one; other shops' endpoints and deliveries are 404,
other roles get the 403 page. Through Django's test client, state moved by the real actions."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.events import dispatcher
from sellerdesk.events.models import WebhookDelivery, WebhookEndpoint
from sellerdesk.events.outbox import emit
from sellerdesk.events.webhooks import do_disable_endpoint, do_register_endpoint
from sellerdesk.payouts import crypto

pytestmark = pytest.mark.django_db

LIST = "/workbench/webhooks/"


def _client(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def _register(user, url="https://erp.example.com/hook", types=("*",)):
    endpoint, secret = do_register_endpoint(acting_user=user, url=url, event_types=list(types), now=clock.now())
    return endpoint, secret


def _dead_delivery(world, receiver, settings):
    """An endpoint whose receiver answered 500 once, with no retries left: the delivery is dead."""
    settings.SELLERDESK_WEBHOOK_RETRY_SCHEDULE = []
    receiver.answers["/hook"] = [500]
    endpoint, _ = _register(world.merchant, url=receiver.at("/hook"), types=["aftersale.created"])
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    assert dispatcher.dispatch_once(now=clock.now()) == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == "dead" and delivery.last_status_code == 500
    return endpoint, delivery


def test_a_merchant_adds_an_endpoint_through_the_form_and_sees_its_secret_only_once(world):
    client = _client(world.merchant)

    response = client.post(
        LIST,
        {
            "url": "https://erp.example.com/sellerdesk/hook",
            "event_types": ["aftersale.created", "dispute.opened"],
            "description": "ERP 正式环境",
        },
    )

    assert response.status_code == 302 and response["Location"] == LIST
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.shop_id, endpoint.owner_id, endpoint.url, endpoint.event_types, endpoint.description) == (
        world.shop.id,
        world.merchant.id,
        "https://erp.example.com/sellerdesk/hook",
        ["aftersale.created", "dispute.opened"],
        "ERP 正式环境",
    )
    secret = crypto.decrypt(endpoint.secret_encrypted)
    assert secret.startswith("whsec_")

    page = client.get(LIST)
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert html.count(secret) == 1 and "只显示这一次" in html
    assert "from standardwebhooks import Webhook" in html and "Webhook(secret).verify(body, headers)" in html
    assert "已添加推送地址 https://erp.example.com/sellerdesk/hook。" in html
    row = html[html.index(f'data-endpoint="{endpoint.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "https://erp.example.com/sellerdesk/hook" in row and "ERP 正式环境" in row
    assert "买家申请售后" in row and "买家申请平台介入" in row and "启用" in row
    assert timezone.localtime(endpoint.created_at).strftime("%Y-%m-%d %H:%M") in row  # Asia/Shanghai

    again = client.get(LIST).content.decode()
    assert secret not in again and "只显示这一次" not in again
    assert "https://erp.example.com/sellerdesk/hook" in again
    assert secret not in client.get(f"{LIST}{endpoint.pk}/").content.decode()


def test_all_events_is_the_default_and_is_stored_as_a_star(world):
    client = _client(world.merchant)
    form = client.get(LIST).content.decode()
    assert 'value="*" data-all-events checked' in form

    client.post(LIST, {"url": "https://erp.example.com/all", "event_types": ["*", "refund.failed"]})

    assert WebhookEndpoint.objects.get().event_types == ["*"]
    assert "全部事件" in client.get(LIST).content.decode()


def test_a_url_that_is_not_http_is_refused_beside_the_field_with_the_input_kept(world):
    client = _client(world.merchant)

    response = client.post(
        LIST, {"url": "ftp://erp.example.com/hook", "event_types": ["refund.failed"], "description": "旧系统"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()
    url_field = html[html.index('for="id_url"') :]
    url_field = url_field[: url_field.index("</label>")]
    assert "请填写以 https:// 或 http:// 开头的完整地址。" in url_field and 'role="alert"' in url_field
    assert 'value="ftp://erp.example.com/hook"' in url_field
    assert 'value="旧系统"' in html
    assert 'value="refund.failed" checked' in html and 'value="*" data-all-events checked' not in html


def test_no_event_type_chosen_is_refused_beside_the_event_types(world):
    response = _client(world.merchant).post(LIST, {"url": "https://erp.example.com/hook"})
    html = response.content.decode()
    types = html[html.index('id="wh-event-types"') :]
    types = types[: types.index("</fieldset>")]
    assert "请选择“全部事件”或至少一种事件类型。" in types
    assert not WebhookEndpoint.objects.exists()


def test_a_private_target_is_refused_where_private_targets_are_not_allowed(world, settings):
    settings.SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    html = (
        _client(world.merchant).post(LIST, {"url": "http://127.0.0.1:8080/hook", "event_types": ["*"]}).content.decode()
    )
    assert "地址“127.0.0.1”指向本机或内网，不能接收推送，请使用公网可访问的地址。" in html
    assert not WebhookEndpoint.objects.exists()


def test_a_merchant_sees_only_its_own_shops_endpoints(world):
    mine, _ = _register(world.merchant, url="https://mine.example.com/hook")
    theirs, _ = _register(world.other_merchant, url="https://theirs.example.com/hook")
    html = _client(world.merchant).get(LIST).content.decode()
    assert "https://mine.example.com/hook" in html and "https://theirs.example.com/hook" not in html


def test_another_merchant_gets_404_on_the_endpoint_page_and_its_actions(world, receiver, settings):
    endpoint, delivery = _dead_delivery(world, receiver, settings)
    other = _client(world.other_merchant)
    before = WebhookDelivery.objects.values().get(pk=delivery.pk)

    assert other.get(f"{LIST}{endpoint.pk}/").status_code == 404
    assert other.post(f"{LIST}{endpoint.pk}/deliveries/{delivery.pk}/resend/").status_code == 404
    assert other.post(f"{LIST}{endpoint.pk}/rotate-secret/").status_code == 404
    assert other.post(f"{LIST}{endpoint.pk}/disable/").status_code == 404
    # the other merchant's own endpoint in the path does not open this delivery either
    own, _ = _register(world.other_merchant, url="https://theirs.example.com/hook")
    assert other.post(f"{LIST}{own.pk}/deliveries/{delivery.pk}/resend/").status_code == 404

    assert WebhookDelivery.objects.values().get(pk=delivery.pk) == before
    endpoint.refresh_from_db()
    assert endpoint.status == "failing" and endpoint.previous_secret_encrypted == ""


@pytest.mark.parametrize("role", ["buyer", "cs", "admin", "platform"])
def test_other_roles_get_the_403_page(world, role):
    endpoint, _ = _register(world.merchant)
    client = _client(getattr(world, role))
    for response in (
        client.get(LIST),
        client.get(f"{LIST}{endpoint.pk}/"),
        client.post(f"{LIST}{endpoint.pk}/disable/"),
    ):
        assert response.status_code == 403
        assert "没有权限" in response.content.decode()
    assert WebhookEndpoint.objects.get().status == "enabled"


def test_the_pages_need_a_login(world):
    response = Client().get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_endpoint_page_shows_a_dead_delivery_and_resend_queues_it_again(world, receiver, settings):
    endpoint, delivery = _dead_delivery(world, receiver, settings)
    client = _client(world.merchant)
    url = f"{LIST}{endpoint.pk}/"

    html = client.get(url).content.decode()
    row = html[html.index(f'id="delivery-{delivery.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"#{delivery.event_id}" in row and "买家申请售后" in row and "aftersale.created" in row
    assert "已放弃" in row and "data-status-code>500<" in row and "HTTP 500" in row
    assert "data-attempts>1<" in row and "重新发送" in row
    assert "推送失败" in html and "多次重试后仍未成功" in html

    now = clock.now().replace(microsecond=0) + timedelta(minutes=5)
    with time_machine.travel(now, tick=False):
        response = client.post(f"{url}deliveries/{delivery.pk}/resend/")
    assert response.status_code == 302 and response["Location"] == f"{url}#delivery-{delivery.pk}"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failures, delivery.next_attempt_at, delivery.completed_at, delivery.attempts) == (
        "pending",
        0,
        now,
        None,
        1,
    )
    page = client.get(url).content.decode()
    assert f"事件 #{delivery.event_id} 已重新加入发送队列" in page
    row = page[page.index(f'id="delivery-{delivery.pk}"') :]
    assert "待发送" in row[: row.index("</tr>")]

    receiver.answers["/hook"] = [200]
    assert dispatcher.dispatch_once(now=now + timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.last_status_code == 200 and delivery.attempts == 2


def test_rotating_shows_the_new_secret_once_and_says_the_old_one_signs_for_24_hours(world):
    endpoint, old = _register(world.merchant)
    client = _client(world.merchant)
    url = f"{LIST}{endpoint.pk}/"

    response = client.post(f"{url}rotate-secret/")

    assert response.status_code == 302 and response["Location"] == url
    endpoint.refresh_from_db()
    new = crypto.decrypt(endpoint.secret_encrypted)
    assert new != old and crypto.decrypt(endpoint.previous_secret_encrypted) == old
    html = client.get(url).content.decode()
    assert html.count(new) == 1 and old not in html and "新的签名密钥" in html and "旧密钥在" in html
    assert "24 小时" in html
    assert new not in client.get(url).content.decode()
    assert new not in client.get(LIST).content.decode()


def test_disabling_through_the_dialog_stops_the_endpoint(world):
    endpoint, _ = _register(world.merchant)
    client = _client(world.merchant)
    url = f"{LIST}{endpoint.pk}/"
    html = client.get(url).content.decode()
    assert '<dialog class="dialog" id="dlg-disable"' in html and 'data-open-dialog="dlg-disable"' in html
    assert "onclick" not in html and "<script>" not in html

    assert client.post(f"{url}disable/").status_code == 302

    endpoint.refresh_from_db()
    assert endpoint.status == "disabled" and endpoint.disabled_at is not None
    html = client.get(url).content.decode()
    assert "已停用" in html and "dlg-disable" not in html and "更换密钥</button>" not in html
    assert client.post(f"{url}rotate-secret/").status_code == 302
    assert "这个推送地址已停用，不能再操作。" in client.get(url).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.previous_secret_encrypted == ""


def test_resend_on_a_disabled_endpoint_is_refused_with_a_message(world, receiver, settings):
    endpoint, delivery = _dead_delivery(world, receiver, settings)
    do_disable_endpoint(endpoint.pk, acting_user=world.merchant, now=clock.now())
    client = _client(world.merchant)

    client.post(f"{LIST}{endpoint.pk}/deliveries/{delivery.pk}/resend/")

    assert "这个推送地址已停用，不能再操作。" in client.get(f"{LIST}{endpoint.pk}/").content.decode()
    assert WebhookDelivery.objects.get(pk=delivery.pk).state == "dead"


def test_deliveries_are_paged_newest_first(world):
    endpoint, _ = _register(world.merchant, types=["aftersale.created"])
    with transaction.atomic():
        for i in range(25):
            emit(
                "aftersale.created",
                aggregate_type="aftersale",
                aggregate_id=1000 + i,
                payload={"aftersale_id": None, "shop_id": world.shop.id, "number": f"AS{i:04d}"},
            )
    dispatcher.fan_out(now=clock.now())
    ids = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-id").values_list("id", flat=True))
    client = _client(world.merchant)
    url = f"{LIST}{endpoint.pk}/"

    first = client.get(url).content.decode()
    shown = [int(x.split('"')[0]) for x in first.split('data-delivery="')[1:]]
    assert shown == ids[:20]
    assert "待发送" in first and "下一页" in first
    next_href = first[first.index('href="?cursor=') + 6 :]
    next_href = next_href[: next_href.index('"')].replace("&amp;", "&")

    second = client.get(url + next_href).content.decode()
    assert [int(x.split('"')[0]) for x in second.split('data-delivery="')[1:]] == ids[20:]
    assert "回到第一页" in second and "下一页" not in second
    assert 'name="cursor"' in second


def test_the_english_page_shows_english_labels(world):
    endpoint, _ = _register(world.merchant, types=["aftersale.created", "refund.failed"])
    client = _client(world.merchant, "en")

    html = client.get(LIST).content.decode()
    assert "Webhooks" in html and "Account settings" in html and "Add endpoint" in html
    assert "All events" in html and "Buyer opened the request" in html and "Refund not paid" in html
    assert "Enabled" in html
    assert "消息推送" not in html and "订阅事件" not in html and "全部事件" not in html

    detail = client.get(f"{LIST}{endpoint.pk}/").content.decode()
    assert "Rotate secret" in detail and "Disable" in detail and "Deliveries" in detail
    assert "更换密钥" not in detail and "推送记录" not in detail


def test_the_nav_links_merchants_to_the_webhooks_page(world):
    html = _client(world.merchant).get("/workbench/").content.decode()
    assert "账户设置" in html and f'href="{LIST}"' in html
    assert f'href="{LIST}"' not in _client(world.buyer).get("/buyer/orders/").content.decode()


def test_a_retrying_delivery_shows_its_next_attempt_in_beijing_time(world, receiver):
    receiver.answers["/hook"] = [503]
    endpoint, _ = _register(world.merchant, url=receiver.at("/hook"), types=["aftersale.created"])
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    dispatcher.dispatch_once(now=clock.now())
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "retrying"

    html = _client(world.merchant).get(f"{LIST}{endpoint.pk}/").content.decode()

    row = html[html.index(f'id="delivery-{delivery.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "重试中" in row and "data-status-code>503<" in row and "HTTP 503" in row
    next_cell = row[row.index("data-next-attempt>") :]
    assert timezone.localtime(delivery.next_attempt_at).strftime("%Y-%m-%d %H:%M:%S") in next_cell[:80]
    assert str(timezone.localtime(delivery.next_attempt_at).tzinfo) == "Asia/Shanghai"
