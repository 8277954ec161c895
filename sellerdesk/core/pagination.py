"""Keyset (cursor) pagination: over the primary key (`paginate`), or over a sort key and then the
primary key (`paginate_sorted`). Either stays fast on the millionth row: a page starts after the
last row of the one before, it never counts or skips the rows before it."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
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
# "before"; 126 with the widest UTC offset Python can write); a sorted list's is at most 124 (the
# same time, the ordering's name and an id); these lists' own are at most 55.
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


# ---------------------------------------------------------------------------------- sorted lists


@dataclass(frozen=True)
class SortKey:
    """One order of a list, as the API and the pages' URLs spell it: `field` ascending, or
    descending with a leading "-" ("-created_at"), then the id the same way, so that every row has
    one place and a page can start after the (value, id) of the last row of the one before.

    `nullable`: rows without a value (a request with no deadline) come after all the others in both
    directions, newest first, as the column shows them last ("—")."""

    name: str
    nullable: bool = False

    @property
    def field(self) -> str:
        return self.name.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.name.startswith("-")

    def order_by(self) -> tuple[str, str]:
        return (f"-{self.field}", "-id") if self.descending else (self.field, "id")

    def after(self, value, pk: int) -> Q:
        """Rows after (value, pk) in this order, spelt so that an index on (field, id) bounds the
        field first (`field <= value`), as the CS queue's `_after` does."""
        f = self.field
        if self.descending:
            return Q(**{f"{f}__lte": value}) & (Q(**{f"{f}__lt": value}) | Q(id__lt=pk))
        return Q(**{f"{f}__gte": value}) & (Q(**{f"{f}__gt": value}) | Q(id__gt=pk))


def _value(row, field: str):
    return row[field] if isinstance(row, dict) else getattr(row, field)


def _encode_sorted(sort: SortKey, row) -> str:
    value = _value(row, sort.field)
    raw = {"o": sort.name, "k": value.isoformat() if isinstance(value, datetime) else value, "i": _value(row, "id")}
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_sorted(cursor: str, sort: SortKey, model):
    """(value, id) of a cursor this list issued in this order; NotFound invalid_cursor otherwise
    (also for a cursor of another order or another list: it names no place in this one)."""
    is_time = model._meta.get_field(sort.field).get_internal_type() == "DateTimeField"
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        value, pk = data["k"], data["i"]
        if data["o"] != sort.name or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        if value is None:
            if not sort.nullable:
                raise ValueError
        elif is_time:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
        elif not isinstance(value, int) or isinstance(value, bool):
            raise ValueError
        return value, pk
    except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise NotFound(Code.INVALID_CURSOR) from exc


def _top(queryset, where: Q, order, n: int, union_of, values):
    """The first `n` rows of `queryset` that match `where`, in `order` (dicts of `values` if given).

    The page's ids are read first, from the list's own table and the filters alone, then its rows
    (a "deferred join"): the ids come from an index-only scan of whichever index holds the filter
    and the order. With the page's joins in the same statement, PostgreSQL walked another index in
    the order and filtered row by row (CS `status=closed` read every newer open dispute;
    docs/benchmarks.md). With `union_of`, only rows in one of those querysets, read as a UNION of
    each one's own first `n` (the first n of a union are among them): each branch stops after n rows
    on whichever index serves it best, where one filter of `x IN (a) OR x IN (b)` would be applied
    row by row to everything `queryset` holds."""
    base = queryset.model._base_manager
    if union_of:
        # Each branch's slice behind IN: SQLite takes no LIMIT in a member of a compound SELECT.
        picks = [base.filter(pk__in=b.filter(where).order_by(*order).values("pk")[:n]).values("pk") for b in union_of]
        ids = picks[0].union(*picks[1:])
    else:
        ids = queryset.filter(where).order_by(*order).values("pk")[:n]
    # The rows by primary key alone: the filters chose the ids, in the same statement.
    rows = base.filter(pk__in=ids).order_by(*order)
    rows.query.select_related = queryset.query.select_related
    rows = rows.prefetch_related(*queryset._prefetch_related_lookups)
    return (rows.values(*values) if values else rows)[:n]


def paginate_sorted(
    queryset,
    sort: SortKey,
    *,
    cursor: str | None,
    limit: int | None,
    default_limit: int = 20,
    union_of=None,
    values=(),
):
    """Return (a page of objects or .values() rows in `sort`'s order, next cursor or None).

    `values`: dicts of these fields instead of objects (with `sort.field` and `id` among them).
    A cursor is bound to its order: one from another order is NotFound invalid_cursor. With `sort.nullable`, the rows with a value are read first and
    those without after them, each in one indexed range, never as an OR that no index can bound.
    `union_of`: querysets of the same model (`queryset` narrowed each its own way, say the branches
    of a search); the page holds only rows in one of them, and costs a page per branch (`_top`)."""
    limit = check_limit(limit, default=default_limit)
    check_cursor(cursor)
    value, pk = _decode_sorted(cursor, sort, queryset.model) if cursor else (None, None)
    rows = []
    if not cursor or value is not None:  # the rows with a value (all of them unless nullable)
        where = Q(**{f"{sort.field}__isnull": False}) if sort.nullable else Q()
        if cursor:
            where &= sort.after(value, pk)
        rows = list(_top(queryset, where, sort.order_by(), limit + 1, union_of, values))
    if sort.nullable and len(rows) <= limit:  # then the rows without, newest first
        where = Q(**{f"{sort.field}__isnull": True})
        if cursor and value is None:
            where &= Q(id__lt=pk)
        rows += list(_top(queryset, where, ("-id",), limit + 1 - len(rows), union_of, values))
    next_cursor = _encode_sorted(sort, rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
