"""Coded errors: raised by checks and actions, turned into the API's error body by api.py.

Each app lists its codes in its `error_codes.py` (Saleor's pattern): an ErrorCode enum whose members
carry the message as a lazily translated template. The message is rendered from the error's details
when it is read, in the active language, so the API and the pages say the same sentence in the
reader's language and no view re-maps codes (docs/decisions.md, "Errors").
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils import timezone

from .money import format_fen


class ErrorCode(StrEnum):
    """Members are `NAME = "snake_case_code", gettext_lazy("message with %(detail)s")`.

    The placeholders name keys of the error's details; `*_fen` amounts show as ¥, `*_at` times in the
    site's time zone. A subclass may override `params` to add derived values (a status's label)."""

    def __new__(cls, value: str, template: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.template = template
        return member

    @property
    def code(self) -> str:
        """The API's code: the value without its variant (`invalid_amount:ruling` → `invalid_amount`)."""
        return self.value.partition(":")[0]

    def params(self, details: dict) -> dict:
        return {key: _shown(key, value) for key, value in details.items()}

    def render(self, details: dict) -> str:
        return str(self.template) % _Params(self.params(details))


class _Params(dict):
    def __missing__(self, key):  # a detail the raise site did not give shows as nothing, never a crash
        return ""


def _shown(key: str, value):
    if key.endswith("_fen") and isinstance(value, int):
        return format_fen(value)
    if key.endswith("_at") and value:
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            return value
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return value


class CodedError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: "str | ErrorCode",
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ):
        self.error_code = message if isinstance(message, ErrorCode) else None
        self._message = None if self.error_code else message
        if self.error_code:
            code = self.error_code.code
        super().__init__(code or message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}

    @property
    def message(self) -> str:
        """In the active language when the error has an ErrorCode."""
        if self.error_code is not None:
            return self.error_code.render(self.details)
        return str(self._message)

    def __str__(self) -> str:
        return self.message

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
