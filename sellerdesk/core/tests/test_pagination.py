"""Keyset (cursor) pagination: limits, cursors, and walking a list to its end."""

import base64
import json

import pytest

from sellerdesk.core.errors import InvalidInput, NotFound
from sellerdesk.core.pagination import MAX_LIMIT, _encode, check_limit, paginate
from sellerdesk.identity.models import Shop
from sellerdesk.testing import factories as f


def shops(n):
    subject = f.make_subject()
    return [Shop.objects.create(name=f"s{i}", subject=subject).id for i in range(n)]


def walk(qs, limit, newest_first=True):
    ids, cursor, pages = [], None, 0
    while True:
        rows, cursor = paginate(qs, cursor=cursor, limit=limit, newest_first=newest_first)
        ids += [r.id for r in rows]
        pages += 1
        if cursor is None:
            return ids, pages


@pytest.mark.parametrize("limit", [None, 1, 20, MAX_LIMIT])
def test_limits_from_1_to_100_are_accepted(limit):
    assert check_limit(limit) == (20 if limit is None else limit)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_limits_outside_1_to_100_are_invalid_limit(limit):
    with pytest.raises(InvalidInput) as exc:
        check_limit(limit)
    assert exc.value.code == "invalid_limit"
    assert exc.value.status == 400


@pytest.mark.django_db
@pytest.mark.parametrize("n,limit,pages", [(7, 3, 3), (6, 3, 2), (1, 5, 1), (0, 5, 1)])
def test_walking_the_cursor_visits_every_row_once_newest_first(n, limit, pages):
    made = shops(n)
    ids, walked = walk(Shop.objects.all(), limit)
    assert ids == sorted(made, reverse=True)
    assert walked == pages


@pytest.mark.django_db
def test_walking_oldest_first_visits_every_row_once():
    made = shops(5)
    ids, _ = walk(Shop.objects.all(), 2, newest_first=False)
    assert ids == sorted(made)


@pytest.mark.django_db
def test_rows_added_during_a_walk_neither_repeat_nor_shift_the_pages():
    # given a first page read of a newest-first list
    made = shops(6)
    first, cursor = paginate(Shop.objects.all(), cursor=None, limit=3)

    # when new rows arrive before the next page is read
    shops(4)
    rest, end = paginate(Shop.objects.all(), cursor=cursor, limit=3)

    # then the next page continues exactly where the first stopped
    assert [r.id for r in first] + [r.id for r in rest] == sorted(made, reverse=True)
    assert end is None


@pytest.mark.django_db
def test_the_last_full_page_has_no_next_cursor():
    shops(4)
    rows, cursor = paginate(Shop.objects.all(), cursor=None, limit=4)
    assert len(rows) == 4
    assert cursor is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(json.dumps({"id": "5", "d": "desc"}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps({"d": "desc"}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps([1, 2]).encode()).decode(),
        _encode(5, "asc"),  # a cursor of the other order
    ],
)
def test_a_cursor_that_is_not_one_of_ours_is_invalid_cursor(cursor):
    shops(2)
    with pytest.raises(NotFound) as exc:  # a reference we never issued: 404, like an unknown id
        paginate(Shop.objects.all(), cursor=cursor, limit=5)
    assert exc.value.code == "invalid_cursor"


@pytest.mark.django_db
def test_an_empty_cursor_means_the_first_page():
    made = shops(2)
    rows, cursor = paginate(Shop.objects.all(), cursor="", limit=5)
    assert [r.id for r in rows] == sorted(made, reverse=True)
    assert cursor is None
