"""站内信: each user sees only their own notifications; opening the page marks them read; the
text is rendered in the reader's language when read."""

import pytest
from django.test import Client

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.events.models import Notification

pytestmark = pytest.mark.django_db


def _client(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def _open_request(world):
    return actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )


def test_the_top_bar_counts_unread_notifications_and_the_page_marks_them_read(world):
    aftersale = _open_request(world)
    client = _client(world.merchant)
    assert '<span class="tag tag-bad">1</span>' in client.get("/workbench/").content.decode()

    page = client.get("/notifications/").content.decode()

    assert f"新的售后申请 {aftersale.number}" in page and "买家申请退款 ¥50.00" in page
    assert Notification.objects.get(user=world.merchant).read_at is not None
    assert '<span class="tag tag-bad">' not in client.get("/workbench/").content.decode()


def test_a_user_never_sees_another_users_notifications(world):
    aftersale = _open_request(world)
    page = _client(world.other_merchant).get("/notifications/").content.decode()
    assert aftersale.number not in page
    assert "暂无消息" in page
    assert Notification.objects.get(user=world.merchant).read_at is None


def test_an_english_reader_sees_the_same_notification_in_english(world):
    aftersale = _open_request(world)
    page = _client(world.merchant, "en").get("/notifications/").content.decode()
    assert f"New after-sales request {aftersale.number}" in page
    assert "新的售后申请" not in page


def test_the_notifications_page_needs_a_login(world):
    response = Client().get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
