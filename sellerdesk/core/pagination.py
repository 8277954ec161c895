"""Keyset (cursor) pagination over the primary key: stays fast on the millionth row."""

import base64
import json

from ninja import Query

from .error_codes import CoreErrorCode as Code
from .errors import InvalidInput, NotFound

MAX_LIMIT = 100
# The `limit` parameter of every list: check_limit refuses it outside 1..MAX_LIMIT (invalid_limit),
# and core/openapi.py writes those bounds into the OpenAPI document.
LIMIT = Query(None, description=f"Items per page, 1–{MAX_LIMIT} (default 20)")
# The `cursor` parameter of every list: check_cursor refuses a longer one (cursor_too_long) before it
# is decoded, and core/openapi.py writes the bound into the OpenAPI document. The longest cursor the
# server issues is the CS queue's, 111 characters (a review time with microseconds, a 64-bit id,
# "before"; 126 with the widest UTC offset Python can write); these lists' own are at most 55.
# 200 leaves room for a field more without taking a page of garbage.
MAX_CURSOR_CHARS = 200


def _encode(last_id: int, direction: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": last_id, "d": direction}).encode()).decode().rstrip("=")


def _decode(cursor: str, direction: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["d"] != direction or not isinstance(data["id"], int):
            raise ValueError
        return data["id"]
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        # A cursor is a reference we issued, like an id: one we did not issue names no page (404).
        raise NotFound(Code.INVALID_CURSOR) from exc


def check_cursor(cursor: str | None) -> str | None:
    """The cursor as given, or InvalidInput cursor_too_long when it is over MAX_CURSOR_CHARS
    (measured as the OpenAPI document's maxLength is: in characters, as sent)."""
    if cursor is not None and len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidInput(
            Code.CURSOR_TOO_LONG,
            details={"field": "cursor", "length": len(cursor), "max_chars": MAX_CURSOR_CHARS},
        )
    return cursor


def check_limit(limit: int | None, default: int = 20) -> int:
    if limit is None:
        return default
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(Code.INVALID_LIMIT, details={"max_limit": MAX_LIMIT})
    return limit


def paginate(queryset, *, cursor: str | None, limit: int | None, newest_first: bool = True):
    """Return (page of objects or .values() rows, next cursor or None), ordered by id."""
    limit = check_limit(limit)
    check_cursor(cursor)
    direction = "desc" if newest_first else "asc"
    if cursor:
        last_id = _decode(cursor, direction)
        queryset = queryset.filter(id__lt=last_id) if newest_first else queryset.filter(id__gt=last_id)
    queryset = queryset.order_by("-id" if newest_first else "id")
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = _encode(last["id"] if isinstance(last, dict) else last.id, direction)
    return rows[:limit], next_cursor
