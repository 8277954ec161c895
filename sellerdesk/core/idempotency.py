"""Idempotency-Key on every API POST (IETF draft, as Stripe does it).

A concurrent retry gets 409 `idempotency_key_in_use`; the request's work and the stored response
commit together in one transaction, so a replay never returns a response whose work was rolled back.

On PostgreSQL the key is claimed inside the request's transaction: a transaction-scoped advisory
lock on (caller, key), tried without waiting, tells a concurrent retry the key is in use, and the
key's row is inserted in the same statement. A rollback (5xx, a dropped connection, a crash) takes
the claim away with the work, so nothing needs freeing and the lock dies with the transaction. On
SQLite (whose IMMEDIATE transactions run one at a time, so a retry could only wait) the key is
claimed in its own short transaction first, which a concurrent retry then sees.

Every API POST, with a key or without, is all or nothing: a server error (5xx) rolls back whatever
the request did, so "it failed" never hides work that was done and a blind retry is safe.
"""

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
    """A signed 64-bit advisory-lock id for (caller, key)."""
    digest = hashlib.sha256(f"sellerdesk.idempotency:{user.pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


_CLAIM_SQL = (
    # The lock is tried first (MATERIALIZED: evaluated once); the row goes in only if it was got.
    "WITH l AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(%s) AS got), "
    'ins AS (INSERT INTO {table} ("user_id", "key", "request_hash", "status", "response_body", '
    "\"response_content_type\", \"created_at\") SELECT %s, %s, %s, %s, '', '', %s FROM l WHERE l.got "
    'ON CONFLICT ("user_id", "key") DO NOTHING RETURNING "id") '
    "SELECT l.got, (SELECT id FROM ins) FROM l"
)


def _claim_in_request(user, key: str, request_hash: str):
    """PostgreSQL, inside the request's transaction: claim the key (one statement), or return the
    response that answers this retry."""
    from django.db import connection

    from .models import IdempotencyKey

    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL.format(table=connection.ops.quote_name(IdempotencyKey._meta.db_table)),
            [_lock_id(user, key), user.pk, key, request_hash, IdempotencyKey.Status.IN_PROGRESS, now],
        )
        got, claimed_id = cursor.fetchone()
    if not got:  # another request with this key holds it right now
        return _in_use()
    if claimed_id is not None:
        return IdempotencyKey(pk=claimed_id, user=user, key=key, request_hash=request_hash, created_at=now)
    return _answer_existing(IdempotencyKey.objects.select_for_update().get(user=user, key=key), request_hash, now)


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
        from sellerdesk.identity.auth import resolve_caller

        user = resolve_caller(request)
        if user is None:
            return self._all_or_nothing(request)  # ninja answers 401
        key = key.strip()
        if not key or len(key) > 255:
            return _error(InvalidInput(Code.INVALID_IDEMPOTENCY_KEY))
        try:
            fingerprint = request_fingerprint(request)  # reads the body before ninja would
        except Exception as exc:
            from sellerdesk.api import BODY_PARSE_ERRORS, body_parse_error

            if not isinstance(exc, BODY_PARSE_ERRORS):
                raise
            return _error(body_parse_error(exc))
        from django.db import connection

        if connection.vendor == "postgresql":
            return self._claim_and_run(request, user, key, fingerprint)
        claim = _claim(user, key, fingerprint)
        if isinstance(claim, HttpResponse):
            return claim
        return self._run(request, claim)

    def _claim_and_run(self, request, user, key, fingerprint):
        """PostgreSQL: claim, work and the stored answer in one transaction (see the module's doc)."""
        from .models import IdempotencyKey

        with transaction.atomic():
            claim = _claim_in_request(user, key, fingerprint)
            if isinstance(claim, HttpResponse):
                return claim
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # not an outcome: none of its work stays, nor the claim
            elif _retryable(response):
                IdempotencyKey.objects.filter(pk=claim.pk).delete()  # "try again" is not replayed
            elif not getattr(response, "streaming", False):
                _store(claim, response)
        return response

    def _all_or_nothing(self, request):
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response

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


def _store(claim, response) -> None:
    """Keep the answer for replays, in the transaction of the request's work."""
    from .models import IdempotencyKey

    IdempotencyKey.objects.filter(pk=claim.pk).update(
        status=IdempotencyKey.Status.DONE,
        response_status=response.status_code,
        response_body=response.content.decode("utf-8", "replace"),
        response_content_type=response.get("Content-Type", ""),
        completed_at=clock.now(),
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
