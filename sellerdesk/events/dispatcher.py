"""The dispatcher: the worker's thread that takes committed outbox events to the world.

Each round: fan new events out into one delivery per subscribed endpoint (serialised, so the
events of one after-sale keep their order), claim due deliveries (SKIP LOCKED on PostgreSQL,
a lease so a dead worker's claims come back), and send each in a thread pool, outside any
transaction, so a slow or hanging endpoint holds one slot and never the others. Then the same
for pending e-mails. At-least-once: a crash between sending and recording sends the event again
with the same webhook-id, and receivers deduplicate on it (as Stripe's and Standard Webhooks').
"""

import json
import logging
import random
import ssl
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

import certifi
import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import translation

from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError

from .models import Notification, OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .webhooks import active_secrets, check_target, endpoint_may_receive, sign

log = logging.getLogger("sellerdesk.dispatcher")

State = WebhookDelivery.State
_FAN_OUT_LOCK = 7_201_100  # pg advisory lock key: one fan-out at a time keeps per-request order
USER_AGENT = "SellerDesk-Webhooks/1"


# --- fan-out -------------------------------------------------------------------------------


def fan_out(*, now, batch: int = 500) -> int:
    """Turn undispatched events into deliveries (oldest first). Returns the events handled."""
    from sellerdesk.aftersales.models import Dispute

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_FAN_OUT_LOCK])
                if not cursor.fetchone()[0]:
                    return 0  # another worker is fanning out right now
        events = list(OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")[:batch])
        if not events:
            return 0
        endpoints = list(WebhookEndpoint.objects.exclude(status=WebhookEndpoint.Status.DISABLED).select_related("shop"))
        disputed: set[int] = set()
        if any(e.shop_id is None for e in endpoints):
            disputed = set(
                Dispute.objects.filter(aftersale_id__in={e.aftersale_id for e in events if e.aftersale_id}).values_list(
                    "aftersale_id", flat=True
                )
            )
        deliveries, quiet = [], []
        for event in events:
            targets = [
                ep
                for ep in endpoints
                if ep.created_at <= event.created_at
                and ep.wants(event.topic)
                and endpoint_may_receive(ep, event, disputed=disputed)
            ]
            deliveries += [
                WebhookDelivery(
                    endpoint=ep, event=event, order_key=event.order_key, next_attempt_at=now, created_at=now
                )
                for ep in targets
            ]
            if not targets:
                quiet.append(event.pk)
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now)
        OutboxEvent.objects.filter(pk__in=quiet).update(delivered_at=now)  # nobody to deliver to
    return len(events)


# --- claim, send, record ---------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    endpoint_id: int
    url: str
    secrets: tuple[str, ...]
    event_id: int
    body: str
    attempt: int


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def event_body(event: OutboxEvent) -> str:
    """The JSON body of a delivery, exactly as signed."""
    return json.dumps(
        {"id": event.pk, "type": event.topic, "timestamp": event.created_at.isoformat(), "data": event.payload},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def _lease() -> timedelta:
    return timedelta(seconds=settings.SELLERDESK_WEBHOOK_TIMEOUT_SECONDS + 60)


def claim(*, now, limit: int) -> list[Claimed]:
    """Lease up to `limit` due deliveries: each the oldest unfinished one of its (endpoint,
    after-sale) so the order holds, and at most SELLERDESK_WEBHOOK_PER_ENDPOINT per endpoint in
    flight across all workers. Short transaction; nothing is sent here."""
    if limit <= 0:
        return []
    earlier = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        order_key=OuterRef("order_key"),
        event_id__lt=OuterRef("event_id"),
        state__in=WebhookDelivery.UNFINISHED,
    )
    due = Q(state__in=[State.PENDING, State.RETRYING], next_attempt_at__lte=now) | Q(
        state=State.SENDING, lease_until__lt=now
    )
    per_endpoint = settings.SELLERDESK_WEBHOOK_PER_ENDPOINT
    with transaction.atomic():
        candidates = list(
            WebhookDelivery.objects.filter(due)
            .exclude(Exists(earlier))
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .values("id", "endpoint_id")[: limit * 4]
        )
        if not candidates:
            return []
        busy = Counter(
            dict(
                WebhookDelivery.objects.filter(
                    endpoint_id__in={c["endpoint_id"] for c in candidates}, state=State.SENDING, lease_until__gte=now
                )
                .values_list("endpoint_id")
                .annotate(n=Count("id"))
                .values_list("endpoint_id", "n")
            )
        )
        chosen = []
        for c in candidates:
            if busy[c["endpoint_id"]] < per_endpoint and len(chosen) < limit:
                busy[c["endpoint_id"]] += 1
                chosen.append(c["id"])
        rows = list(WebhookDelivery.objects.filter(pk__in=chosen).select_related("endpoint", "event"))
        claimed = []
        for d in rows:
            d.attempts += 1
            claimed.append(
                Claimed(
                    delivery_id=d.pk,
                    endpoint_id=d.endpoint_id,
                    url=d.endpoint.url,
                    secrets=tuple(active_secrets(d.endpoint, now)),
                    event_id=d.event_id,
                    body=event_body(d.event),
                    attempt=d.attempts,
                )
            )
        for d in rows:
            WebhookDelivery.objects.filter(pk=d.pk).update(
                state=State.SENDING, lease_until=now + _lease(), attempts=d.attempts
            )
    return claimed


_SSL = ssl.create_default_context(cafile=certifi.where())  # built once: loading the CA bundle is costly
_clients = threading.local()


def _client(timeout: float) -> httpx.Client:
    """One keep-alive client per sending thread (a new client per send cost ~50 ms of CPU)."""
    client = getattr(_clients, "client", None)
    if client is None or getattr(_clients, "timeout", None) != timeout:
        if client is not None:
            client.close()
        client = _clients.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, verify=_SSL)
        _clients.timeout = timeout
    return client


def send(item: Claimed) -> Outcome:
    """One HTTP POST, no redirects followed, cut off after the timeout. No database here."""
    started = time.monotonic()
    timeout = settings.SELLERDESK_WEBHOOK_TIMEOUT_SECONDS

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_target(item.url)
    except CodedError as exc:
        return Outcome(None, 0, f"refused: {exc.code}")
    timestamp = clock.now()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": str(item.event_id),
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": sign(list(item.secrets), msg_id=str(item.event_id), timestamp=timestamp, body=item.body),
    }
    try:
        with _client(timeout).stream("POST", item.url, content=item.body.encode(), headers=headers) as response:
            # The answer's body is not needed; read a little, within the same deadline.
            for _chunk in response.iter_bytes():
                if time.monotonic() - started > timeout:
                    return Outcome(None, elapsed_ms(), "timed out reading the answer")
                break
            return Outcome(
                response.status_code,
                elapsed_ms(),
                "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}",
            )
    except httpx.TimeoutException:
        return Outcome(None, elapsed_ms(), f"timed out after {timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome(None, elapsed_ms(), f"{type(exc).__name__}: {exc}"[:300])


def retry_delay(failures: int) -> timedelta | None:
    """The wait after the `failures`-th failure in a row, ±20% jitter; None when it is over."""
    schedule = settings.SELLERDESK_WEBHOOK_RETRY_SCHEDULE
    if failures > len(schedule):
        return None
    return timedelta(seconds=schedule[failures - 1] * random.uniform(0.8, 1.2))


def record(item: Claimed, outcome: Outcome, *, now) -> None:
    """Write the attempt and move the delivery on; a lease that someone else took over is left alone."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=item.delivery_id, state=State.SENDING, attempts=item.attempt)
            .first()
        )
        if delivery is None:
            return
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=item.attempt,
            at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error[:300],
        )
        delivery.last_status_code, delivery.last_duration_ms = outcome.status_code, outcome.duration_ms
        delivery.last_error, delivery.last_attempt_at, delivery.lease_until = outcome.error[:300], now, None
        endpoint = delivery.endpoint
        if outcome.ok:
            delivery.state, delivery.completed_at, delivery.failures = State.SUCCEEDED, now, 0
            delivery.save()
            if endpoint.status == WebhookEndpoint.Status.FAILING:
                WebhookEndpoint.objects.filter(pk=endpoint.pk, status=WebhookEndpoint.Status.FAILING).update(
                    status=WebhookEndpoint.Status.ENABLED, failing_since=None
                )
            # The event's row lock orders the last two deliveries of one event finishing at once:
            # the second to get it sees the first one's success and marks the event delivered.
            list(OutboxEvent.objects.select_for_update().filter(pk=delivery.event_id).values_list("id"))
            if not WebhookDelivery.objects.filter(event_id=delivery.event_id).exclude(state=State.SUCCEEDED).exists():
                OutboxEvent.objects.filter(pk=delivery.event_id).update(delivered_at=now)
            return
        delivery.failures += 1
        delay = retry_delay(delivery.failures)
        if delay is not None:
            delivery.state, delivery.next_attempt_at = State.RETRYING, now + delay
            delivery.save()
            return
        delivery.state, delivery.completed_at = State.DEAD, now
        delivery.save()
        if endpoint.status == WebhookEndpoint.Status.ENABLED:
            _mark_failing(endpoint, now=now)


def _mark_failing(endpoint: WebhookEndpoint, *, now) -> None:
    from sellerdesk.identity.models import User

    from .notices import notify

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(status=WebhookEndpoint.Status.FAILING, failing_since=now)
    owners = (
        [endpoint.owner]
        if endpoint.shop_id is None
        else list(User.objects.filter(shops=endpoint.shop_id, is_active=True))
    )
    notify(
        owners,
        topic="webhook_endpoint.failing",
        params={"url": endpoint.url, "endpoint_id": endpoint.pk},
        link="/workbench/webhooks/" if endpoint.shop_id else "",
    )
    log.warning("webhook endpoint %s is failing: a delivery went dead", endpoint.pk)


def deliver(item: Claimed) -> Outcome:
    """Send one claimed delivery and record what happened (runs in a pool thread)."""
    try:
        outcome = send(item)
        record(item, outcome, now=clock.now())
        return outcome
    except Exception:  # the lease brings it back; say why it was lost
        log.exception("delivery %s: recording the attempt failed", item.delivery_id)
        connection.close()
        raise
    finally:
        close_old_connections()  # this thread's own connection, kept within CONN_MAX_AGE


# --- e-mail, the second channel ------------------------------------------------------------

EMAIL_LEASE = timedelta(minutes=5)
EMAIL_MAX_ATTEMPTS = 5


def send_due_emails(*, now, batch: int = 50) -> int:
    """Send the pending e-mails of notifications, after commit, each at most once per success."""
    E = Notification.EmailState
    with transaction.atomic():
        Notification.objects.filter(email_state=E.SENDING, emailed_at__lt=now - EMAIL_LEASE).update(
            email_state=E.PENDING
        )
        ids = list(
            Notification.objects.filter(email_state=E.PENDING)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch]
        )
        Notification.objects.filter(pk__in=ids).update(email_state=E.SENDING, emailed_at=now)
    sent = 0
    for note in Notification.objects.filter(pk__in=ids).select_related("user"):
        if not note.user.email:
            Notification.objects.filter(pk=note.pk).update(email_state=E.SKIPPED)
            continue
        with translation.override(note.user.language or settings.LANGUAGE_CODE):  # the reader's language
            title, body = note.title, note.body
        try:
            send_mail(
                f"[SellerDesk] {title}", body + (f"\n\n{note.link}" if note.link else ""), None, [note.user.email]
            )
        except Exception:  # the mail server is down or refused: try again later, then give up
            log.exception("e-mail of notification %s failed", note.pk)
            state = E.FAILED if note.email_attempts + 1 >= EMAIL_MAX_ATTEMPTS else E.PENDING
            Notification.objects.filter(pk=note.pk).update(email_state=state, email_attempts=note.email_attempts + 1)
            continue
        Notification.objects.filter(pk=note.pk).update(
            email_state=E.SENT, emailed_at=clock.now(), email_attempts=note.email_attempts + 1
        )
        sent += 1
    return sent


# --- the loop ------------------------------------------------------------------------------


def dispatch_once(*, now=None, pool: ThreadPoolExecutor | None = None, limit: int | None = None) -> int:
    """One round, waiting for its sends (tests, `worker --batch`). Returns the deliveries sent."""
    now = now or clock.now()
    fan_out(now=now)
    items = claim(now=now, limit=limit or settings.SELLERDESK_WEBHOOK_CONCURRENCY)
    if pool is None:
        for item in items:
            record(item, send(item), now=clock.now())
    else:
        list(pool.map(deliver, items))
    send_due_emails(now=now)
    return len(items)


def run(stop: threading.Event) -> None:
    """The worker's dispatcher thread: keeps the pool busy until `stop` is set."""
    size = settings.SELLERDESK_WEBHOOK_CONCURRENCY
    in_flight: set = set()
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook") as pool:
        while not stop.is_set():
            claimed = []
            try:
                close_old_connections()
                now = clock.now()
                fan_out(now=now)
                in_flight = {f for f in in_flight if not f.done()}
                claimed = claim(now=now, limit=size - len(in_flight))
                in_flight |= {pool.submit(deliver, item) for item in claimed}
                send_due_emails(now=now)
            except Exception:  # a dropped connection or a bad row: log, wait, go on
                log.exception("dispatch round failed")
                connection.close()
                stop.wait(5)
            interval = settings.SELLERDESK_DISPATCH_INTERVAL_SECONDS
            if len(in_flight) >= size:  # every slot busy: go on as soon as one is free
                wait(in_flight, timeout=interval, return_when=FIRST_COMPLETED)
            elif not claimed:
                stop.wait(interval)
