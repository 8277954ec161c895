"""POST /auth/token and API tokens: a working token, clear refusals, throttled guessing (django-axes)."""
import hashlib
import json

import pytest
from django.test import Client

from sellerdesk.identity.models import ApiToken



def ask_token(username, password, client=None):
    return (client or Client()).post("/api/v1/auth/token", json.dumps({"username": username, "password": password}),
                                     content_type="application/json")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code


def test_the_token_endpoint_returns_a_token_that_authenticates(world):
    response = ask_token("m1", "sellerdesk-test-pw")
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "m1"


def test_only_the_tokens_hash_is_stored(world):
    token = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    stored = ApiToken.objects.get(user=world.merchant)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.key_hash, stored.prefix, stored.name}


@pytest.mark.parametrize("username,password", [("m1", "wrong"), ("nobody", "sellerdesk-test-pw"), ("m1", "")])
def test_wrong_credentials_are_401_invalid_credentials(world, username, password):
    response = ask_token(username, password)
    assert_error(response, 401, "invalid_credentials")
    assert ApiToken.objects.count() == 0


def test_an_inactive_user_gets_no_token(world):
    world.merchant.is_active = False
    world.merchant.save()
    assert_error(ask_token("m1", "sellerdesk-test-pw"), 401, "invalid_credentials")


def test_a_body_without_password_is_invalid_input(world):
    response = Client().post("/api/v1/auth/token", json.dumps({"username": "m1"}), content_type="application/json")
    assert_error(response, 400, "invalid_input")
    assert response.json()["error"]["details"]["fields"] == [{"field": "password", "message": "Field required"}]


def test_repeated_failures_are_throttled_with_the_api_error_body(world, settings):
    # given the configured limit of failed log-ins
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    answers = [ask_token("m1", f"guess{i}").status_code for i in range(limit - 1)]
    assert answers == [401] * (limit - 1)

    # when the limit-th guess fails, and then the right password comes
    locked = ask_token("m1", "guess-last")
    right = ask_token("m1", "sellerdesk-test-pw")

    # then both are 429 login_throttled in the API's error body, and no token was issued
    assert_error(locked, 429, "login_throttled")
    assert_error(right, 429, "login_throttled")
    assert set(right.json()["error"]) == {"code", "message", "details"}
    assert ApiToken.objects.count() == 0


def test_a_lockout_of_one_user_does_not_lock_another_from_another_address(world):
    for i in range(5):
        ask_token("m1", f"guess{i}", client=Client(REMOTE_ADDR="10.0.0.1"))
    response = ask_token("b1", "sellerdesk-test-pw", client=Client(REMOTE_ADDR="10.0.0.2"))
    assert response.status_code == 200


def test_a_success_before_the_limit_resets_the_failure_count(world):
    for i in range(4):
        ask_token("m1", f"guess{i}")
    assert ask_token("m1", "sellerdesk-test-pw").status_code == 200
    answers = [ask_token("m1", f"again{i}").status_code for i in range(4)]
    assert answers == [401] * 4
