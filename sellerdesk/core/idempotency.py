"""Idempotency-Key on every API POST (IETF draft, as Stripe does it).

A concurrent retry gets 409 `idempotency_key_in_use`; the request's work and the stored response
commit together in one transaction, so a replay never returns a response whose work was rolled back.

On PostgreSQL the key is claimed inside the request's transaction, in one statement with the
Bearer token's check: a transaction-scoped advisory lock on (caller, key), tried without waiting,
tells a concurrent retry the key is in use, and the same statement reads the key's row (a replay).
The row is written once, with the answer, after the work; a first attempt that committed unseen by
the claim's snapshot is found by the unique index then, and this attempt's work is rolled back and
the first answer replayed (IdempotencyMiddleware._claim_and_run). A rollback (5xx, a dropped
connection, a crash) leaves nothing behind, so nothing needs freeing and the lock dies with the
transaction. On
SQLite (whose IMMEDIATE transactions run one at a time, so a retry could only wait) the key is
claimed in its own short transaction first, which a concurrent retry then sees.

Every API POST, with a key or without, is all or nothing: a server error (5xx) rolls back whatever
the request did, so "it failed" never hides work that was done and a blind retry is safe.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from . import clock
from .error_codes import CoreErrorCode as Code
from .errors import CodedError, InvalidInput, Unprocessable

HEADER = "Idempotency-Key"
API_PREFIX = "/api/v1/"
# Logging in is not an action on the product's state; replaying a token would hand it out twice.
EXEMPT_PATHS = {"/api/v1/auth/token"}


def _error(exc: CodedError) -> JsonResponse:
    return JsonResponse(exc.body(), status=exc.status)


def request_fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        # The multipart boundary changes on every retry; hash what was sent, not how.
        fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"\n{name}:{upload.name}:{upload.size}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _claim(user, key: str, request_hash: str):
    """Claim the key, or return the response that answers this retry."""
    from .models import IdempotencyKey

    now = clock.now()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, request_hash=request_hash, created_at=now)
    except IntegrityError:
        pass
    with transaction.atomic():
        return _answer_existing(IdempotencyKey.objects.select_for_update().get(user=user, key=key), request_hash, now)


def _answer_existing(existing, request_hash: str, now):
    """A key already claimed (row locked by the caller): the replay, a refusal, or a takeover."""
    from .models import IdempotencyKey

    if existing.request_hash != request_hash:
        return _error(Unprocessable(Code.IDEMPOTENCY_KEY_REUSED))
    if existing.status == IdempotencyKey.Status.DONE:
        response = HttpResponse(
            existing.response_body,
            status=existing.response_status,
            content_type=existing.response_content_type or "application/json",
        )
        response["Idempotent-Replayed"] = "true"
        return response
    stale_before = now - timedelta(seconds=settings.SELLERDESK_IDEMPOTENCY_STALE_SECONDS)
    if existing.created_at > stale_before:
        return _in_use()
    # The first attempt died without an answer: this retry takes the key over.
    existing.created_at = now
    existing.save(update_fields=["created_at"])
    return existing


def _lock_id(user, key: str) -> int:
    """A signed 64-bit advisory-lock id for (caller, key); PostgreSQL computes the same in the claim
    statement (_LOCK_ID_SQL), this is its definition in Python (a test holds them equal)."""
    digest = hashlib.sha256(f"sellerdesk.idempotency:{user.pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# _lock_id, computed by PostgreSQL from a caller id expression: the first 8 bytes of the same
# SHA-256, as a signed bigint.
_LOCK_ID_SQL = (
    "('x' || left(encode(sha256(convert_to('sellerdesk.idempotency:' || {user} || ':' || %s, 'UTF8')), 'hex'), 16))"
    "::bit(64)::bigint"
)


@functools.cache
def _claim_sql(with_token: bool) -> str:
    """PostgreSQL: one statement that tries the (caller, key) lock without waiting (MATERIALIZED:
    once, before anything reads it) and, if it was got, reads the key's row. with_token: behind the
    token check (ApiToken.live_sql), whose row gives the caller; no live token, no row, nothing
    locked. Parameters: the token's two (with_token) or the caller's id, then the key twice.
    Columns: the token's and its user's (with_token), whether the lock was got, the key's row."""
    from django.db import connection

    from sellerdesk.identity.models import ApiToken

    from .models import IdempotencyKey

    qn = connection.ops.quote_name
    meta = IdempotencyKey._meta
    if with_token:
        user_column = f"c{[f.attname for f in ApiToken._meta.concrete_fields].index('user_id')}"
        head = f"WITH t AS ({ApiToken.live_sql(aliased=True)}), c AS (SELECT t.{user_column} AS user_id FROM t), "
    else:
        head = "WITH c AS (SELECT %s::bigint AS user_id), "
    return (
        f"{head}l AS MATERIALIZED (SELECT c.user_id, pg_try_advisory_xact_lock({_LOCK_ID_SQL.format(user='c.user_id')}) "
        "AS got FROM c) "
        f"SELECT {'t.*, ' if with_token else ''}l.got, {', '.join(f'k.{qn(f.column)}' for f in meta.concrete_fields)} "
        f"FROM {'t CROSS JOIN ' if with_token else ''}l LEFT JOIN {qn(meta.db_table)} k "
        f"ON l.got AND k.{qn(meta.get_field('user').column)} = l.user_id AND k.{qn(meta.get_field('key').column)} = %s"
    )


def _claimed(row, user, key: str, request_hash: str, now):
    """What a claim statement's (lock got, the key's row) means: the claim (an unsaved row, written
    with the answer), or the response that answers this retry."""
    from django.db import connection

    from .models import IdempotencyKey

    got, existing = row[0], row[1:]
    if not got:  # another request with this key holds it right now
        return _in_use()
    if existing[0] is None:
        return IdempotencyKey(user_id=user.pk, key=key, request_hash=request_hash, created_at=now)
    fields = IdempotencyKey._meta.concrete_fields
    return _answer_existing(
        IdempotencyKey.from_db(connection.alias, [f.attname for f in fields], existing), request_hash, now
    )


def _claim_statement(user, key: str, raw_token: str | None, now):
    """PostgreSQL, inside the request's transaction: run _claim_sql; its row (None: no live token)."""
    from django.db import connection

    from sellerdesk.identity.models import ApiToken

    with connection.cursor() as cursor:
        if raw_token is None:
            cursor.execute(_claim_sql(False), [user.pk, key, key])
        else:
            cursor.execute(_claim_sql(True), [*ApiToken.live_params(raw_token, now), key, key])
        return cursor.fetchone()


@functools.cache
def _answer_sql() -> str:
    """PostgreSQL: the key's row with its answer, written once at the end of the request. A row
    already there that is DONE is not touched and nothing is returned (see _keep_answer); one
    still in progress (a takeover, _answer_existing) gets the answer."""
    from django.db import connection

    from .models import IdempotencyKey

    qn = connection.ops.quote_name
    meta = IdempotencyKey._meta
    columns = [qn(f.column) for f in meta.concrete_fields if not f.primary_key]
    unique = f"{qn(meta.get_field('user').column)}, {qn(meta.get_field('key').column)}"
    return (
        f"INSERT INTO {qn(meta.db_table)} AS k ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({unique}) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in columns)} "
        f"WHERE k.{qn('status')} = '{IdempotencyKey.Status.IN_PROGRESS.value}' RETURNING k.{qn('id')}"
    )


def _keep_answer(claim, response) -> bool:
    """PostgreSQL, in the request's transaction: write the key with its answer (a streaming answer
    is not kept: the key stays in progress, as it always did). False when a DONE row of this key
    is already there: a first attempt committed between this request's claim statement taking its
    snapshot and getting the lock, so the claim could not see it. The unique index is what sees
    it here; the caller must then roll this request's work back and replay that answer."""
    from django.db import connection

    from .models import IdempotencyKey

    now = clock.now()
    if response is None:
        claim.status = IdempotencyKey.Status.IN_PROGRESS
    else:
        claim.status = IdempotencyKey.Status.DONE
        claim.response_status = response.status_code
        claim.response_body = response.content.decode("utf-8", "replace")
        claim.response_content_type = response.get("Content-Type", "")
        claim.completed_at = now
    fields = [f for f in IdempotencyKey._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(_answer_sql(), [f.get_db_prep_save(getattr(claim, f.attname), connection) for f in fields])
        return cursor.fetchone() is not None


@functools.cache
def _token_columns() -> int:
    """How many columns of a claim row with_token are the token's and its user's."""
    from sellerdesk.identity.models import ApiToken, User

    return len(ApiToken._meta.concrete_fields) + len(User._meta.concrete_fields)


def _in_use() -> JsonResponse:
    return _error(CodedError(Code.IDEMPOTENCY_KEY_IN_USE, status=409))


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = request.headers.get(HEADER)
        if key is None or request.path in EXEMPT_PATHS:
            return self._all_or_nothing(request)
        from django.db import connection

        from sellerdesk.identity.auth import bearer_of, resolve_caller

        key = key.strip()
        valid_key = 0 < len(key) <= 255
        raw_token = bearer_of(request)
        fingerprint = body_error = None
        if (
            connection.vendor == "postgresql"
            and raw_token
            and valid_key
            and "_sellerdesk_token" not in request.__dict__
            and not (request.content_type or "").startswith("multipart/")  # no upload hashed before the 401
        ):
            try:
                fingerprint = request_fingerprint(request)
            except Exception as exc:  # answered below, after the caller is known, as always
                body_error = exc
            else:
                # the token check and the claim in one statement: see _claim_and_run
                return self._claim_and_run(request, None, key, fingerprint, raw_token=raw_token)
        user = resolve_caller(request)
        if user is None:
            return self._all_or_nothing(request)  # ninja answers 401
        if not valid_key:
            return _error(InvalidInput(Code.INVALID_IDEMPOTENCY_KEY))
        try:
            if body_error is not None:
                raise body_error
            fingerprint = request_fingerprint(request)  # reads the body before ninja would
        except Exception as exc:
            from sellerdesk.api import BODY_PARSE_ERRORS, body_parse_error

            if not isinstance(exc, BODY_PARSE_ERRORS):
                raise
            return _error(body_parse_error(exc))
        if connection.vendor == "postgresql":
            return self._claim_and_run(request, user, key, fingerprint)
        claim = _claim(user, key, fingerprint)
        if isinstance(claim, HttpResponse):
            return claim
        return self._run(request, claim)

    def _claim_and_run(self, request, user, key, fingerprint, *, raw_token=None):
        """PostgreSQL: claim, work and the stored answer in one transaction (see the module's doc).

        The key's row is written once, with its answer, after the work. Until then the lock is
        the claim: a concurrent retry fails to get it (409 in use). A retry that gets it after the
        first attempt committed finds the answer in the claim statement; in the one interleaving
        where that statement's snapshot is older than the first attempt's commit, the unique
        index finds it when the answer is written, this request's work is rolled back, and the
        first answer is replayed: the work is never kept twice.

        raw_token (a Bearer token, a body that is not multipart): the token is checked in the
        claim's statement (one round trip fewer), and the token found is the one ninja's TokenAuth
        then uses (identity.auth.token_of). None found: nothing is locked or claimed, and the
        request goes on as one without a key, to the same 401 as before."""
        from sellerdesk.identity.auth import remember_token
        from sellerdesk.identity.models import ApiToken

        from .models import IdempotencyKey

        now = clock.now()
        lost = False
        with transaction.atomic():
            row = _claim_statement(user, key, raw_token, now)
            if raw_token is not None:
                if row is None:  # no live token: nothing locked or claimed; ninja answers 401
                    remember_token(request, raw_token, None)
                    return self._respond(request)
                token = ApiToken.from_live_row(row)
                remember_token(request, raw_token, token)
                token.mark_used(now)
                user, row = token.user, row[_token_columns() :]
            claim = _claimed(row, user, key, fingerprint, now)
            if isinstance(claim, HttpResponse):
                return claim
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # not an outcome: none of its work stays, nor the claim
            elif _retryable(response):  # "try again" is not replayed
                if claim.pk is not None:  # a row taken over
                    IdempotencyKey.objects.filter(pk=claim.pk).delete()
            else:
                lost = not _keep_answer(claim, None if getattr(response, "streaming", False) else response)
                if lost:
                    transaction.set_rollback(True)
        if not lost:
            return response
        # The first attempt's answer (DONE: _answer_sql updates any other row), read after the rollback.
        first = IdempotencyKey.objects.filter(user_id=user.pk, key=key, status=IdempotencyKey.Status.DONE).first()
        return _answer_existing(first, fingerprint, clock.now()) if first else _in_use()

    def _respond(self, request):
        """Inside the request's transaction: the response; a 5xx rolls back all of it."""
        response = self.get_response(request)
        if response.status_code >= 500:
            transaction.set_rollback(True)  # not an outcome: none of its work stays
        return response

    def _all_or_nothing(self, request):
        with transaction.atomic():
            return self._respond(request)

    def _run(self, request, claim):
        from .models import IdempotencyKey

        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)  # not an outcome: none of its work stays, the key is freed
                elif not _retryable(response) and not getattr(response, "streaming", False):
                    _store(claim, response)
        except Exception:
            _free(claim)
            raise
        if _retryable(response):
            IdempotencyKey.objects.filter(pk=claim.pk).delete()
        return response


@functools.cache
def _store_sql() -> str:
    from django.db import connection

    from .models import IdempotencyKey

    qn = connection.ops.quote_name
    columns = ("status", "response_status", "response_body", "response_content_type", "completed_at")
    return (
        f"UPDATE {qn(IdempotencyKey._meta.db_table)} SET {', '.join(f'{qn(c)} = %s' for c in columns)} "
        f"WHERE {qn('id')} = %s"
    )


def _store(claim, response) -> None:
    """SQLite: keep the answer for replays in the claimed row, in the transaction of the request's
    work (PostgreSQL writes the row once, with the answer: _keep_answer)."""
    from django.db import connection

    from .models import IdempotencyKey

    with connection.cursor() as cursor:
        cursor.execute(
            _store_sql(),
            [
                str(IdempotencyKey.Status.DONE),
                response.status_code,
                response.content.decode("utf-8", "replace"),
                response.get("Content-Type", ""),
                connection.ops.adapt_datetimefield_value(clock.now()),
                claim.pk,
            ],
        )


def _free(claim) -> None:
    """Release the key after the request's transaction failed, on a fresh connection if the failure
    was the connection itself (dropped mid-request), so the retry is not refused as in use."""
    from django.db import DatabaseError, connection

    from .models import IdempotencyKey

    for _ in range(2):
        try:
            IdempotencyKey.objects.filter(pk=claim.pk).delete()
            return
        except DatabaseError:
            connection.close()  # the next query opens a new connection


# Answers that say "try again", not "this is the outcome": a server error, a lost race
# (concurrent_update) or a throttle. Stored, they would be replayed to every retry forever.
_RETRY_CODES = {"concurrent_update", "throttled"}


def _retryable(response) -> bool:
    if response.status_code >= 500 or response.status_code == 429:
        return True
    if response.status_code == 409 and not getattr(response, "streaming", False):
        try:
            return json.loads(response.content)["error"]["code"] in _RETRY_CODES
        except (ValueError, KeyError, TypeError):
            return False
    return False


class ApiErrorBodyMiddleware:
    """Answers Django produces itself under /api/v1/ (405 from the URL resolver) get the API's error body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code == 405
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            error = CodedError(
                Code.METHOD_NOT_ALLOWED,
                status=405,
                details={"method": request.method, "allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            )
            replaced = _error(error)
            if allowed:
                replaced["Allow"] = allowed
            return replaced
        return response
