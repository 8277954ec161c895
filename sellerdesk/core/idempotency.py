"""Idempotency-Key on every API POST (IETF draft, as Stripe does it).

The key is claimed in its own short transaction, so a concurrent retry sees it and gets 409
`idempotency_key_in_use`; the request's work and the stored response then commit together in
one transaction, so a replay never returns a response whose work was rolled back.

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
        existing = IdempotencyKey.objects.select_for_update().get(user=user, key=key)
        if existing.request_hash != request_hash:
            return _error(Unprocessable(
                "This Idempotency-Key was already used with a different request body.",
                code="idempotency_key_reused"))
        if existing.status == IdempotencyKey.Status.DONE:
            response = HttpResponse(existing.response_body, status=existing.response_status,
                                    content_type=existing.response_content_type or "application/json")
            response["Idempotent-Replayed"] = "true"
            return response
        stale_before = now - timedelta(seconds=settings.SELLERDESK_IDEMPOTENCY_STALE_SECONDS)
        if existing.created_at > stale_before:
            return _error(CodedError("A request with this Idempotency-Key is still being processed.",
                                     code="idempotency_key_in_use", status=409))
        # The first attempt died without an answer: this retry takes the key over.
        existing.created_at = now
        existing.save(update_fields=["created_at"])
        return existing


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
            return _error(InvalidInput("Idempotency-Key must be 1 to 255 characters.", code="invalid_idempotency_key"))
        try:
            fingerprint = request_fingerprint(request)  # reads the body before ninja would
        except Exception as exc:
            from sellerdesk.api import BODY_PARSE_ERRORS, body_parse_error

            if not isinstance(exc, BODY_PARSE_ERRORS):
                raise
            status, code, message, details = body_parse_error(exc)
            return _error(CodedError(message, code=code, status=status, details=details))
        claim = _claim(user, key, fingerprint)
        if isinstance(claim, HttpResponse):
            return claim
        return self._run(request, claim)

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
                    IdempotencyKey.objects.filter(pk=claim.pk).update(
                        status=IdempotencyKey.Status.DONE,
                        response_status=response.status_code,
                        response_body=response.content.decode("utf-8", "replace"),
                        response_content_type=response.get("Content-Type", ""),
                        completed_at=clock.now(),
                    )
        except Exception:
            _free(claim)
            raise
        if _retryable(response):
            IdempotencyKey.objects.filter(pk=claim.pk).delete()
        return response


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
        if (request.path.startswith(API_PREFIX) and response.status_code == 405
                and not response.get("Content-Type", "").startswith("application/json")):
            allowed = response.get("Allow", "")
            error = CodedError(f"{request.method} is not allowed here; use {allowed}.", code="method_not_allowed",
                               status=405, details={"allowed": [m.strip() for m in allowed.split(",") if m.strip()]})
            replaced = _error(error)
            if allowed:
                replaced["Allow"] = allowed
            return replaced
        return response
