"""The caller's network address, for the audit log and the login throttle.

Behind SELLERDESK_TRUSTED_PROXY_COUNT proxies (load balancer, nginx), each of which appends the
address it received the request from to X-Forwarded-For, the client is the entry that many places
from the right: everything left of it was written by the client and proves nothing. With no
trusted proxy (the default), REMOTE_ADDR, and X-Forwarded-For is ignored.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.SELLERDESK_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < hops:
        return remote  # it did not come through all of our proxies
    try:
        return str(ipaddress.ip_address(chain[-hops]))
    except ValueError:
        return remote
