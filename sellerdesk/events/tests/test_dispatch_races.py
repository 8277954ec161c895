"""Several workers dispatching at once (PostgreSQL only: SKIP LOCKED and real row locks):
every event reaches each endpoint exactly once when it answers 2xx, in order per after-sale."""

import json
import threading
from collections import Counter, defaultdict

import pytest
from django.db import connection

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.events import dispatcher
from sellerdesk.events.models import OutboxEvent, WebhookDelivery
from sellerdesk.events.webhooks import do_register_endpoint
from sellerdesk.testing import factories as f

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent transactions and SKIP LOCKED: run with DATABASE_URL=postgres://…",
    ),
]


def test_three_workers_deliver_every_event_once_and_in_order_per_request(world, receiver):
    for path in ("/a", "/b"):
        do_register_endpoint(acting_user=world.merchant, url=receiver.at(path), event_types=["*"], now=clock.now())
    now = clock.now()
    for _ in range(12):
        buyer = f.make_user(role="buyer")
        order = f.make_order(shop=world.shop, buyer=buyer, paid_fen=1000)
        a = actions.do_open_aftersale(
            order_id=order.id, type="refund_only", amount_fen=1000, reason="破损", acting_user=buyer, now=now
        )
        actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
        actions.do_escalate(a.id, reason="介入", acting_user=buyer, now=now)
    barrier = threading.Barrier(3)
    errors = []

    def worker():
        try:
            barrier.wait()
            for _ in range(60):
                if (
                    not dispatcher.dispatch_once(now=clock.now(), limit=4)
                    and not WebhookDelivery.objects.filter(state__in=WebhookDelivery.UNFINISHED).exists()
                ):
                    break
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    events = OutboxEvent.objects.count()
    for path in ("/a", "/b"):
        got = receiver.on(path)
        counts = Counter(r.headers["webhook-id"] for r in got)
        assert len(counts) == events and set(counts.values()) == {1}, path
        per_request = defaultdict(list)
        for r in got:
            body = json.loads(r.body)
            per_request[body["data"]["aftersale_id"]].append(body["id"])
        assert all(ids == sorted(ids) for ids in per_request.values()), path
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"succeeded"}
    # The two deliveries of an event often finish at once; the event is delivered all the same.
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()


def test_an_event_whose_two_deliveries_are_recorded_at_once_is_still_marked_delivered(world, receiver):
    for path in ("/a", "/b"):
        do_register_endpoint(
            acting_user=world.merchant, url=receiver.at(path), event_types=["aftersale.created"], now=clock.now()
        )
    for _ in range(15):
        buyer = f.make_user(role="buyer")
        order = f.make_order(shop=world.shop, buyer=buyer, paid_fen=1000)
        actions.do_open_aftersale(
            order_id=order.id, type="refund_only", amount_fen=1000, reason="破损", acting_user=buyer, now=clock.now()
        )
        now = clock.now()
        dispatcher.fan_out(now=now)
        first, second = dispatcher.claim(now=now, limit=2)
        outcome = dispatcher.Outcome(200, 1)
        barrier = threading.Barrier(2)

        def record(item):
            barrier.wait()
            try:
                dispatcher.record(item, outcome, now=clock.now())
            finally:
                connection.close()

        threads = [threading.Thread(target=record, args=(item,)) for item in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert OutboxEvent.objects.get(pk=first.event_id).delivered_at is not None
