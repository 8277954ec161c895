"""Webhooks (api.md "Events, webhooks and notifications"), against a real HTTP receiver on 127.0.0.1:
signed as Standard Webhooks say, in order per after-sale, retried with backoff, dead at the end."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import transaction
from standardwebhooks import Webhook, WebhookVerificationError

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.core.errors import InvalidInput
from sellerdesk.events import dispatcher
from sellerdesk.events.models import Notification, OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from sellerdesk.events.outbox import emit
from sellerdesk.events.webhooks import do_disable_endpoint, do_register_endpoint, do_resend, do_rotate_secret
from sellerdesk.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _endpoint(world, receiver, path="/hook", types=("*",), user=None):
    endpoint, secret = do_register_endpoint(
        acting_user=user or world.merchant, url=receiver.at(path), event_types=list(types), now=clock.now()
    )
    return endpoint, secret


def _drain(now=None, rounds=20):
    """Run dispatcher rounds until nothing is due at `now`."""
    sent = 0
    for _ in range(rounds):
        n = dispatcher.dispatch_once(now=now or clock.now())
        sent += n
        if not n:
            break
    return sent


def _full_dispute(world):
    now = clock.now()
    a = actions.do_open_aftersale(
        order_id=world.order.id, type="refund_only", amount_fen=5000, reason="破损", acting_user=world.buyer, now=now
    )
    actions.do_reject(a.id, reason="商品完好", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="申请介入", acting_user=world.buyer, now=now)
    actions.do_submit_evidence(a.id, statement="发货前已检查", acting_user=world.merchant, now=now)
    actions.do_rule(a.id, outcome="refund", liable="merchant", note="商品破损属实", acting_user=world.cs, now=now)
    return a


def _verify(secret, request):
    return Webhook(secret).verify(request.body, request.headers)


def test_every_event_of_a_full_dispute_arrives_signed_in_order_exactly_once(world, receiver):
    _, secret = _endpoint(world, receiver)
    aftersale = _full_dispute(world)

    _drain()
    _drain()  # a second pass sends nothing more

    topics = list(OutboxEvent.objects.filter(aftersale_id=aftersale.id).order_by("id").values_list("topic", "id"))
    got = receiver.on("/hook")
    assert [json.loads(r.body)["type"] for r in got] == [t for t, _ in topics]
    assert [r.headers["webhook-id"] for r in got] == [str(i) for _, i in topics]
    assert "dispute.opened" in [t for t, _ in topics] and "dispute.resolved" in [t for t, _ in topics]
    for request in got:
        body = _verify(secret, request)
        assert body["data"]["aftersale_id"] == aftersale.id and body["id"] == int(request.headers["webhook-id"])
    assert not OutboxEvent.objects.filter(aftersale_id=aftersale.id, delivered_at__isnull=True).exists()


def test_a_tampered_body_fails_the_documented_verification(world, receiver):
    _, secret = _endpoint(world, receiver)
    _full_dispute(world)
    _drain()
    request = receiver.on("/hook")[0]
    tampered = request.body.replace(b'"status":', b'"status_":', 1)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, request.headers)  # someone else's secret


def test_a_receiver_answering_500_twice_then_200_gets_the_same_webhook_id_three_times_with_growing_delays(
    world, receiver
):
    _endpoint(world, receiver, types=["aftersale.created"])
    receiver.answers["/hook"] = [500, 500, 200]
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    t0 = clock.now()
    assert _drain(now=t0) == 1
    delivery = WebhookDelivery.objects.get()
    first_wait = delivery.next_attempt_at - t0
    assert delivery.state == "retrying" and timedelta(seconds=4) <= first_wait <= timedelta(seconds=6)
    assert _drain(now=t0 + timedelta(seconds=1)) == 0  # not before its time

    t1 = delivery.next_attempt_at
    assert _drain(now=t1) == 1
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - t1
    assert delivery.state == "retrying" and second_wait > first_wait

    assert _drain(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    ids = [r.headers["webhook-id"] for r in receiver.on("/hook")]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert delivery.state == "succeeded" and delivery.attempts == 3
    assert list(WebhookAttempt.objects.order_by("number").values_list("status_code", flat=True)) == [500, 500, 200]


def test_a_hanging_receiver_is_cut_off_and_retried_while_another_endpoint_gets_its_event_at_once(
    world, receiver, settings
):
    settings.SELLERDESK_WEBHOOK_TIMEOUT_SECONDS = 1.5
    settings.SELLERDESK_DISPATCH_INTERVAL_SECONDS = 0.05
    receiver.hang["/slow"] = 5
    _endpoint(world, receiver, "/slow", types=["aftersale.created"])
    _endpoint(world, receiver, "/fast", types=["aftersale.created"])
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        receiver.wait_for("/slow")
        fast = receiver.wait_for("/fast")
        assert fast[0].at - receiver.on("/slow")[0].at < 1.0  # not held up by the hanging one
        for _ in range(100):
            slow = WebhookDelivery.objects.get(endpoint__url=receiver.at("/slow"))
            if slow.state == "retrying":
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert slow.state == "retrying" and "timed out" in slow.last_error and slow.last_status_code is None
    assert 1400 <= slow.last_duration_ms < 4000
    assert WebhookDelivery.objects.get(endpoint__url=receiver.at("/fast")).state == "succeeded"


def test_a_worker_killed_between_sending_and_recording_sends_again_with_the_same_id(world, receiver):
    _endpoint(world, receiver, types=["aftersale.created"])
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    now = clock.now()
    dispatcher.fan_out(now=now)
    [item] = dispatcher.claim(now=now, limit=5)
    dispatcher.send(item)  # ... and the worker dies here, before record()
    assert dispatcher.claim(now=now + timedelta(seconds=30), limit=5) == []  # the lease still holds

    after_lease = WebhookDelivery.objects.get().lease_until + timedelta(seconds=1)
    assert _drain(now=after_lease) == 1

    ids = [r.headers["webhook-id"] for r in receiver.on("/hook")]
    assert ids == [str(item.event_id)] * 2
    assert WebhookDelivery.objects.get().state == "succeeded"


def test_events_of_one_request_wait_for_the_earlier_one_but_other_requests_go_on(world, receiver):
    _endpoint(world, receiver)
    receiver.answers["/hook"] = [500, 200]
    now = clock.now()
    first = actions.do_open_aftersale(
        order_id=world.order.id, type="refund_only", amount_fen=5000, reason="破损", acting_user=world.buyer, now=now
    )
    actions.do_reject(first.id, reason="不同意", acting_user=world.merchant, now=now)
    second_order = f.make_order(shop=world.shop, buyer=world.other_buyer, paid_fen=3000)
    second = actions.do_open_aftersale(
        order_id=second_order.id,
        type="refund_only",
        amount_fen=3000,
        reason="少件",
        acting_user=world.other_buyer,
        now=now,
    )

    _drain(now=now)
    sent = [(json.loads(r.body)["data"]["aftersale_id"], json.loads(r.body)["type"]) for r in receiver.on("/hook")]
    assert sent == [(first.id, "aftersale.created"), (second.id, "aftersale.created")]  # rejected waits

    _drain(now=now + timedelta(seconds=10))
    sent = [(json.loads(r.body)["data"]["aftersale_id"], json.loads(r.body)["type"]) for r in receiver.on("/hook")]
    assert sent[2:] == [(first.id, "aftersale.created"), (first.id, "aftersale.rejected")]


def test_an_endpoint_only_receives_events_its_owner_may_see(world, receiver):
    _endpoint(world, receiver, "/mine")
    _endpoint(world, receiver, "/other", user=world.other_merchant)
    _endpoint(world, receiver, "/platform", user=world.platform)
    a = actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    _drain()
    assert [json.loads(r.body)["data"]["aftersale_id"] for r in receiver.on("/mine")] == [a.id]
    assert receiver.on("/other") == []
    assert receiver.on("/platform") == []  # not a dispute (yet)

    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=clock.now())
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=clock.now())
    _drain()
    platform_got = [json.loads(r.body)["type"] for r in receiver.on("/platform")]
    assert "dispute.opened" in platform_got and "aftersale.created" not in platform_got
    assert receiver.on("/other") == []


def test_an_endpoint_gets_only_the_event_types_it_subscribed_to(world, receiver):
    _endpoint(world, receiver, types=["dispute.opened"])
    _full_dispute(world)
    _drain()
    assert [json.loads(r.body)["type"] for r in receiver.on("/hook")] == ["dispute.opened"]


def test_after_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new_one(world, receiver):
    endpoint, old = _endpoint(world, receiver, types=["aftersale.created", "aftersale.rejected"])
    rotated_at = clock.now()
    _, new = do_rotate_secret(endpoint.pk, acting_user=world.merchant, now=rotated_at)
    a = actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=rotated_at,
    )
    _drain(now=rotated_at)
    request = receiver.on("/hook")[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    _verify(old, request) and _verify(new, request)

    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=rotated_at)
    _drain(now=rotated_at + timedelta(hours=24, seconds=1))
    late = receiver.on("/hook")[1]
    assert len(late.headers["webhook-signature"].split(" ")) == 1
    _verify(new, late)
    with pytest.raises(WebhookVerificationError):
        _verify(old, late)


def test_after_the_retry_schedule_the_delivery_is_dead_the_endpoint_failing_and_its_owner_told(
    world, receiver, settings
):
    settings.SELLERDESK_WEBHOOK_RETRY_SCHEDULE = [5, 30]
    receiver.answers["/hook"] = [503]
    endpoint, _ = _endpoint(world, receiver, types=["aftersale.created"])
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    now = clock.now()
    for _ in range(3):
        _drain(now=now)
        now += timedelta(minutes=5)
    delivery = WebhookDelivery.objects.get()
    endpoint.refresh_from_db()
    assert delivery.state == "dead" and delivery.attempts == 3
    assert endpoint.status == "failing"
    note = Notification.objects.get(topic="webhook_endpoint.failing")
    assert note.user == world.merchant and receiver.at("/hook") in note.body
    assert OutboxEvent.objects.get(topic="aftersale.created").delivered_at is None  # never pruned

    receiver.answers["/hook"] = [200]
    do_resend(delivery.pk, acting_user=world.merchant, now=now)
    _drain(now=now)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.state == "succeeded" and endpoint.status == "enabled"
    assert len({r.headers["webhook-id"] for r in receiver.on("/hook")}) == 1


def test_a_redirect_is_not_followed(world, receiver):
    receiver.answers["/hook"] = [302]
    receiver.redirect_to["/hook"] = "/elsewhere"
    _endpoint(world, receiver, types=["aftersale.created"])
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    _drain()
    assert receiver.on("/elsewhere") == []
    assert WebhookDelivery.objects.get().state == "retrying"


def test_a_disabled_endpoint_receives_nothing_more(world, receiver):
    endpoint, _ = _endpoint(world, receiver, types=["aftersale.created"])
    receiver.answers["/hook"] = [500]
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    _drain()
    do_disable_endpoint(endpoint.pk, acting_user=world.merchant, now=clock.now())
    _drain(now=clock.now() + timedelta(hours=1))
    assert len(receiver.on("/hook")) == 1
    assert WebhookDelivery.objects.get().state == "dead"


def test_a_rolled_back_change_sends_nothing(world, receiver):
    _endpoint(world, receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(
            "aftersale.created",
            aggregate_type="aftersale",
            aggregate_id=1,
            payload={"aftersale_id": 1, "shop_id": world.shop.id},
        )
        raise RuntimeError("the action failed after writing its event")
    _drain()
    assert receiver.received == [] and not OutboxEvent.objects.exists()


def test_an_event_with_no_endpoint_is_delivered_at_once(world):
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    _drain()
    assert OutboxEvent.objects.get().delivered_at is not None


def test_private_and_loopback_targets_are_refused_where_they_are_not_allowed(world, receiver, settings):
    settings.SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for url in (
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://192.168.0.1/",
    ):
        with pytest.raises(InvalidInput) as refused:
            do_register_endpoint(acting_user=world.merchant, url=url, event_types=["*"], now=clock.now())
        assert refused.value.code == "webhook_target_not_allowed", url
    for url in ("ftp://example.com/x", "http://user:pw@example.com/x", "not a url"):
        with pytest.raises(InvalidInput):
            do_register_endpoint(acting_user=world.merchant, url=url, event_types=["*"], now=clock.now())
    assert not WebhookEndpoint.objects.exists()

    # An endpoint registered while allowed is refused at send time once it is not.
    settings.SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    _endpoint(world, receiver, types=["aftersale.created"])
    settings.SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    actions.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=clock.now(),
    )
    _drain()
    assert receiver.received == []
    assert WebhookDelivery.objects.get().last_error == "refused: webhook_target_not_allowed"
