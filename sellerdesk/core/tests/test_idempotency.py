"""Idempotency-Key on every API POST (api.md, Conventions), through real HTTP."""

import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.models import AfterSale, HistoryEntry, HistoryKind
from sellerdesk.aftersales.tests.test_api_authorization import assert_error, bring_to, snapshot
from sellerdesk.core import clock
from sellerdesk.core.models import IdempotencyKey


def open_body(w, **overrides):
    return {"order_id": w.order.id, "type": "refund_only", "amount_fen": 5000, "reason": "质量问题", **overrides}


def history_of(a, kind):
    return HistoryEntry.objects.filter(aftersale=a, kind=kind).count()


def test_same_key_and_body_replays_the_first_response_and_acts_once(world, api_as):
    # given a request awaiting the merchant
    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)

    # when the merchant sends the same rejection twice with one key
    first = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key="rej-1")
    second = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key="rej-1")

    # then the second is the first's answer, marked as replayed, and the rejection happened once
    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first
    assert second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert history_of(a, HistoryKind.REJECTED) == 1
    a.refresh_from_db()
    assert a.version == first.json()["version"]


def test_replay_of_a_201_keeps_the_status_and_opens_one_request(world, api_as):
    buyer = api_as(world.buyer)
    first = buyer.post("/aftersales", open_body(world), key="open-1")
    second = buyer.post("/aftersales", open_body(world), key="open-1")
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert AfterSale.objects.count() == 1


def test_same_key_with_another_body_is_422_idempotency_key_reused(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key="k")
    before = snapshot(a)

    response = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "另一个理由"}, key="k")

    assert_error(response, 422, "idempotency_key_reused")
    assert snapshot(a) == before


def test_same_key_and_body_on_another_path_is_422(world, api_as):
    # the key names one operation: the same body sent to another endpoint is another request
    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    merchant.post(f"/aftersales/{a.pk}/approve", {}, key="k2")
    before = snapshot(a)
    response = merchant.post(f"/aftersales/{a.pk}/confirm-receipt", {}, key="k2")
    assert_error(response, 422, "idempotency_key_reused")
    assert snapshot(a) == before


def test_keys_are_scoped_to_the_caller(world, api_as):
    # given two buyers with an order each, using the same key
    from sellerdesk.testing import factories as f

    order_b2 = f.make_order(shop=world.shop, buyer=world.other_buyer)
    first = api_as(world.buyer).post("/aftersales", open_body(world), key="shared")
    second = api_as(world.other_buyer).post("/aftersales", open_body(world, order_id=order_b2.id), key="shared")

    # then each request ran on its own
    assert first.status_code == 201 and second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert AfterSale.objects.count() == 2


def test_a_retry_while_the_first_is_running_is_409_idempotency_key_in_use(world, api_as):
    # given the first attempt still in progress (its key claimed a moment ago, no answer yet)
    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    body = {"reason": "不同意"}
    # the same fingerprint the middleware computes for this POST
    fingerprint = _fingerprint_of(f"/api/v1/aftersales/{a.pk}/reject", body)
    IdempotencyKey.objects.create(user=world.merchant, key="busy", request_hash=fingerprint, created_at=clock.now())
    before = snapshot(a)

    # when the client retries
    response = merchant.post(f"/aftersales/{a.pk}/reject", body, key="busy")

    # then 409 in use, the action did not run, the key is still the first attempt's
    assert_error(response, 409, "idempotency_key_in_use")
    assert snapshot(a) == before
    assert IdempotencyKey.objects.get(key="busy").status == "in_progress"


def test_a_stale_in_progress_key_is_taken_over_by_the_retry(world, api_as):
    # given an attempt that died without an answer longer ago than the stale limit
    a = bring_to(world, "awaiting_merchant")
    body = {"reason": "不同意"}
    long_ago = clock.now() - timedelta(seconds=settings.SELLERDESK_IDEMPOTENCY_STALE_SECONDS + 1)
    IdempotencyKey.objects.create(
        user=world.merchant,
        key="dead",
        request_hash=_fingerprint_of(f"/api/v1/aftersales/{a.pk}/reject", body),
        created_at=long_ago,
    )

    # when the client retries
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/reject", body, key="dead")

    # then the retry runs and its answer is stored for later replays
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response
    assert history_of(a, HistoryKind.REJECTED) == 1
    key = IdempotencyKey.objects.get(key="dead")
    assert key.status == "done"
    assert key.response_status == 200


def test_an_error_answer_is_replayed_too(world, api_as):
    # given a 409 answered under a key
    a = bring_to(world, "merchant_rejected")
    merchant = api_as(world.merchant)
    first = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "再拒绝"}, key="err")
    assert_error(first, 409, "invalid_transition")

    # when the state changes and the same request comes again with the key
    actions.do_approve(a.pk, acting_user=world.merchant, now=clock.now())
    before = snapshot(a)
    second = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "再拒绝"}, key="err")

    # then the first answer comes back unchanged
    assert second.status_code == 409
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert snapshot(a) == before


def test_a_server_error_frees_the_key_for_a_retry(world, api_as, monkeypatch):
    # given an approval that crashes the first time
    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    merchant.client.raise_request_exception = False
    real = actions.do_approve
    monkeypatch.setattr(actions, "do_approve", lambda *args, **kw: (_ for _ in ()).throw(RuntimeError("boom")))

    crashed = merchant.post(f"/aftersales/{a.pk}/approve", {}, key="retry-me")
    assert crashed.status_code == 500
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()
    assert AfterSale.objects.get(pk=a.pk).status == "awaiting_merchant"

    # when the client retries once it works again
    monkeypatch.setattr(actions, "do_approve", real)
    retried = merchant.post(f"/aftersales/{a.pk}/approve", {}, key="retry-me")

    # then the retry ran (not replayed) and approved once
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried
    assert retried.json()["status"] == "refunded"
    assert history_of(a, HistoryKind.APPROVED) == 1


def png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, format="PNG")
    return buf.getvalue()


def named(data: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(data)
    buf.name = name
    return buf


def test_multipart_retry_with_a_new_boundary_but_the_same_content_replays(world, api_as):
    # given evidence sent with a key; Django's test client picks a boundary, we send one of our own next
    a = bring_to(world, "dispute_awaiting_evidence")
    merchant = api_as(world.merchant)
    data = png((1, 2, 3))
    first = merchant.post(
        f"/aftersales/{a.pk}/evidence", {"statement": "签收单"}, key="ev", files=[named(data, "sign.png")]
    )
    assert first.status_code == 200

    boundary = "SellerDeskRetryBoundary123"
    raw = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="statement"\r\n\r\n签收单\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="sign.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    second = merchant.client.generic(
        "POST",
        f"/api/v1/aftersales/{a.pk}/evidence",
        raw,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY="ev",
    )

    # then it is a replay, and one evidence was stored
    assert second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert history_of(a, HistoryKind.EVIDENCE_SUBMITTED) == 1


def test_multipart_retry_with_another_file_is_422(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    merchant = api_as(world.merchant)
    merchant.post(
        f"/aftersales/{a.pk}/evidence", {"statement": "签收单"}, key="ev2", files=[named(png((1, 2, 3)), "sign.png")]
    )
    before = snapshot(a)
    response = merchant.post(
        f"/aftersales/{a.pk}/evidence", {"statement": "签收单"}, key="ev2", files=[named(png((9, 9, 9)), "sign.png")]
    )
    assert_error(response, 422, "idempotency_key_reused")
    assert snapshot(a) == before


def test_the_token_endpoint_ignores_idempotency_keys(world):
    # replaying a login would hand out the same token twice; each call issues its own
    client = Client()
    body = json.dumps({"username": "b1", "password": "sellerdesk-test-pw"})
    first = client.post("/api/v1/auth/token", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="t")
    second = client.post("/api/v1/auth/token", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="t")
    assert first.status_code == 200 and second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert "Idempotent-Replayed" not in second
    assert IdempotencyKey.objects.count() == 0


def test_a_post_without_a_key_is_not_recorded(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    api_as(world.merchant).post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"})
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.parametrize("key", ["   ", "x" * 256])
def test_a_blank_or_overlong_key_is_400(world, api_as, key):
    a = bring_to(world, "awaiting_merchant")
    before = snapshot(a)
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key=key)
    assert_error(response, 400, "invalid_idempotency_key")
    assert snapshot(a) == before


def test_an_anonymous_post_with_a_key_is_401_and_stores_nothing(world):
    response = Client().post(
        "/api/v1/aftersales", json.dumps(open_body(world)), content_type="application/json", HTTP_IDEMPOTENCY_KEY="anon"
    )
    assert_error(response, 401, "not_authenticated")
    assert IdempotencyKey.objects.count() == 0


def _fingerprint_of(path: str, body: dict) -> str:
    """What the middleware hashes for a JSON POST, computed through a real request object."""
    from django.test import RequestFactory

    from sellerdesk.core.idempotency import request_fingerprint

    request = RequestFactory().post(path, json.dumps(body), content_type="application/json")
    return request_fingerprint(request)


def test_a_lost_race_frees_the_key_so_the_retry_runs(world, api_as, monkeypatch):
    # given an approval that loses a race the first time (409 concurrent_update)
    from sellerdesk.core.errors import Conflict

    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    real = actions.do_approve

    def lose(*args, **kw):
        raise Conflict("Someone else changed this after-sale at the same moment.", code="concurrent_update")

    monkeypatch.setattr(actions, "do_approve", lose)
    lost = merchant.post(f"/aftersales/{a.pk}/approve", {}, key="race")
    assert_error(lost, 409, "concurrent_update")
    assert not IdempotencyKey.objects.filter(key="race").exists()

    # when the client retries with the same key
    monkeypatch.setattr(actions, "do_approve", real)
    retried = merchant.post(f"/aftersales/{a.pk}/approve", {}, key="race")

    # then the retry ran: the lost race was not the answer to replay
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried
    assert history_of(a, HistoryKind.APPROVED) == 1


@pytest.mark.parametrize("key", ["after-commit", None])
def test_a_server_error_after_the_work_ran_keeps_none_of_it_so_a_retry_is_safe(world, api_as, monkeypatch, key):
    """The action ran, then building the answer crashed: the 500 is not an outcome, nothing stays."""
    from sellerdesk.aftersales import api as aftersales_api

    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    merchant.client.raise_request_exception = False
    real = aftersales_api._detail
    monkeypatch.setattr(aftersales_api, "_detail", lambda *args, **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    crashed = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key=key)
    assert crashed.status_code == 500
    assert AfterSale.objects.get(pk=a.pk).status == "awaiting_merchant"
    assert history_of(a, HistoryKind.REJECTED) == 0
    assert not IdempotencyKey.objects.exists()

    monkeypatch.setattr(aftersales_api, "_detail", real)
    retried = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key=key)
    assert retried.status_code == 200 and retried.json()["status"] == "merchant_rejected"
    assert history_of(a, HistoryKind.REJECTED) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_action_keeps_nothing_and_the_retry_with_the_key_runs_once(world, api_as, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the database connection is really terminated")
    a = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    merchant.client.raise_request_exception = False
    real = actions.do_reject

    def reject_then_lose_the_connection(*args, **kwargs):
        real(*args, **kwargs)  # written, not committed
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(actions, "do_reject", reject_then_lose_the_connection)
    lost = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key="dropped-1")
    assert lost.status_code == 500
    connection.close()
    assert AfterSale.objects.get(pk=a.pk).status == "awaiting_merchant"
    assert history_of(a, HistoryKind.REJECTED) == 0
    assert not IdempotencyKey.objects.filter(key="dropped-1").exists()  # freed on a new connection

    monkeypatch.setattr(actions, "do_reject", real)
    retried = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key="dropped-1")
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    replayed = merchant.post(f"/aftersales/{a.pk}/reject", {"reason": "不同意"}, key="dropped-1")
    assert replayed["Idempotent-Replayed"] == "true" and replayed.content == retried.content
    assert history_of(a, HistoryKind.REJECTED) == 1
