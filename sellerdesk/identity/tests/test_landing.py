"""Issue 12, item 2: a merchant who logs in on a phone lands on the seller app (商家后台 → 我的订单),
on PC on the workbench; the phone is told by Sec-CH-UA-Mobile, else a conservative User-Agent check
(docs/decisions.md)."""

import pytest
from django.test import Client, RequestFactory

from sellerdesk.identity.devices import is_phone
from sellerdesk.identity.models import Role, User

PASSWORD = "landing-test-pw"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
ANDROID_PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X910) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


@pytest.mark.parametrize(
    "headers,phone",
    [
        ({"HTTP_SEC_CH_UA_MOBILE": "?1", "HTTP_USER_AGENT": DESKTOP}, True),
        ({"HTTP_SEC_CH_UA_MOBILE": "?0", "HTTP_USER_AGENT": DESKTOP}, False),
        ({"HTTP_USER_AGENT": IPHONE}, True),
        ({"HTTP_USER_AGENT": ANDROID_PHONE}, True),
        ({"HTTP_USER_AGENT": ANDROID_TABLET}, False),
        ({"HTTP_USER_AGENT": IPAD}, False),
        ({"HTTP_USER_AGENT": DESKTOP}, False),
        ({}, False),
    ],
)
def test_a_phone_is_told_by_the_mobile_hint_then_a_conservative_user_agent_check(headers, phone):
    assert is_phone(RequestFactory().get("/", **headers)) is phone


@pytest.fixture
def merchant(db):
    return User.objects.create_user(username="landing_merchant", password=PASSWORD, role=Role.MERCHANT)


def _log_in(user, **headers):
    client = Client(**headers)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD}, follow=True)
    return [url for url, _ in response.redirect_chain]


def test_merchant_logging_in_on_a_phone_lands_on_the_seller_app(merchant):
    assert _log_in(merchant, HTTP_USER_AGENT=IPHONE)[-1] == "/m/orders/"
    assert _log_in(merchant, HTTP_SEC_CH_UA_MOBILE="?1")[-1] == "/m/orders/"


def test_merchant_logging_in_on_pc_lands_on_the_workbench(merchant):
    assert _log_in(merchant, HTTP_USER_AGENT=DESKTOP, HTTP_SEC_CH_UA_MOBILE="?0")[-1] == "/workbench/"


def test_buyer_on_a_phone_still_lands_on_their_orders(db):
    buyer = User.objects.create_user(username="landing_buyer", password=PASSWORD, role=Role.BUYER)
    assert _log_in(buyer, HTTP_USER_AGENT=IPHONE)[-1] == "/buyer/orders/"


def test_the_landing_varies_on_the_device_headers(merchant):
    client = Client(HTTP_USER_AGENT=IPHONE)
    client.force_login(merchant)
    assert "Sec-CH-UA-Mobile" in client.get("/")["Vary"]
