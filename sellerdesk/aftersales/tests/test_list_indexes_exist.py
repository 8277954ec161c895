"""The list indexes that migrations make by name (0016, 0018–0021) are all in the database
once every migration has run. On SQLite, a later AddField or AlterField remakes the table and keeps
only the indexes the model declares: these would be gone without a word (0020 adds its column in SQL
for that reason), and every list would read the whole scope again."""

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

NAMED_INDEX_MIGRATIONS = [
    "0016_list_search_indexes",
    "0018_bench_status_list_indexes",
    "0019_status_sorted_list_indexes",
    "0020_aftersale_order_no",
    "0021_shop_numbers_and_fewer_indexes",
]


def test_every_list_index_made_by_name_exists_after_all_migrations():
    expected = set()
    for name in NAMED_INDEX_MIGRATIONS:
        expected |= set(importlib.import_module(f"sellerdesk.aftersales.migrations.{name}").INDEXES)
    with connection.cursor() as cursor:
        present = set(connection.introspection.get_constraints(cursor, "aftersales_aftersale"))

    assert len(expected) == 21
    assert expected - present == set()
    # and those 0021 dropped (another index holds each) are gone
    dropped = importlib.import_module("sellerdesk.aftersales.migrations.0021_shop_numbers_and_fewer_indexes").DROPPED
    assert set(dropped) & present == set()
