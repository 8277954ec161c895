"""Thin endpoints: events (polling), webhook endpoints and deliveries, notifications."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from sellerdesk.core import clock
from sellerdesk.core.errors import NotFound
from sellerdesk.core.fields import InputSchema, JsonInt
from sellerdesk.core.pagination import LIMIT, check_limit, paginate

from . import webhooks
from .error_codes import EventsErrorCode as Code
from .models import Notification, WebhookDelivery, WebhookEndpoint

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    type: str
    created_at: datetime
    aftersale_id: int | None
    data: dict


class EventPage(Schema):
    items: list[EventOut]
    next_after: int | None = Field(description="pass as `after` to read on; null when there was nothing new")
    has_more: bool


@router.get("/events", response=EventPage)
def list_events(request, after: int | None = None, limit: int | None = LIMIT):
    """The events the caller may see, oldest first, after the event `id` last read (the polling
    fallback to webhooks; the same ids as `webhook-id`)."""
    limit = check_limit(limit, default=50)
    qs = webhooks.events_visible_to(request.auth)
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id").values("id", "topic", "created_at", "aftersale_id", "payload")[: limit + 1])
    items = [
        {
            "id": r["id"],
            "type": r["topic"],
            "created_at": r["created_at"],
            "aftersale_id": r["aftersale_id"],
            "data": r["payload"],
        }
        for r in rows[:limit]
    ]
    return {"items": items, "next_after": items[-1]["id"] if items else after, "has_more": len(rows) > limit}


# --- webhook endpoints ---------------------------------------------------------------------


def _known_event_types(schema: dict) -> None:
    schema["items"]["enum"] = ["*", *webhooks.event_types()]


class EndpointIn(InputSchema):
    url: str = Field(
        max_length=500,
        description="https URL that receives the POSTs",
        json_schema_extra={"pattern": r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$"},
    )
    event_types: list[str] = Field(
        description='event types, or ["*"] for all', min_length=1, max_length=100, json_schema_extra=_known_event_types
    )
    description: str = Field("", max_length=200)
    shop_id: JsonInt | None = Field(None, description="merchants with several shops: which shop")


class EndpointOut(Schema):
    id: int
    url: str
    event_types: list[str]
    description: str
    status: str = Field(description="enabled, failing (a delivery went dead) or disabled")
    shop_id: int | None
    created_at: datetime
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="whsec_… — shown only here; verify signatures with it")


class EndpointList(Schema):
    items: list[EndpointOut]


class DeliveryOut(Schema):
    id: int
    event_id: int
    event_type: str
    attempt: int = Field(description="attempts made so far")
    status_code: int | None
    duration_ms: int | None
    state: str = Field(description="pending, succeeded, retrying or dead (sending while in flight)")
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    error: str
    created_at: datetime


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


def _endpoint_out(endpoint, secret: str | None = None) -> dict:
    out = {
        "id": endpoint.pk,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        "status": endpoint.status,
        "shop_id": endpoint.shop_id,
        "created_at": endpoint.created_at,
        "failing_since": endpoint.failing_since,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at,
    }
    if secret is not None:
        out["secret"] = secret
    return out


def delivery_out(d: WebhookDelivery) -> dict:
    unfinished = d.state in (WebhookDelivery.State.PENDING, WebhookDelivery.State.RETRYING)
    return {
        "id": d.pk,
        "event_id": d.event_id,
        "event_type": d.event.topic,
        "attempt": d.attempts,
        "status_code": d.last_status_code,
        "duration_ms": d.last_duration_ms,
        "state": d.state,
        "next_attempt_at": d.next_attempt_at if unfinished else None,
        "last_attempt_at": d.last_attempt_at,
        "error": d.last_error,
        "created_at": d.created_at,
    }


@router.post("/webhook-endpoints", response={201: EndpointWithSecret})
def register_endpoint(request, payload: EndpointIn):
    """Merchant (for its shop) or platform: register a URL; the answer carries its signing secret."""
    endpoint, secret = webhooks.do_register_endpoint(acting_user=request.auth, now=clock.now(), **payload.dict())
    return Status(201, _endpoint_out(endpoint, secret))


@router.get("/webhook-endpoints", response=EndpointList)
def list_endpoints(request):
    """The caller's endpoints; deleted ones are gone (their delivery log stays on the 消息推送 page)."""
    qs = webhooks.endpoints_visible_to(request.auth).exclude(status=WebhookEndpoint.Status.DISABLED).order_by("-id")
    return {"items": [_endpoint_out(e) for e in qs[:100]]}


def _live_endpoint(request, endpoint_id: int) -> WebhookEndpoint:
    """The caller's endpoint; a deleted one is 404 on every route from then on."""
    endpoint = webhooks.access_endpoint(request.auth, endpoint_id)
    if endpoint.status == WebhookEndpoint.Status.DISABLED:  # deleted
        raise NotFound(Code.ENDPOINT_NOT_FOUND)
    return endpoint


@router.get("/webhook-endpoints/{endpoint_id}", response=EndpointOut)
def get_endpoint(request, endpoint_id: int):
    return _endpoint_out(_live_endpoint(request, endpoint_id))


@router.delete("/webhook-endpoints/{endpoint_id}", response=EndpointOut)
def disable_endpoint(request, endpoint_id: int):
    """Delete: nothing more is sent there, and the API no longer shows it (404 from then on)."""
    _live_endpoint(request, endpoint_id)
    return _endpoint_out(webhooks.do_disable_endpoint(endpoint_id, acting_user=request.auth, now=clock.now()))


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret", response=EndpointWithSecret)
def rotate_secret(request, endpoint_id: int):
    """A new secret; the old one keeps signing beside it for 24 h."""
    _live_endpoint(request, endpoint_id)
    endpoint, secret = webhooks.do_rotate_secret(endpoint_id, acting_user=request.auth, now=clock.now())
    return _endpoint_out(endpoint, secret)


@router.get("/webhook-endpoints/{endpoint_id}/deliveries", response=DeliveryPage)
def list_deliveries(request, endpoint_id: int, limit: int | None = LIMIT, cursor: str | None = None):
    """Recent deliveries to this endpoint, newest first, with the last attempt's answer."""
    endpoint = _live_endpoint(request, endpoint_id)
    rows, next_cursor = paginate(
        WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event"), cursor=cursor, limit=limit
    )
    return {"items": [delivery_out(d) for d in rows], "next_cursor": next_cursor}


@router.post("/webhook-deliveries/{delivery_id}/resend", response=DeliveryOut)
def resend_delivery(request, delivery_id: int):
    """Deliver that event again now, with the same webhook-id."""
    delivery = webhooks.do_resend(delivery_id, acting_user=request.auth, now=clock.now())
    delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
    return delivery_out(delivery)


# --- notifications -------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    type: str
    title: str
    body: str
    link: str
    aftersale_id: int | None
    event_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


def notification_out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "type": n.topic,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "aftersale_id": n.aftersale_id,
        "event_id": n.event_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("/notifications", response=NotificationPage)
def list_notifications(request, limit: int | None = LIMIT, cursor: str | None = None, unread: bool = False):
    """The caller's in-app notifications, newest first, in the caller's language (Accept-Language)."""
    qs = Notification.objects.filter(user=request.auth)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return {
        "items": [notification_out(n) for n in rows],
        "next_cursor": next_cursor,
        "unread": Notification.objects.filter(user=request.auth, read_at__isnull=True).count(),
    }


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def read_notification(request, notification_id: int):
    note = Notification.objects.filter(pk=notification_id, user=request.auth).first()
    if note is None:
        raise NotFound(Code.NOTIFICATION_NOT_FOUND)
    if note.read_at is None:
        note.read_at = clock.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
    return notification_out(note)
