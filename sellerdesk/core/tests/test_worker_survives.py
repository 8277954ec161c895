"""The worker is part of the product (issue 8): a dropped database connection or a database that is
away for a while ends none of its loops; it backs off, reconnects and carries on, and no deadline
is lost or applied twice. /health says `degraded` while it cannot work. PostgreSQL only: a real
`manage.py worker` process, pg_terminate_backend, row locks and a TCP proxy in front of the server
(the shared server itself cannot be restarted, so "the database is away" is the proxy dropping
every connection and every new one for 10 s)."""

import copy
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales.models import AfterSale, Dispute, EvidenceRequest, HistoryEntry, Status
from sellerdesk.aftersales.tasks import fire_deadline, sweep_deadlines
from sellerdesk.aftersales.tests.test_rules_lifecycle import fresh, reach
from sellerdesk.core import clock
from sellerdesk.core.management.commands.worker import requeue_interrupted, retry_pause
from sellerdesk.core.models import WorkerHeartbeat
from sellerdesk.events.models import OutboxEvent
from sellerdesk.orders.models import Order


def postgres(test):
    """A real worker process against PostgreSQL (its own connections, which the test kills)."""
    for mark in (
        pytest.mark.postgres_only,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql", reason="needs pg_terminate_backend and row locks: run on PostgreSQL"
        ),
    ):
        test = mark(test)
    return test


ROOT = Path(__file__).resolve().parents[3]
APP = "sellerdesk-worker-under-test"  # the worker's application_name, so only its backends are killed
PERIOD = 2  # SELLERDESK_SWEEP_SECONDS: /health calls a worker stale after 4 s


@pytest.fixture(autouse=True)
def _period(settings):
    settings.SELLERDESK_SWEEP_SECONDS = PERIOD


def _wait(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _db_url(port=None):
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"
        f"?application_name={APP}"
    )


class Worker:
    """`manage.py worker` in its own process, logging to a file."""

    def __init__(self, tmp_path, *, port=None):
        self.log_path = tmp_path / "worker.log"
        self._log = open(self.log_path, "w")
        env = {
            **os.environ,
            "DATABASE_URL": _db_url(port),
            "SELLERDESK_SWEEP_SECONDS": str(PERIOD),
            "SELLERDESK_VAR_DIR": str(tmp_path),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=self._log, stderr=self._log
        )

    def log(self, tail: int | None = 3000) -> str:
        text = self.log_path.read_text()
        return text[-tail:] if tail else text

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


@pytest.fixture
def start_worker(tmp_path):
    started = []

    def start(**kw):
        started.append(Worker(tmp_path, **kw))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def _kill_worker_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            [APP],
        )
        return cursor.fetchone()[0]


def _health():
    response = Client().get("/api/v1/health")
    return response.status_code, response.json()


def _heartbeat_moves() -> bool:
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return seen is not None and _wait(lambda: WorkerHeartbeat.objects.filter(seen_at__gt=seen).exists(), 10)


def _task_ran(result_id):
    return DBTaskResult.objects.filter(pk=result_id, status="SUCCESSFUL").exists()


@postgres
def test_the_worker_survives_its_database_connections_being_killed(start_worker):
    worker = start_worker()
    before = sweep_deadlines.enqueue()
    assert _wait(lambda: _task_ran(before.id)) and WorkerHeartbeat.objects.exists()

    assert _kill_worker_backends() >= 1
    time.sleep(3)
    assert worker.alive(), worker.log()

    after = sweep_deadlines.enqueue()
    assert _wait(lambda: _task_ran(after.id)), worker.log()
    assert _heartbeat_moves()


# ---------------------------------------------------------------------- killed in the middle of a batch


def _overdue_disputes(w, n: int) -> list[int]:
    """n disputes whose evidence deadline passed, copied row by row from one reached by the real
    actions (order, after-sale, dispute, open evidence request): a fixture, written in bulk."""
    template, _ = reach(w, Status.DISPUTE_AWAITING_EVIDENCE)
    dispute = Dispute.objects.get(aftersale=template)
    request = EvidenceRequest.objects.get(dispute=dispute, state="open")

    def copies(obj, **per_row):
        made = []
        for i in range(n):
            row = copy.copy(obj)
            row.pk = row.id = None
            row._state.adding = True
            for field, value in per_row.items():
                setattr(row, field, value(i))
            made.append(row)
        return made

    orders = Order.objects.bulk_create(copies(template.order, order_no=lambda i: f"KILL{i:06d}"))
    aftersales = AfterSale.objects.bulk_create(
        copies(template, order_id=lambda i: orders[i].pk, number=lambda i: f"K{i:09d}", dispute_id=lambda i: None)
    )
    disputes = Dispute.objects.bulk_create(copies(dispute, aftersale_id=lambda i: aftersales[i].pk))
    for a, d in zip(aftersales, disputes):
        a.dispute_id = d.pk  # each copy's current round
    AfterSale.objects.bulk_update(aftersales, ["dispute"], batch_size=1000)
    EvidenceRequest.objects.bulk_create(copies(request, dispute_id=lambda i: disputes[i].pk))
    return [template.pk] + [a.pk for a in aftersales]


HOLD_SQL = """
CREATE TABLE test_hold_batch (held boolean);
INSERT INTO test_hold_batch VALUES (true);
CREATE FUNCTION test_hold_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM test_hold_batch) THEN PERFORM pg_sleep(10); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER test_hold_batch AFTER INSERT ON aftersales_historyentry
    FOR EACH STATEMENT EXECUTE FUNCTION test_hold_batch();
"""
UNHOLD_SQL = """
DROP TRIGGER IF EXISTS test_hold_batch ON aftersales_historyentry;
DROP FUNCTION IF EXISTS test_hold_batch();
DROP TABLE IF EXISTS test_hold_batch;
"""


def _sleeping_in_the_batch() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND datname = current_database() AND wait_event = 'PgSleep'",
            [APP],
        )
        return cursor.fetchone()[0] > 0


@postgres
def test_killed_in_the_middle_of_a_batch_sweep_every_deadline_fires_exactly_once(world, start_worker):
    ids = _overdue_disputes(world, 2000)
    DBTaskResult.objects.all().delete()  # the template's deadline tasks: the sweeper alone writes history here
    with connection.cursor() as cursor:
        # The batch's history INSERT waits in pg_sleep, after its UPDATEs and before its commit.
        cursor.execute(HOLD_SQL)
    try:
        worker = start_worker()
        assert _wait(_sleeping_in_the_batch), worker.log()
        assert AfterSale.objects.filter(pk__in=ids, status=Status.DISPUTE_AWAITING_EVIDENCE).count() == len(ids)
        assert _kill_worker_backends() >= 2  # the sweeper's, mid-batch, and the task runner's at least
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM test_hold_batch")

        assert _wait(
            lambda: not AfterSale.objects.filter(pk__in=ids, status=Status.DISPUTE_AWAITING_EVIDENCE).exists(), 45
        ), worker.log()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(UNHOLD_SQL)

    timed_out = HistoryEntry.objects.filter(aftersale_id__in=ids, kind="evidence_timed_out")
    assert timed_out.count() == len(ids) and set(timed_out.values_list("aftersale_id", flat=True)) == set(ids)
    events = OutboxEvent.objects.filter(topic="dispute.timed_out", aftersale_id__in=ids)
    assert events.count() == len(ids) and set(events.values_list("aftersale_id", flat=True)) == set(ids)
    assert set(AfterSale.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.DISPUTE_PLATFORM_REVIEW
    }
    assert worker.alive(), worker.log()
    assert _heartbeat_moves()
    assert _wait(lambda: _health()[0] == 200, 30), _health()  # the dispatcher sends the 2,000 events on


# --------------------------------------------------------------------------- the database away for 10 s


class Outage:
    """A TCP proxy to PostgreSQL. down(): every open connection is cut and every new one is
    accepted and closed at once (what a restarting server looks like to a client), counted."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_down, self.refused = False, 0
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            if self.is_down:
                self.refused += 1
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._close(s)

    def _close(self, s):
        with self.lock:
            self.open.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def down(self):
        self.is_down = True
        with self.lock:
            cut = list(self.open)
        for s in cut:
            self._close(s)

    def up(self):
        self.is_down = False

    def close(self):
        self.down()
        self.listener.close()


@postgres
def test_the_database_away_for_ten_seconds_degrades_health_and_the_worker_carries_on_after(world, start_worker):
    outage = Outage(int(connection.settings_dict["PORT"] or 5432))
    try:
        worker = start_worker(port=outage.port)
        assert _wait(lambda: _health()[0] == 200, 30), (_health(), worker.log())
        # A dispute whose evidence deadline falls in the outage, with its deadline task queued.
        aftersale, _ = reach(world, Status.DISPUTE_AWAITING_EVIDENCE)
        DBTaskResult.objects.all().delete()  # reach()'s tasks for 2025's deadlines: not this test's
        due = clock.now() + timedelta(seconds=3)
        AfterSale.objects.filter(pk=aftersale.pk).update(due_at=due)
        fire_deadline.using(run_after=due + timedelta(seconds=1)).enqueue(aftersale.pk)

        outage.down()
        went_down = time.monotonic()
        assert _wait(lambda: _health()[0] == 503, 2 * PERIOD + 2), _health()
        noticed = time.monotonic() - went_down
        status, body = _health()
        assert body["status"] == "degraded" and "worker" in body["stale"]
        time.sleep(max(0.0, 10 - (time.monotonic() - went_down)))
        assert worker.alive(), worker.log()
        refused = outage.refused
        outage.up()

        assert _wait(lambda: _health()[0] == 200, 40), (_health(), worker.log())
    finally:
        outage.close()
    assert noticed <= 2 * PERIOD + 1
    assert 3 <= refused < 60, refused  # every loop tried again, and none in a busy loop
    assert fresh(aftersale).status == Status.DISPUTE_PLATFORM_REVIEW
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="evidence_timed_out").count() == 1
    assert OutboxEvent.objects.filter(aftersale_id=aftersale.pk, topic="dispute.timed_out").count() == 1
    log = worker.log(tail=None)
    assert "sweep failed" in log and "task worker lost the database" in log, log
    assert worker.alive(), worker.log()


# ------------------------------------------------------------------------- a live but stuck worker


@postgres
def test_a_worker_stuck_on_a_lock_is_reported_stale_while_its_process_lives(world, start_worker):
    aftersale, _ = reach(world, Status.AWAITING_MERCHANT)  # its 2025 deadline passed: the sweep must take it
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as blocker:
        blocker.execute("SELECT id FROM aftersales_aftersale WHERE id = %s FOR UPDATE", [aftersale.pk])
        worker = start_worker()
        assert _wait(lambda: WorkerHeartbeat.objects.exists(), 20), worker.log()
        assert _wait(lambda: _health()[0] == 503, 2 * PERIOD + 10), _health()
        status, body = _health()
        assert worker.alive() and "worker" in body["stale"] and body["worker"] == "stale"
        blocker.rollback()
    assert _wait(lambda: _health()[0] == 200, 20), _health()
    assert fresh(aftersale).status != Status.AWAITING_MERCHANT
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="auto_approved").count() == 1


# ------------------------------------------------------------------------------- the retry rules


def test_retries_back_off_1_2_4_seconds_up_to_a_cap_so_an_outage_is_no_busy_loop():
    assert [retry_pause(n, 30) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert [retry_pause(n, PERIOD) for n in range(1, 4)] == [1, 2, 2]  # the sweeper: never past its period
    assert retry_pause(0, PERIOD) == PERIOD  # no failure: the next round after a period


@pytest.mark.django_db
def test_tasks_a_dropped_connection_left_running_go_back_to_the_queue_and_only_this_workers():
    mine, other = sweep_deadlines.enqueue(), sweep_deadlines.enqueue()
    for result, worker_id in ((mine, "host:1:aa"), (other, "host:2:bb")):
        DBTaskResult.objects.get(pk=result.id).claim(worker_id)

    assert requeue_interrupted("host:1:aa") == 1
    assert DBTaskResult.objects.get(pk=mine.id).status == "READY"
    assert DBTaskResult.objects.get(pk=other.id).status == "RUNNING"
