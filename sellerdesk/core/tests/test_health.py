"""/api/v1/health (issue 8): 200 `ok` only while a worker works; 503 `degraded` within two sweep
periods of a dead or stuck worker, naming what is stale; 503 JSON when the database is away."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sellerdesk.aftersales.tasks import fire_deadline, sweep_deadlines
from sellerdesk.core import clock
from sellerdesk.core.management.commands.worker import beat
from sellerdesk.events.models import OutboxEvent

PERIOD = 30  # SELLERDESK_SWEEP_SECONDS in these tests: stale after 60 s
ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _period(settings):
    settings.SELLERDESK_SWEEP_SECONDS = PERIOD


def health():
    response = Client().get("/api/v1/health")
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_a_working_worker_is_ok_with_http_200():
    beat("host:1")
    status, body = health()
    assert status == 200
    assert body["status"] == "ok" and body["stale"] == [] and body["stale_after_seconds"] == 2 * PERIOD
    assert (body["worker"], body["dispatcher"], body["task_queue"]) == ("ok", "ok", "ok")
    assert body["database"] in ("sqlite", "postgresql") and body["worker_last_seen_at"] is not None


def test_a_fresh_install_with_no_worker_ever_seen_is_degraded():
    status, body = health()
    assert status == 503
    assert (body["status"], body["worker"], body["stale"]) == ("degraded", "not_seen", ["worker"])
    assert body["worker_last_seen_at"] is None


def test_a_dead_worker_is_reported_within_two_sweep_periods_of_its_last_heartbeat():
    t0 = clock.now()
    with at(t0):
        beat("host:1")
    with at(t0 + timedelta(seconds=2 * PERIOD - 1)):
        assert health()[0] == 200
    with at(t0 + timedelta(seconds=2 * PERIOD)):
        status, body = health()
    assert status == 503
    assert (body["status"], body["worker"], body["stale"]) == ("degraded", "stale", ["worker"])
    assert body["worker_last_seen_at"] == t0.isoformat()


def test_one_live_worker_is_enough_when_another_died():
    t0 = clock.now()
    with at(t0 - timedelta(hours=1)):
        beat("dead:1")
    with at(t0):
        beat("live:2")
        assert health()[0] == 200


def test_a_stuck_task_runner_leaves_a_ready_task_waiting_and_is_reported_as_task_queue():
    t0 = clock.now()
    with at(t0):
        queued = sweep_deadlines.enqueue()
    later = t0 + timedelta(seconds=2 * PERIOD)
    with at(later):
        beat("host:1")  # the sweeper still works; the task runner does not
        status, body = health()
    assert status == 503
    assert (body["task_queue"], body["stale"]) == ("lagging", ["task_queue"])
    assert body["oldest_ready_task_at"] is not None and body["worker"] == "ok"
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=queued.id).update(status="SUCCESSFUL")  # the runner took it
    with at(later):
        status, body = health()
    assert (status, body["task_queue"], body["oldest_ready_task_at"]) == (200, "ok", None)


def test_a_timed_task_counts_from_its_run_after_not_from_when_it_was_queued():
    t0 = clock.now()
    with at(t0):
        fire_deadline.using(run_after=t0 + timedelta(hours=1)).enqueue(1)
    with at(t0 + timedelta(hours=1, seconds=2 * PERIOD - 1)):
        beat("host:1")
        assert health()[0] == 200  # due for 59 s: the runner may still be on its way
    with at(t0 + timedelta(hours=1, seconds=2 * PERIOD)):
        beat("host:1")
        status, body = health()
    assert (status, body["stale"]) == (503, ["task_queue"])
    assert body["oldest_ready_task_at"] == (t0 + timedelta(hours=1)).isoformat()


def test_an_event_left_undispatched_is_reported_as_dispatcher():
    t0 = clock.now()
    with at(t0):
        OutboxEvent.objects.create(topic="dispute.opened", aggregate_type="aftersale", aggregate_id="1")
    with at(t0 + timedelta(seconds=2 * PERIOD)):
        beat("host:1")
        status, body = health()
    assert status == 503
    assert (body["dispatcher"], body["stale"]) == ("lagging", ["dispatcher"])
    assert body["oldest_undispatched_event_at"] == t0.isoformat()


def test_everything_stale_at_once_is_named_at_once():
    t0 = clock.now()
    with at(t0):
        beat("host:1")
        sweep_deadlines.enqueue()
        OutboxEvent.objects.create(topic="dispute.opened", aggregate_type="aftersale", aggregate_id="1")
    with at(t0 + timedelta(minutes=5)):
        status, body = health()
    assert (status, body["stale"]) == (503, ["worker", "dispatcher", "task_queue"])


def test_the_openapi_document_declares_both_answers():
    spec = Client().get("/api/v1/openapi.json").json()
    responses = spec["paths"]["/api/v1/health"]["get"]["responses"]
    assert set(responses) == {"200", "503"}
    schema = responses["503"]["content"]["application/json"]["schema"]
    assert schema == responses["200"]["content"]["application/json"]["schema"]


def test_an_unreachable_database_answers_503_json_not_an_error_page():
    # A real process whose database refuses connections (nothing listens on port 9).
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/api/v1/health'); print(json.dumps([r.status_code, r['Content-Type'], r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sellerdesk.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere?connect_timeout=2",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    status, content_type, body = json.loads(out.stdout.strip().splitlines()[-1])
    assert (status, content_type.split(";")[0]) == (503, "application/json")
    assert (body["status"], body["database"], body["stale"]) == ("degraded", "unreachable", ["database"])
    assert body["worker"] == "unknown"


def test_health_costs_five_small_queries_however_many_tasks_wait():
    # SELECT 1, the newest heartbeat, the oldest undispatched event, the oldest due and the oldest
    # untimed ready task: each the first entry of an index (core_ready_task_since for the tasks).
    beat("host:1")
    for _ in range(3):
        fire_deadline.using(run_after=clock.now() + timedelta(days=1)).enqueue(1)
    with CaptureQueriesContext(connection) as queries:
        assert health()[0] == 200
    assert len(queries) == 5
