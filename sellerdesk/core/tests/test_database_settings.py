"""Database settings the product relies on: dropped connections replaced, planner costs for SSDs."""

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection


def test_persistent_connections_are_health_checked_so_a_dropped_one_is_replaced():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_postgres_database_plans_with_ssd_random_page_cost_on_every_new_connection():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params) as fresh:  # a new session sees ALTER DATABASE ... SET
        assert fresh.execute("SHOW random_page_cost").fetchone()[0] == "1.1"


def test_server_side_cursors_can_be_turned_off_for_pgbouncer():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sellerdesk.settings", "DB_DISABLE_SERVER_SIDE_CURSORS": "1"},
    )
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr
    assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False  # the default
