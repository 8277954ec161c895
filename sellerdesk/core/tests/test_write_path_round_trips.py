"""The message POST's round trips (issue 8, goal 4) on PostgreSQL, and that none it gave up was a
guarantee: the token check and the Idempotency-Key claim are one statement, the key's row is
written once with its answer, the outbox event and its notifications are one statement. A first
attempt that commits unseen by a retry's claim is still found (the unique index) and its answer
replayed, the retry's work rolled back."""

import hashlib
import json
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.tests.test_api_authorization import assert_error, bring_to
from sellerdesk.aftersales.tests.test_write_path_queries import messages_of, post_message, statements
from sellerdesk.core import clock
from sellerdesk.core.idempotency import _LOCK_ID_SQL, _lock_id
from sellerdesk.core.models import IdempotencyKey
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.identity.models import ApiToken


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statements (SQLite keeps the ORM's)")


@pytest.mark.parametrize("who", ["merchant", "buyer"])
def test_a_message_post_is_four_statements_and_six_with_sqlite(world, api_as, who):
    # given an open request and a caller whose token was used a moment ago
    a = bring_to(world, "merchant_rejected")
    api = api_as(getattr(world, who))
    assert post_message(api, a, "第一条").status_code == 201

    with CaptureQueriesContext(connection) as captured:
        response = post_message(api, a)

    # then: the token (with its user), the scoped locked read, the history entry, and the outbox
    # event with its notification in one statement (PostgreSQL); SQLite reads the recipient apart
    assert response.status_code == 201, response.content
    sql = statements(captured)
    assert len(sql) == (4 if connection.vendor == "postgresql" else 6), "\n".join(sql)
    assert sum('FROM "identity_apitoken"' in s for s in sql) == 1
    if connection.vendor == "postgresql":
        event = [s for s in sql if 'INTO "events_outboxevent"' in s]
        assert len(event) == 1 and 'INTO "events_notification"' in event[0]
        assert not any(s.startswith('SELECT "identity_user"') for s in sql)
    # and the notification went to the other party, with its link
    other = world.buyer if who == "merchant" else world.merchant
    notification = Notification.objects.filter(user=other).order_by("-id").first()
    assert notification.topic == "aftersale.message_posted"
    assert notification.event_id == OutboxEvent.objects.order_by("-id").first().pk
    assert notification.link == (
        f"/buyer/aftersales/{a.pk}/" if who == "merchant" else f"/workbench/aftersales/{a.pk}/"
    )


def test_a_keyed_message_post_claims_with_the_token_check_and_writes_the_key_once(world, api_as):
    a = bring_to(world, "merchant_rejected")
    merchant = api_as(world.merchant)
    assert post_message(merchant, a, "第一条").status_code == 201

    with CaptureQueriesContext(connection) as captured:
        response = post_message(merchant, a, key="msg-1")

    assert response.status_code == 201, response.content
    sql = statements(captured)
    key = IdempotencyKey.objects.get(user=world.merchant, key="msg-1")
    assert key.status == "done" and key.response_status == 201
    assert json.loads(key.response_body) == response.json()
    if connection.vendor != "postgresql":
        assert len(sql) == 8, "\n".join(sql)  # SQLite: the claim and the answer as before
        return
    # PostgreSQL: token + lock + the key's row in one statement, then the work, then one INSERT
    assert len(sql) == 5, "\n".join(sql)
    assert 'FROM "identity_apitoken"' in sql[0] and "pg_try_advisory_xact_lock" in sql[0]
    assert sum('FROM "identity_apitoken"' in s for s in sql) == 1
    assert sql[-1].startswith('INSERT INTO "core_idempotencykey"')
    assert not any(s.startswith('UPDATE "core_idempotencykey"') for s in sql)


def test_the_claim_statement_locks_the_same_id_as_lock_id(world):
    needs_postgres()
    for key in ("abc", "ключ-键-🔑", "it's a \\ key", "x" * 255):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_LOCK_ID_SQL.format(user='%s::bigint')}", [world.merchant.pk, key])
            assert cursor.fetchone()[0] == _lock_id(world.merchant, key)


def test_a_dead_token_with_a_key_is_401_and_claims_nothing(world, api_as):
    a = bring_to(world, "merchant_rejected")
    api = api_as(world.merchant)
    ApiToken.objects.filter(user=world.merchant).update(revoked_at=clock.now())
    assert_error(post_message(api, a, key="k-1"), 401, "not_authenticated")
    world.merchant.is_active = False
    world.merchant.save()
    assert_error(post_message(api_as(world.merchant), a, key="k-2"), 401, "not_authenticated")
    assert not IdempotencyKey.objects.exists()
    assert messages_of(a) == 0


def test_the_token_read_with_the_claim_is_marked_used_and_carries_its_user(world, api_as):
    a = bring_to(world, "merchant_rejected")
    api = api_as(world.merchant)
    token = ApiToken.objects.get(user=world.merchant)
    assert token.last_used_at is None
    assert post_message(api, a, key="first").status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None
    # an hour later the mark moves again; within the minute it does not
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now() - timedelta(hours=1))
    assert post_message(api, a, key="second").status_code == 201
    token.refresh_from_db()
    assert token.last_used_at >= clock.now() - timedelta(minutes=1)


def test_usable_builds_the_token_and_its_user_from_one_row(world):
    _, raw = ApiToken.issue(world.merchant)
    found = ApiToken.usable(raw)
    with CaptureQueriesContext(connection) as captured:
        assert found.user == world.merchant and found.user.role == "merchant"
        assert found.user.username == world.merchant.username
    assert captured.captured_queries == []
    assert ApiToken.usable(raw + "x") is None
    ApiToken.objects.filter(pk=found.pk).update(expires_at=clock.now() - timedelta(seconds=1))
    assert ApiToken.usable(raw) is None


def test_a_stale_in_progress_key_is_taken_over_once_and_a_fresh_one_is_in_use(world, api_as):
    # given rows left in progress by an attempt that died (older code committed them)
    a = bring_to(world, "merchant_rejected")
    merchant = api_as(world.merchant)
    fingerprint = hashlib.sha256(
        f"POST /api/v1/aftersales/{a.pk}/messages\n".encode() + json.dumps({"body": "接管"}).encode()
    ).hexdigest()
    long_ago = clock.now() - timedelta(seconds=settings.SELLERDESK_IDEMPOTENCY_STALE_SECONDS + 1)
    for key, at in (("stale", long_ago), ("fresh", clock.now())):
        IdempotencyKey.objects.create(user=world.merchant, key=key, request_hash=fingerprint, created_at=at)

    taken = post_message(merchant, a, "接管", key="stale")
    assert taken.status_code == 201 and "Idempotent-Replayed" not in taken
    assert post_message(merchant, a, "接管", key="stale").content == taken.content
    assert_error(post_message(merchant, a, "接管", key="fresh"), 409, "idempotency_key_in_use")
    row = IdempotencyKey.objects.get(user=world.merchant, key="stale")
    assert row.status == "done" and json.loads(row.response_body) == taken.json()
    assert messages_of(a) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_body", [True, False])
def test_postgres_a_first_attempt_committed_unseen_by_the_claim_is_replayed_and_this_work_undone(world, same_body):
    """The interleaving a claim's snapshot cannot see: the first attempt commits after the retry's
    claim statement took its snapshot (here: after the whole statement). The retry's answer INSERT
    meets the first answer in the unique index; its work is rolled back and the first answer is
    replayed (or 422 for another body), so the message is never kept twice."""
    needs_postgres()
    a = bring_to(world, "merchant_rejected")
    _, raw = ApiToken.issue(world.merchant)
    path = f"/api/v1/aftersales/{a.pk}/messages"
    body = json.dumps({"body": "同一条" if same_body else "另一条"}).encode()
    first_answer = json.dumps({"id": 1, "first": True})
    real = actions.do_post_message

    def first_attempt_commits_meanwhile():
        IdempotencyKey.objects.create(
            user=world.merchant,
            key="dup",
            request_hash=hashlib.sha256(
                f"POST {path}\n".encode() + json.dumps({"body": "同一条"}).encode()
            ).hexdigest(),
            status=IdempotencyKey.Status.DONE,
            response_status=201,
            response_body=first_answer,
            response_content_type="application/json",
            completed_at=clock.now(),
        )
        connection.close()

    def post_while_the_first_commits(*args, **kwargs):
        thread = threading.Thread(target=first_attempt_commits_meanwhile)
        thread.start()
        thread.join()
        return real(*args, **kwargs)

    events = OutboxEvent.objects.count()
    with mock.patch.object(actions, "do_post_message", post_while_the_first_commits):
        response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
            path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="dup"
        )

    if same_body:
        assert response.status_code == 201 and response["Idempotent-Replayed"] == "true"
        assert response.content.decode() == first_answer
    else:
        assert_error(response, 422, "idempotency_key_reused")
    assert messages_of(a) == 0  # this attempt's message was rolled back
    assert OutboxEvent.objects.count() == events
    assert IdempotencyKey.objects.get(user=world.merchant, key="dup").response_body == first_answer
