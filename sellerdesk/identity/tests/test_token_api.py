"""POST /auth/token and API tokens: a working token, clear refusals, throttled guessing (django-axes)."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client

from sellerdesk.identity.models import ApiToken


def ask_token(username, password, client=None):
    return (client or Client()).post(
        "/api/v1/auth/token", json.dumps({"username": username, "password": password}), content_type="application/json"
    )


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


# --- expiry, revocation, last use (issue 10 part 7) ---------------------------------------------


def _bearer(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_says_when_it_expires_and_stops_working_then(world, settings):
    import time_machine
    from django.utils.dateparse import parse_datetime

    settings.SELLERDESK_API_TOKEN_TTL_DAYS = 30
    body = ask_token("m1", "sellerdesk-test-pw").json()
    expires_at = parse_datetime(body["expires_at"])
    stored = ApiToken.objects.get(user=world.merchant)
    assert expires_at == stored.expires_at and (stored.expires_at - stored.created_at).days == 30
    with time_machine.travel(expires_at - timedelta(seconds=1), tick=False):
        assert _bearer(body["token"]).get("/api/v1/me").status_code == 200
    with time_machine.travel(expires_at, tick=False):
        assert_error(_bearer(body["token"]).get("/api/v1/me"), 401, "not_authenticated")


def test_delete_auth_token_revokes_the_token_used_and_only_that_one(world):
    first = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    second = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    assert _bearer(first).delete("/api/v1/auth/token").status_code == 204
    assert_error(_bearer(first).get("/api/v1/me"), 401, "not_authenticated")
    assert _bearer(second).get("/api/v1/me").status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 1


def test_last_used_at_is_written_when_a_token_is_used(world):
    token = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    assert ApiToken.objects.get().last_used_at is None
    _bearer(token).get("/api/v1/me")
    used = ApiToken.objects.get().last_used_at
    assert used is not None
    listed = _bearer(token).get("/api/v1/auth/tokens").json()["items"]
    assert listed[0]["last_used_at"] is not None and listed[0]["current"] is True
    assert listed[0]["state"] == "active" and listed[0]["prefix"] == token[:10]
    assert token not in json.dumps(listed)


def test_a_user_revokes_a_token_by_id_but_not_someone_elses(world):
    mine = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    other = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    theirs = ApiToken.issue(world.buyer)[0]
    other_id = ApiToken.objects.get(prefix=other[:10]).pk
    assert _bearer(mine).delete(f"/api/v1/auth/tokens/{other_id}").status_code == 204
    assert_error(_bearer(other).get("/api/v1/me"), 401, "not_authenticated")
    assert_error(_bearer(mine).delete(f"/api/v1/auth/tokens/{theirs.pk}"), 404, "api_token_not_found")
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_the_api_tokens_page_lists_revokes_and_makes_tokens_with_the_password(world):
    token = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    web = Client()
    web.force_login(world.merchant)
    page = web.get("/account/api-tokens/").content.decode()
    assert token[:10] in page and token not in page and "有效" in page
    wrong = web.post("/account/api-tokens/", {"create": "1", "name": "ERP", "password": "nope"}).content.decode()
    assert "密码错误" in wrong and ApiToken.objects.count() == 1
    made = web.post("/account/api-tokens/", {"create": "1", "name": "ERP", "password": "sellerdesk-test-pw"})
    shown = made.content.decode()
    new = ApiToken.objects.get(name="ERP")
    raw = shown.split("data-token>")[1].split("<")[0]
    assert raw.startswith(new.prefix) and _bearer(raw).get("/api/v1/me").status_code == 200
    first = ApiToken.objects.get(prefix=token[:10])
    web.post("/account/api-tokens/", {"revoke": first.pk})
    assert_error(_bearer(token).get("/api/v1/me"), 401, "not_authenticated")
    other = ApiToken.issue(world.buyer)[0]
    assert web.post("/account/api-tokens/", {"revoke": other.pk}).status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_another_authorization_scheme_is_never_logged_even_with_debug(world, settings, caplog):
    import base64
    import logging

    settings.DEBUG = True
    basic = "Basic " + base64.b64encode(b"m1:sellerdesk-test-pw").decode()
    with caplog.at_level(logging.DEBUG):
        response = Client(HTTP_AUTHORIZATION=basic).get("/api/v1/me")
    assert_error(response, 401, "not_authenticated")
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert basic.split()[1] not in logged and "sellerdesk-test-pw" not in logged


def test_a_session_post_to_the_api_without_the_csrf_token_is_refused(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.merchant)
    response = browser.post("/api/v1/webhook-endpoints", "{}", content_type="application/json")
    assert_error(response, 403, "forbidden")
    assert "CSRF" in response.json()["error"]["message"]


def test_a_revoked_token_without_a_session_is_401_not_a_csrf_refusal(world):
    token = ask_token("m1", "sellerdesk-test-pw").json()["token"]
    caller = Client(HTTP_AUTHORIZATION=f"Bearer {token}", enforce_csrf_checks=True)
    assert caller.delete("/api/v1/auth/token").status_code == 204
    response = caller.post("/api/v1/webhook-endpoints", "{}", content_type="application/json")
    assert_error(response, 401, "not_authenticated")
