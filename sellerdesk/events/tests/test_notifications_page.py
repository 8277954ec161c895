"""站内信: each user sees only their own notifications; opening the page marks them read."""
import pytest
from django.test import Client

from sellerdesk.events.models import Notification
from sellerdesk.events.outbox import notify

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_top_bar_counts_unread_notifications_and_the_page_marks_them_read(world):
    notify([world.merchant], topic="dispute.evidence_due_soon", title="售后单 AS1 的凭证即将到期", link="/workbench/")
    client = _client(world.merchant)
    assert '<span class="tag tag-bad">1</span>' in client.get("/workbench/").content.decode()

    page = client.get("/notifications/").content.decode()

    assert "售后单 AS1 的凭证即将到期" in page
    assert Notification.objects.get(user=world.merchant).read_at is not None
    assert '<span class="tag tag-bad">' not in client.get("/workbench/").content.decode()


def test_a_user_never_sees_another_users_notifications(world):
    notify([world.merchant], topic="payout_account.changed", title="提现账户已更换")
    page = _client(world.other_merchant).get("/notifications/").content.decode()
    assert "提现账户已更换" not in page
    assert "暂无消息" in page
    assert Notification.objects.get(user=world.merchant).read_at is None


def test_the_notifications_page_needs_a_login(world):
    response = Client().get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
