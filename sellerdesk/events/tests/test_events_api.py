"""GET /events (the polling fallback), the webhook-endpoint API and GET /notifications: scoped like
the rest of the API, secrets shown once, bad input a clean error."""

import pytest

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.events import dispatcher
from sellerdesk.events.models import OutboxEvent, WebhookDelivery

pytestmark = pytest.mark.django_db


def _dispute(world):
    now = clock.now()
    a = actions.do_open_aftersale(
        order_id=world.order.id, type="refund_only", amount_fen=5000, reason="破损", acting_user=world.buyer, now=now
    )
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="申请介入", acting_user=world.buyer, now=now)
    return a


def _types(response):
    return [e["type"] for e in response.json()["items"]]


def test_events_are_read_oldest_first_after_the_last_id_read(world, api_as):
    a = _dispute(world)
    api = api_as(world.merchant)
    first = api.get("/events", limit=2).json()
    assert [e["type"] for e in first["items"]] == ["aftersale.created", "aftersale.rejected"]
    assert first["has_more"] is True and first["items"][0]["aftersale_id"] == a.id
    rest = api.get("/events", after=first["next_after"]).json()
    assert [e["type"] for e in rest["items"]] == ["dispute.opened"] and rest["has_more"] is False
    assert api.get("/events", after=rest["next_after"]).json() == {
        "items": [],
        "next_after": rest["next_after"],
        "has_more": False,
    }


def test_events_are_scoped_like_the_rest_of_the_api(world, api_as):
    _dispute(world)
    assert _types(api_as(world.buyer).get("/events")) == ["aftersale.created", "aftersale.rejected", "dispute.opened"]
    assert _types(api_as(world.other_merchant).get("/events")) == []
    assert _types(api_as(world.other_buyer).get("/events")) == []
    assert len(_types(api_as(world.cs).get("/events"))) == 3  # a dispute's events
    assert len(_types(api_as(world.platform).get("/events"))) == 3


def test_events_refuse_a_bad_limit(world, api_as):
    response = api_as(world.merchant).get("/events", limit=1000)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_limit"


def test_an_endpoint_is_registered_with_its_secret_shown_only_once(world, api_as):
    api = api_as(world.merchant)
    created = api.post(
        "/webhook-endpoints",
        {"url": "https://erp.example.com/hooks", "event_types": ["dispute.opened"], "description": "ERP"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["status"] == "enabled" and body["shop_id"] == world.shop.id
    listed = api.get("/webhook-endpoints").json()["items"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in api.get(f"/webhook-endpoints/{body['id']}").json()

    rotated = api.post(f"/webhook-endpoints/{body['id']}/rotate-secret").json()
    assert rotated["secret"] != body["secret"] and rotated["previous_secret_expires_at"] is not None


def test_registering_refuses_unknown_event_types_and_bad_urls(world, api_as):
    api = api_as(world.merchant)
    unknown = api.post("/webhook-endpoints", {"url": "https://erp.example.com/h", "event_types": ["dispute.exploded"]})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_event_types"
    bad_url = api.post("/webhook-endpoints", {"url": "javascript:alert(1)", "event_types": ["*"]})
    assert bad_url.status_code == 400 and bad_url.json()["error"]["code"] == "invalid_webhook_url"
    credentials = api.post("/webhook-endpoints", {"url": "https://u:p@erp.example.com/h", "event_types": ["*"]})
    assert credentials.json()["error"]["code"] == "webhook_url_has_credentials"
    empty = api.post("/webhook-endpoints", {"url": "https://erp.example.com/h", "event_types": []})
    assert empty.status_code == 400
    assert api.get("/webhook-endpoints").json()["items"] == []


def test_only_merchants_and_the_platform_register_endpoints(world, api_as):
    for user in (world.buyer, world.cs):
        response = api_as(user).post("/webhook-endpoints", {"url": "https://x.example.com/h", "event_types": ["*"]})
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden_role"


def test_another_merchant_cannot_see_disable_or_resend_an_endpoint(world, api_as):
    created = (
        api_as(world.merchant)
        .post("/webhook-endpoints", {"url": "https://erp.example.com/h", "event_types": ["*"]})
        .json()
    )
    _dispute(world)
    dispatcher.fan_out(now=clock.now())
    delivery = WebhookDelivery.objects.filter(endpoint_id=created["id"]).first()
    other = api_as(world.other_merchant)
    assert other.get(f"/webhook-endpoints/{created['id']}").status_code == 404
    assert other.get(f"/webhook-endpoints/{created['id']}/deliveries").status_code == 404
    assert other.client.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404
    assert other.post(f"/webhook-deliveries/{delivery.id}/resend").status_code == 404
    assert other.get("/webhook-endpoints").json()["items"] == []


def test_the_owner_reads_deliveries_and_disables_the_endpoint(world, api_as):
    api = api_as(world.merchant)
    created = api.post("/webhook-endpoints", {"url": "https://erp.example.com/h", "event_types": ["*"]}).json()
    _dispute(world)
    dispatcher.fan_out(now=clock.now())
    deliveries = api.get(f"/webhook-endpoints/{created['id']}/deliveries").json()["items"]
    assert [d["event_type"] for d in deliveries] == ["dispute.opened", "aftersale.rejected", "aftersale.created"]
    assert all(d["state"] == "pending" and d["attempt"] == 0 for d in deliveries)

    disabled = api.client.delete(f"/api/v1/webhook-endpoints/{created['id']}")
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"dead"}
    resend = api.post(f"/webhook-deliveries/{deliveries[0]['id']}/resend")
    assert resend.status_code == 409 and resend.json()["error"]["code"] == "endpoint_disabled"


def test_a_deleted_endpoint_is_gone_from_the_api(world, api_as):
    api = api_as(world.merchant)
    created = api.post("/webhook-endpoints", {"url": "https://erp.example.com/h", "event_types": ["*"]}).json()
    assert api.client.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 200
    assert api.get(f"/webhook-endpoints/{created['id']}").status_code == 404
    assert api.client.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404
    assert api.get("/webhook-endpoints").json()["items"] == []


def test_notifications_come_newest_first_in_the_callers_language_and_are_marked_read(world, api_as):
    a = _dispute(world)
    api = api_as(world.merchant)
    page = api.get("/notifications").json()
    assert [n["type"] for n in page["items"]] == ["dispute.opened", "aftersale.created"]
    assert page["unread"] == 2 and page["items"][0]["aftersale_id"] == a.id
    assert page["items"][0]["title"] == f"买家申请平台介入 {a.number}"
    assert page["items"][0]["event_id"] == OutboxEvent.objects.get(topic="dispute.opened").id

    english = api.client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["items"][0]["title"] == f"The buyer requested platform intervention ({a.number})"

    read = api.post(f"/notifications/{page['items'][0]['id']}/read").json()
    assert read["read_at"] is not None
    assert api.get("/notifications").json()["unread"] == 1
    assert api_as(world.other_merchant).post(f"/notifications/{page['items'][0]['id']}/read").status_code == 404


def test_health_says_the_dispatcher_is_lagging_when_an_event_waits_too_long(world, api_as):
    from datetime import timedelta

    import time_machine

    _dispute(world)
    assert api_as(world.merchant).get("/health").json()["dispatcher"] == "ok"
    with time_machine.travel(clock.now() + timedelta(minutes=10)):
        health = api_as(world.merchant).get("/health").json()
    assert health["dispatcher"] == "lagging" and health["oldest_undispatched_event_at"] is not None
    dispatcher.fan_out(now=clock.now())
    assert api_as(world.merchant).get("/health").json()["dispatcher"] == "ok"


def test_production_takes_only_https_targets(world, api_as, settings):
    settings.PRODUCTION = True
    response = api_as(world.merchant).post(
        "/webhook-endpoints", {"url": "http://erp.example.com/h", "event_types": ["*"]}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "webhook_url_not_https"
