"""Webhook endpoints: register, rotate the secret, disable, resend; who may see which events.

Signing follows the Standard Webhooks specification through the `standardwebhooks` package:
`webhook-signature` is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
base64-decoded part of the secret after `whsec_`. During a rotation's overlap both secrets sign,
space-separated, as the specification allows.
"""

import base64
import ipaddress
import secrets
import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from standardwebhooks import Webhook

from sellerdesk.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sellerdesk.identity.models import Role
from sellerdesk.payouts import crypto

from .error_codes import EventsErrorCode as Code
from .models import OutboxEvent, WebhookDelivery, WebhookEndpoint

SECRET_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS_PER_OWNER = 20


def event_types() -> list[str]:
    """The event types an endpoint may subscribe to (api.md)."""
    from .notices import NOTICES

    # Notices for the "owner" audience are told by notify(), not by an event (webhook failures, security).
    events = [t for t, notice in NOTICES.items() if notice.audience != "owner"]
    return sorted({*events, *EXTRA_EVENT_TYPES})


# Event types with no in-app notice of their own.
EXTRA_EVENT_TYPES = ("aftersale.refunded", "dispute.cancelled", "withdrawal.requested")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


# --- who may see what --------------------------------------------------------------------------


def events_visible_to(user):
    """The outbox events `user` may read (GET /events), as for the rest of the API."""
    qs = OutboxEvent.objects.all()
    if user.role == Role.MERCHANT:
        shop_ids = user.shop_ids()
        subject_ids = list(user.shops.values_list("subject_id", flat=True).distinct())
        return qs.filter(Q(shop_id__in=shop_ids) | Q(subject_id__in=subject_ids, holder_role=Role.MERCHANT))
    if user.role == Role.BUYER:
        return qs.filter(buyer_id=user.pk)
    if user.role == Role.DISTRIBUTOR:
        return qs.filter(subject_id=user.subject_id, holder_role="distributor") if user.subject_id else qs.none()
    if user.role in (Role.CS, Role.PLATFORM):
        from sellerdesk.aftersales.models import Dispute

        return qs.filter(aftersale_id__in=Dispute.objects.values("aftersale_id"))
    if user.role == Role.ADMIN:
        return qs
    return qs.none()


def endpoint_may_receive(endpoint: WebhookEndpoint, event: OutboxEvent, *, disputed: set[int]) -> bool:
    """An endpoint only ever receives events its owner may see. `disputed`: after-sale ids of
    `event`'s batch that have a dispute (platform endpoints receive every dispute's events)."""
    if endpoint.shop_id is not None:
        if event.shop_id is not None:
            return event.shop_id == endpoint.shop_id
        return event.holder_role == Role.MERCHANT and event.subject_id == endpoint.shop.subject_id
    return event.aftersale_id is not None and event.aftersale_id in disputed


# --- the target ----------------------------------------------------------------------------


def check_target(url: str, *, resolve: bool = True) -> None:
    """Refuse URLs SellerDesk must not call: not http(s), credentials in them, and, where private
    targets are not allowed (always in production), any name resolving to a loopback, private,
    link-local or otherwise non-public address. Fails closed: a name that does not resolve is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(Code.INVALID_WEBHOOK_URL, details={"url": url})
    if parts.username or parts.password:
        raise InvalidInput(Code.WEBHOOK_URL_HAS_CREDENTIALS)
    if settings.PRODUCTION and parts.scheme != "https":
        raise InvalidInput(Code.WEBHOOK_URL_NOT_HTTPS)
    if settings.SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS or not resolve:
        return
    try:
        infos = socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(Code.WEBHOOK_TARGET_UNRESOLVABLE, details={"host": parts.hostname}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise InvalidInput(Code.WEBHOOK_TARGET_NOT_ALLOWED, details={"host": parts.hostname})


# --- signing -------------------------------------------------------------------------------


def active_secrets(endpoint: WebhookEndpoint, now) -> list[str]:
    found = [crypto.decrypt(endpoint.secret_encrypted)]
    if (
        endpoint.previous_secret_encrypted
        and endpoint.previous_secret_expires_at
        and now < endpoint.previous_secret_expires_at
    ):
        found.append(crypto.decrypt(endpoint.previous_secret_encrypted))
    return found


def sign(secrets_: list[str], *, msg_id: str, timestamp: datetime, body: str) -> str:
    return " ".join(Webhook(s).sign(msg_id, timestamp.astimezone(UTC), body) for s in secrets_)


# --- actions -------------------------------------------------------------------------------


def _endpoint_shop(user, shop_id: int | None):
    if user.role == Role.PLATFORM:
        if shop_id is not None:  # the platform has no shops of its own: like anyone else's shop, 404
            raise NotFound(Code.SHOP_NOT_FOUND, details={"shop_id": shop_id})
        return None
    if user.role != Role.MERCHANT:
        raise Forbidden(Code.FORBIDDEN_ROLE)
    shops = user.shop_ids()
    if shop_id is None:
        if len(shops) != 1:
            raise InvalidInput(Code.SHOP_REQUIRED if shops else Code.NO_SHOP, details={"shop_ids": shops})
        shop_id = shops[0]
    if shop_id not in shops:
        raise NotFound(Code.SHOP_NOT_FOUND, details={"shop_id": shop_id})
    from sellerdesk.identity.models import Shop

    return Shop.objects.get(pk=shop_id)


def endpoints_visible_to(user):
    if user.role == Role.MERCHANT:
        return WebhookEndpoint.objects.filter(shop_id__in=user.shop_ids())
    if user.role == Role.PLATFORM:
        return WebhookEndpoint.objects.filter(shop__isnull=True, owner=user)
    if user.role == Role.ADMIN:
        return WebhookEndpoint.objects.all()
    return WebhookEndpoint.objects.none()


def access_endpoint(user, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    qs = endpoints_visible_to(user).filter(pk=endpoint_id)
    endpoint = (qs.select_for_update(of=("self",)) if lock else qs).first()
    if endpoint is None:
        raise NotFound(Code.ENDPOINT_NOT_FOUND)
    return endpoint


def check_event_types(types: list[str]) -> list[str]:
    if not types:
        raise InvalidInput(Code.NO_EVENT_TYPES)
    if "*" in types:
        return ["*"]
    known = set(event_types())
    unknown = sorted(set(types) - known)
    if unknown:
        raise InvalidInput(Code.UNKNOWN_EVENT_TYPES, details={"unknown": unknown, "known": sorted(known)})
    return sorted(set(types))


@transaction.atomic
def do_register_endpoint(
    *, acting_user, url: str, event_types: list[str], description: str = "", shop_id: int | None = None, now
) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its secret (shown to the caller only now)."""
    shop = _endpoint_shop(acting_user, shop_id)
    url = (url or "").strip()
    if len(url) > 500:
        raise InvalidInput(Code.WEBHOOK_URL_TOO_LONG, details={"limit_chars": 500})
    check_target(url)
    types = check_event_types(event_types)
    if (
        endpoints_visible_to(acting_user).exclude(status=WebhookEndpoint.Status.DISABLED).count()
        >= MAX_ENDPOINTS_PER_OWNER
    ):
        raise Conflict(Code.TOO_MANY_ENDPOINTS, details={"limit": MAX_ENDPOINTS_PER_OWNER})
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        owner=acting_user,
        shop=shop,
        url=url,
        event_types=types,
        description=(description or "")[:200],
        secret_encrypted=crypto.encrypt(secret),
        created_at=now,
    )
    return endpoint, secret


@transaction.atomic
def do_rotate_secret(endpoint_id: int, *, acting_user, now) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing beside it for 24 h."""
    endpoint = access_endpoint(acting_user, endpoint_id, lock=True)
    if endpoint.status == WebhookEndpoint.Status.DISABLED:
        raise Conflict(Code.ENDPOINT_DISABLED)
    secret = new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = now + SECRET_OVERLAP
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.save(update_fields=["previous_secret_encrypted", "previous_secret_expires_at", "secret_encrypted"])
    return endpoint, secret


@transaction.atomic
def do_disable_endpoint(endpoint_id: int, *, acting_user, now) -> WebhookEndpoint:
    """Stop delivering: what was still on its way there is given up (dead), never sent later."""
    endpoint = access_endpoint(acting_user, endpoint_id, lock=True)
    if endpoint.status != WebhookEndpoint.Status.DISABLED:
        endpoint.status = WebhookEndpoint.Status.DISABLED
        endpoint.disabled_at = now
        endpoint.save(update_fields=["status", "disabled_at"])
        WebhookDelivery.objects.filter(endpoint=endpoint, state__in=WebhookDelivery.UNFINISHED).update(
            state=WebhookDelivery.State.DEAD, completed_at=now, last_error="endpoint disabled", lease_until=None
        )
    return endpoint


@transaction.atomic
def do_resend(delivery_id: int, *, acting_user, now) -> WebhookDelivery:
    """Deliver that event again now (same webhook-id), with a fresh retry schedule."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .filter(pk=delivery_id, endpoint__in=endpoints_visible_to(acting_user))
        .first()
    )
    if delivery is None:
        raise NotFound(Code.DELIVERY_NOT_FOUND)
    if delivery.endpoint.status == WebhookEndpoint.Status.DISABLED:
        raise Conflict(Code.ENDPOINT_DISABLED)
    if delivery.state == WebhookDelivery.State.SENDING and delivery.lease_until and delivery.lease_until > now:
        raise Conflict(Code.DELIVERY_IN_FLIGHT)
    delivery.state = WebhookDelivery.State.PENDING
    delivery.failures = 0
    delivery.next_attempt_at = now
    delivery.completed_at = None
    delivery.lease_until = None
    delivery.save(update_fields=["state", "failures", "next_attempt_at", "completed_at", "lease_until"])
    return delivery
