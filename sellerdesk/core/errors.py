"""Coded errors: raised by checks and actions, turned into the API's error body by api.py."""
from typing import Any


class CodedError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(CodedError):
    status = 400
    code = "invalid_input"


class NotFound(CodedError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.", **kw):
        super().__init__(message, **kw)


class Forbidden(CodedError):
    """The caller can see the object but their role may not do this to it."""
    status = 403
    code = "forbidden"


class Conflict(CodedError):
    status = 409
    code = "invalid_transition"


class Unprocessable(CodedError):
    status = 422
    code = "unprocessable"


class TooLarge(CodedError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(CodedError):
    status = 415
    code = "unsupported_media_type"


class Throttled(CodedError):
    """429: `retry_after` (seconds) becomes the Retry-After header and details.retry_after_seconds."""

    status = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int = 60, **kw):
        super().__init__(message, **kw)
        self.retry_after = max(int(retry_after), 1)
        self.details.setdefault("retry_after_seconds", self.retry_after)
