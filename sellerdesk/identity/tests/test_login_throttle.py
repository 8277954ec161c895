"""Failed log-ins lock the username + address pair (issue 9): a stranger guessing elsewhere never
locks the owner out, an address is locked only past a much higher ceiling, and every 429 says
when to come back (Retry-After)."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "sellerdesk-test-pw"


def _token(username, password, ip):
    return Client(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token", json.dumps({"username": username, "password": password}), content_type="application/json"
    )


def _page_login(username, password, ip):
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})


def test_the_owner_locked_out_by_a_strangers_wrong_passwords_can_still_log_in_from_their_own_address(world):
    for i in range(6):
        _token("m1", f"guess{i}", "198.51.100.9")
    assert _token("m1", PASSWORD, "198.51.100.9").status_code == 429  # the stranger's address is locked
    assert _token("m1", PASSWORD, "203.0.113.5").status_code == 200  # the owner at home is not
    assert _page_login("m1", PASSWORD, "203.0.113.5").status_code == 302


def test_one_noisy_client_does_not_lock_everyone_behind_its_address_until_a_much_higher_ceiling(world, settings):
    settings.SELLERDESK_LOGIN_ADDRESS_CEILING = 12
    office = "192.0.2.44"
    for n in range(2):
        for i in range(5):
            _token(f"nobody{n}", f"guess{i}", office)
    assert _token("m1", PASSWORD, office).status_code == 200  # 10 failures of others: still fine
    for i in range(2):
        _token("nobody9", f"guess{i}", office)
    locked = _token("b1", PASSWORD, office)  # 12 failures from the address
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "login_throttled"


def test_every_429_carries_retry_after(world):
    for i in range(5):
        _token("m1", f"guess{i}", "198.51.100.9")
    api = _token("m1", PASSWORD, "198.51.100.9")
    assert api.status_code == 429 and api["Retry-After"] == "900"
    assert api.json()["error"]["details"]["retry_after_seconds"] == 900

    page = _page_login("m1", PASSWORD, "198.51.100.9")
    assert page.status_code == 429 and page["Retry-After"] == "900"
    assert "登录失败次数过多，请 15 分钟后再试。" in page.content.decode()


def _token_via_proxy(username, password, client_ip, *, forged=""):
    """As a load balancer forwards it: REMOTE_ADDR is the balancer, X-Forwarded-For ends with the client."""
    chain = f"{forged}, {client_ip}" if forged else client_ip
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain).post(
        "/api/v1/auth/token", json.dumps({"username": username, "password": password}), content_type="application/json"
    )


def test_behind_a_trusted_proxy_the_lockout_keys_on_the_client_not_the_balancer(world, settings):
    settings.SELLERDESK_TRUSTED_PROXY_COUNT = 1
    for i in range(6):
        _token_via_proxy("m1", f"guess{i}", "198.51.100.9")
    assert _token_via_proxy("m1", PASSWORD, "198.51.100.9").status_code == 429
    assert _token_via_proxy("m1", PASSWORD, "203.0.113.5").status_code == 200  # same balancer, other client
    # What the client writes left of the proxy's entry is not believed: still the locked address.
    assert _token_via_proxy("m1", PASSWORD, "198.51.100.9", forged="203.0.113.5").status_code == 429


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(world, settings):
    settings.SELLERDESK_TRUSTED_PROXY_COUNT = 0
    for i in range(6):
        Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").post(
            "/api/v1/auth/token",
            json.dumps({"username": "m1", "password": f"guess{i}"}),
            content_type="application/json",
        )
    assert _token("m1", PASSWORD, "198.51.100.9").status_code == 429
