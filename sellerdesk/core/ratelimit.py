"""Per-user rate limits on what a user can post many of: messages, uploads, offers.

django-ratelimit counts in the shared cache (Redis in production). A limit that cannot be
counted (the cache is down) refuses the request rather than letting it through unlimited."""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

from .error_codes import CoreErrorCode as Code
from .errors import CodedError, Throttled

log = logging.getLogger(__name__)

SCOPES = {  # scope -> the setting holding its rate
    "messages": "SELLERDESK_RATE_MESSAGES",
    "uploads": "SELLERDESK_RATE_UPLOADS",
    "offers": "SELLERDESK_RATE_OFFERS",
}


def _user_key(group, request) -> str:
    return str(request.user.pk)


def enforce(request, scope: str) -> None:
    """Count one more `scope` for the caller; Throttled (429, Retry-After) once over the rate."""
    rate = str(getattr(settings, SCOPES[scope]) or "0").strip()
    if rate == "0":
        return
    try:
        usage = get_usage(request, group=f"sellerdesk.{scope}", key=_user_key, rate=rate, increment=True)
    except Exception:  # the cache cannot be reached: fail closed
        log.exception("rate limit %s could not be counted", scope)
        usage = {"time_left": -1, "should_limit": True, "limit": 0}
    if usage is None or not usage["should_limit"]:
        return
    if usage["time_left"] < 0:
        raise CodedError(Code.RATE_LIMIT_UNAVAILABLE, status=503)
    raise Throttled(Code.RATE_LIMITED, retry_after=usage["time_left"], details={"scope": scope, "rate": rate})
