"""The write path (issue 8, goal 4): a message POST's statements stay fixed, and nothing it gave up
for them was a guarantee: scoping (404), the row lock, history + outbox in one transaction, the
idempotency replay, the token checks. Runs on SQLite and PostgreSQL (the PostgreSQL-only race is
marked)."""

import io
import json
import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.models import Attachment, HistoryEntry, HistoryKind
from sellerdesk.aftersales.tests.test_api_authorization import assert_error, bring_to, snapshot
from sellerdesk.core.models import IdempotencyKey
from sellerdesk.events.models import OutboxEvent
from sellerdesk.identity.models import ApiToken


# One message POST, as a merchant or a buyer: the token (with its user), the after-sale read and
# locked in the caller's scope (with its shop), the history entry, the outbox event, the
# notification's recipient and the notification. Savepoints, BEGIN and COMMIT are not counted.
# On PostgreSQL the outbox event and its notifications are one statement (recipients selected inside
# the INSERT, events/outbox.py), so 4; with an Idempotency-Key the token, the advisory lock and the
# key's row are one statement and the key is written once with its answer: 5
# (core/tests/test_write_path_round_trips.py has the statements one by one).
def message_statements() -> int:
    return 4 if connection.vendor == "postgresql" else 6


def keyed_statements() -> int:
    return 5 if connection.vendor == "postgresql" else 8


def statements(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def post_message(api, a, body="您好，请看一下", key=None):
    return api.post(f"/aftersales/{a.pk}/messages", {"body": body}, key=key)


def messages_of(a) -> int:
    return HistoryEntry.objects.filter(aftersale=a, kind=HistoryKind.MESSAGE).count()


@pytest.mark.parametrize("who", ["merchant", "buyer"])
def test_a_message_post_runs_a_fixed_number_of_statements(world, api_as, who):
    # given an open request, and a caller whose token was used a moment ago (last_used_at is fresh)
    a = bring_to(world, "merchant_rejected")
    api = api_as(getattr(world, who))
    assert post_message(api, a, "第一条").status_code == 201

    # when they post a message
    with CaptureQueriesContext(connection) as captured:
        response = post_message(api, a)

    # then exactly these statements ran: no scope query before the lock, no re-read of the shop or
    # the attachments, no last_used_at write within its minute
    assert response.status_code == 201, response.content
    sql = statements(captured)
    assert len(sql) == message_statements(), "\n".join(sql)
    assert sum('FROM "identity_apitoken"' in s for s in sql) == 1
    assert not any(s.startswith('UPDATE "identity_apitoken"') for s in sql)
    assert not any('FROM "aftersales_attachment"' in s for s in sql)
    locked_read = [s for s in sql if 'FROM "aftersales_aftersale"' in s]
    assert len(locked_read) == 1
    if connection.vendor == "postgresql":
        assert 'FOR UPDATE OF "aftersales_aftersale"' in locked_read[0]
    body = response.json()
    assert body["kind"] == "message" and body["body"] == "您好，请看一下" and body["attachments"] == []
    if who == "merchant":
        assert body["actor_name"] == world.shop.name


def test_a_keyed_message_post_looks_the_token_up_once_and_claims_the_key_in_two_statements(world, api_as):
    a = bring_to(world, "merchant_rejected")
    merchant = api_as(world.merchant)
    assert post_message(merchant, a, "第一条").status_code == 201

    with CaptureQueriesContext(connection) as captured:
        response = post_message(merchant, a, key="msg-1")

    assert response.status_code == 201, response.content
    sql = statements(captured)
    assert len(sql) == keyed_statements(), "\n".join(sql)
    assert sum('FROM "identity_apitoken"' in s for s in sql) == 1
    key = IdempotencyKey.objects.get(user=world.merchant, key="msg-1")
    assert key.status == "done" and key.response_status == 201
    assert json.loads(key.response_body) == response.json()


def test_the_message_answer_carries_the_files_just_written_without_reading_them_back(world, api_as):
    a = bring_to(world, "merchant_rejected")
    buyer = api_as(world.buyer)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(picture, format="PNG")
    picture.seek(0)
    picture.name = "broken.png"

    with CaptureQueriesContext(connection) as captured:
        response = buyer.post(f"/aftersales/{a.pk}/messages", {"body": "破损照片"}, files=[picture])

    assert response.status_code == 201, response.content
    assert not any(s.startswith("SELECT") and 'FROM "aftersales_attachment"' in s for s in statements(captured))
    stored = Attachment.objects.get(aftersale=a)
    assert [f["id"] for f in response.json()["attachments"]] == [stored.pk]
    assert stored.history_entry_id == response.json()["id"]


@pytest.mark.parametrize("who", ["other_merchant", "other_buyer", "cs"])
def test_a_caller_who_may_not_see_the_request_gets_404_and_nothing_is_written(world, api_as, who):
    # given a request of world's shop and buyer (no dispute, so CS may not see it either)
    a = bring_to(world, "merchant_rejected")
    before = snapshot(a)
    events = OutboxEvent.objects.count()

    response = post_message(api_as(getattr(world, who)), a)

    # then the same 404 as for a request that does not exist, and nothing changed
    assert_error(response, 404, "not_found")
    missing = api_as(getattr(world, who)).post(f"/aftersales/{a.pk + 1000}/messages", {"body": "您好"})
    assert missing.status_code == 404 and missing.json() == response.json()
    assert snapshot(a) == before
    assert OutboxEvent.objects.count() == events


def test_a_merchant_with_a_cached_shop_list_is_scoped_the_same(world):
    # access_aftersale takes the shop ids already loaded on the user, or a subquery: same answer
    from sellerdesk.aftersales.access import access_aftersale
    from sellerdesk.core.errors import NotFound

    a = bring_to(world, "awaiting_merchant")
    for merchant, sees in ((world.merchant, True), (world.other_merchant, False)):
        for preload in (False, True):
            if preload:
                merchant.shop_ids()
            if sees:
                assert access_aftersale(merchant, a.pk).pk == a.pk
            else:
                with pytest.raises(NotFound):
                    access_aftersale(merchant, a.pk)


def test_the_same_key_replays_the_message_and_posts_it_once(world, api_as):
    a = bring_to(world, "merchant_rejected")
    buyer = api_as(world.buyer)
    first = post_message(buyer, a, key="m-1")
    second = post_message(buyer, a, key="m-1")
    other_body = post_message(buyer, a, "另一条", key="m-1")

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert_error(other_body, 422, "idempotency_key_reused")
    assert messages_of(a) == 1
    assert OutboxEvent.objects.filter(topic="aftersale.message_posted", aftersale_id=a.pk).count() == 1


def test_a_refused_message_is_replayed_and_a_server_error_keeps_neither_the_work_nor_the_key(
    world, api_as, monkeypatch
):
    a = bring_to(world, "merchant_rejected")
    merchant = api_as(world.merchant)
    empty = post_message(merchant, a, "", key="empty")
    assert_error(empty, 400, "empty_body")
    assert post_message(merchant, a, "", key="empty").content == empty.content

    merchant.client.raise_request_exception = False
    from sellerdesk.aftersales import api as aftersales_api

    monkeypatch.setattr(aftersales_api, "_history_item", mock.Mock(side_effect=RuntimeError("boom")))
    crashed = post_message(merchant, a, key="crash")
    assert crashed.status_code == 500
    assert messages_of(a) == 0
    assert not IdempotencyKey.objects.filter(key="crash").exists()
    monkeypatch.undo()
    retried = post_message(merchant, a, key="crash")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert messages_of(a) == 1


def test_a_revoked_or_expired_token_is_401_with_a_key_too(world, api_as):
    from datetime import timedelta

    from sellerdesk.core import clock

    a = bring_to(world, "merchant_rejected")
    for spoil in ("revoke", "expire"):
        api = api_as(world.merchant)
        token = ApiToken.objects.filter(user=world.merchant).order_by("-id").first()
        if spoil == "revoke":
            token.revoke()
        else:
            ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() - timedelta(seconds=1))
        for key in (None, f"k-{spoil}"):
            assert_error(post_message(api, a, key=key), 401, "not_authenticated")
    assert messages_of(a) == 0
    assert not IdempotencyKey.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_a_retry_while_the_first_runs_is_409_in_use_and_the_message_is_posted_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two real transactions at once")
    a = bring_to(world, "merchant_rejected")
    _, raw = ApiToken.issue(world.merchant)
    real = actions.do_post_message
    started = threading.Event()

    def slow_post(*args, **kwargs):
        with transaction.atomic():
            entry = real(*args, **kwargs)
            started.set()
            time.sleep(0.5)  # the first request holds its claim, uncommitted
            return entry

    def post(out):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post(
            f"/api/v1/aftersales/{a.pk}/messages",
            json.dumps({"body": "同一条"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="dup",
        )
        out.append(response)
        connection.close()

    first, second = [], []
    with mock.patch.object(actions, "do_post_message", slow_post):
        thread = threading.Thread(target=post, args=(first,))
        thread.start()
        assert started.wait(10)
        post(second)
        thread.join()

    assert first[0].status_code == 201
    assert_error(second[0], 409, "idempotency_key_in_use")
    replay = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/v1/aftersales/{a.pk}/messages",
        json.dumps({"body": "同一条"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="dup",
    )
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.content == first[0].content
    assert messages_of(a) == 1
