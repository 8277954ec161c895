"""The JSON API: one NinjaAPI, one router per app, one error body for everything."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sellerdesk.core.error_codes import CoreErrorCode as Code
from sellerdesk.core.errors import CodedError
from sellerdesk.core.openapi import add_error_responses
from sellerdesk.identity.auth import API_AUTH


class SellerDeskAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return add_error_responses(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = SellerDeskAPI(
    title="SellerDesk API",
    version="1",
    description=(
        "After-sales disputes (纠纷协商期) and withdrawal accounts. Money is integer fen; times are "
        "ISO 8601 UTC. Every POST honours `Idempotency-Key`. Errors are "
        '`{"error": {"code", "message", "details"}}`. See docs/api-notes.md for limits.'
    ),
    auth=API_AUTH,
    urls_namespace="api",
)


def _error(request, exc: CodedError):
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(CodedError)
def coded_error(request, exc: CodedError):
    response = api.create_response(request, exc.body(), status=exc.status)
    if exc.status == 429:
        response["Retry-After"] = str(getattr(exc, "retry_after", 60))
    return response


def _field_name(loc) -> str | None:
    """The field as the client wrote it: ("body", "payload", "items", 0, "sku") -> "items.0.sku".
    The leading source and the view's body-parameter name are ours, not the client's."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        return ".".join(parts[2:]) or "body"
    return ".".join(parts[1:]) or None


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = [{"field": _field_name(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
    summary = "; ".join(f"{f['field']}: {f['message']}" if f["field"] else f["message"] for f in fields)
    return _error(request, CodedError(Code.INVALID_INPUT, details={"fields": fields, "summary": summary}))


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, CodedError(Code.NOT_AUTHENTICATED, status=401))


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, CodedError(Code.NOT_FOUND, status=404))


# Django raises these while it parses the body (ninja reads it for the view), before any check of
# ours runs; unhandled they were a 500 or Django's HTML 400.
BODY_PARSE_ERRORS = (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent)


def body_parse_error(exc) -> CodedError:
    """The coded error for one of BODY_PARSE_ERRORS; also for middleware that reads the body
    before ninja does."""
    if isinstance(exc, RequestDataTooBig):
        return CodedError(
            Code.REQUEST_TOO_LARGE, status=413, details={"limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    if isinstance(exc, TooManyFilesSent):
        from sellerdesk.aftersales.files import MAX_FILES

        return CodedError(Code.TOO_MANY_FILES, details={"limit_files": MAX_FILES})
    return CodedError(Code.TOO_MANY_FIELDS, details={"limit_fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFilesSent)
@api.exception_handler(TooManyFieldsSent)
def body_not_parsed(request, exc):
    return _error(request, body_parse_error(exc))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400 and "parse" in str(exc).lower():
        return _error(request, CodedError(Code.MALFORMED_JSON))
    if exc.status_code == 429:
        response = _error(request, CodedError(Code.THROTTLED, status=429, details={"retry_after_seconds": 60}))
        response["Retry-After"] = "60"
        return response
    if exc.status_code == 403:
        return _error(request, CodedError(Code.FORBIDDEN, status=403, details={"reason": str(exc)}))
    return _error(request, CodedError(Code.HTTP_ERROR, status=exc.status_code, details={"reason": str(exc)}))


def _mount():
    from sellerdesk.aftersales.api import router as aftersales_router
    from sellerdesk.aftersales.api_drafts import router as evidence_draft_router
    from sellerdesk.core.api import router as core_router
    from sellerdesk.events.api import router as events_router
    from sellerdesk.identity.api import router as identity_router
    from sellerdesk.orders.api import router as orders_router
    from sellerdesk.payouts.api import router as payouts_router

    api.add_router("/", core_router)
    api.add_router("/", identity_router)
    api.add_router("/", orders_router)
    api.add_router("/", aftersales_router)
    api.add_router("/", evidence_draft_router)
    api.add_router("/", events_router)
    api.add_router("/", payouts_router)


_mount()

# Last of all: any other path under /api/v1/ answers with the API's error body, not an HTML page.
_unknown = Router()


@_unknown.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", auth=None, include_in_schema=False)
def unknown_path(request, path: str):
    return _error(request, CodedError(Code.NO_SUCH_ENDPOINT, status=404, details={"path": path}))


api.add_router("/", _unknown)
