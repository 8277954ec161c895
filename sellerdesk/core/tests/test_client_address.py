"""The caller's address comes from the trusted proxies only (issue 10: behind a load balancer
REMOTE_ADDR is the balancer, and X-Forwarded-For is whatever the client wrote, left of our proxies)."""

import pytest
from django.test import RequestFactory

from sellerdesk.core.addresses import client_ip


def _request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    "hops,forwarded,expected",
    [
        (0, "203.0.113.5", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry is left of ours
        (2, "6.6.6.6, 203.0.113.5, 172.16.0.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # did not pass both proxies
        (1, "not-an-address", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_our_proxies_wrote(settings, hops, forwarded, expected):
    settings.SELLERDESK_TRUSTED_PROXY_COUNT = hops
    assert client_ip(_request(forwarded=forwarded)) == expected
