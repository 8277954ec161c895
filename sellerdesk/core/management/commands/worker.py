"""The task worker: django-tasks-db's db_worker, the deadline sweeper and the event dispatcher.

The sweeper runs at start (so a worker that was down past deadlines catches up at once) and
then every SELLERDESK_SWEEP_SECONDS. Any number of workers may run; each timeout is a
compare-and-set under a row lock, so it fires exactly once. Evidence timeouts, the backlog of an
outage, are swept in batches claimed with FOR UPDATE SKIP LOCKED (aftersales.actions.deadlines),
so several workers split the backlog instead of queueing on each other's rows. The dispatcher thread
(events.dispatcher) sends committed outbox events to webhook endpoints and pending e-mails;
the sweeper also prunes what retention allows, every SELLERDESK_PRUNE_SECONDS.

Faults: a dropped connection or a database that is away ends no loop. The sweeper retries after
1, 2, 4 … s up to one sweep period; the task runner starts db_worker again after 1, 2, 4 … 30 s
and puts back the tasks the drop interrupted; the dispatcher retries its round after 5 s. The
sweeper's heartbeat (written at the start and end of each round, so only a working sweeper keeps
it fresh) is what /health reads as `worker`.
"""

import logging
import os
import secrets
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import InterfaceError, OperationalError, close_old_connections, connection, connections

from sellerdesk.core import clock

log = logging.getLogger("sellerdesk.worker")


def beat(worker_name: str, **fields) -> None:
    """Record that this worker's sweeper is working (WorkerHeartbeat, read by /health)."""
    from sellerdesk.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(worker=worker_name, defaults={"seen_at": clock.now(), **fields})


def sweep_once(worker_name: str | None = None) -> int:
    from sellerdesk.aftersales.actions.deadlines import sweep
    from sellerdesk.aftersales.actions.reminders import sweep_reminders
    from sellerdesk.core.models import IdempotencyKey, WorkerHeartbeat
    from sellerdesk.payouts.actions.changes import do_expire_changes

    if worker_name:  # a long catch-up round must not look like a dead worker
        beat(worker_name)
    fired = sweep(now=clock.now())
    sweep_reminders(now=clock.now())  # after the timeouts, as the sweep_deadlines task does
    do_expire_changes(now=clock.now())
    from sellerdesk.payouts.tasks import sweep_money  # ended holds, due and abandoned rail instructions

    sweep_money()
    if worker_name:
        beat(worker_name, swept=fired)
    # Keys are kept at least 24 hours (api.md); two days is plenty.
    IdempotencyKey.objects.filter(created_at__lt=clock.now() - timedelta(days=2)).delete()
    # A restarted worker has a new name (its pid): its old row only says when it stopped.
    WorkerHeartbeat.objects.filter(seen_at__lt=clock.now() - timedelta(days=7)).delete()
    return fired


def retry_pause(failures: int, cap: float) -> float:
    """The wait before the next try after `failures` failed ones in a row: 1, 2, 4 … s, at most `cap`."""
    return min(2 ** (failures - 1), cap) if failures else cap


def requeue_interrupted(worker_id: str) -> int:
    """Put back the tasks this worker's task runner had claimed when its connection dropped: they
    would stay RUNNING for ever. Their actions are idempotent (compare-and-set, instruction
    references), so running one again is safe; only this worker runs tasks under this id."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("pk", "worker_ids")
    mine = [pk for pk, ids in running if ids and ids[-1] == worker_id]
    if mine:
        DBTaskResult.objects.filter(pk__in=mine, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        log.warning("task runner put back %s task(s) a dropped connection interrupted", len(mine))
    return len(mine)


def close_all_connections() -> None:
    for conn in connections.all():
        try:
            conn.close()
        except Exception:  # already broken: nothing to close
            pass


class Command(BaseCommand):
    help = "Run the background worker: queued tasks (deadlines, deliveries) and the deadline sweeper."

    def add_arguments(self, parser):
        parser.add_argument("--sweep-only", action="store_true", help="Sweep due deadlines once and exit.")
        parser.add_argument("--batch", action="store_true", help="Run queued tasks that are due, then exit.")

    def handle(self, *args, sweep_only=False, batch=False, **options):
        if sweep_only:
            self.stdout.write(f"swept: {sweep_once()} deadline(s) fired")
            return
        from sellerdesk.events import dispatcher
        from sellerdesk.events.retention import prune

        stop = threading.Event()
        worker_name = f"{socket.gethostname()}:{os.getpid()}"

        def sweeper():
            pruned_at, failures = None, 0
            period = settings.SELLERDESK_SWEEP_SECONDS
            while not stop.is_set():
                try:
                    close_old_connections()
                    fired = sweep_once(worker_name)
                    if failures:
                        log.warning("sweeper back after %s failed round(s)", failures)
                    failures = 0
                    if fired:
                        log.info("sweeper fired %s deadline(s)", fired)
                    now = clock.now()
                    if pruned_at is None or now - pruned_at >= timedelta(seconds=settings.SELLERDESK_PRUNE_SECONDS):
                        pruned_at = now
                        log.info("pruned: %s", prune(now=now))
                except Exception as exc:  # keep sweeping; the next round retries
                    failures += 1
                    if failures == 1:
                        log.exception("sweep failed")
                    else:  # the traceback was logged once; the database is probably away
                        log.warning("sweep failed %s times in a row: %s", failures, str(exc).strip()[:200])
                finally:
                    connection.close()
                stop.wait(retry_pause(failures, period))

        if batch:
            sweep_once()
            call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=options["verbosity"])
            while dispatcher.dispatch_once():
                pass
            return
        threading.Thread(target=dispatcher.run, args=(stop,), name="event-dispatcher", daemon=True).start()
        thread = threading.Thread(target=sweeper, name="deadline-sweeper", daemon=True)
        thread.start()
        try:
            self.run_tasks_until_stopped(options["verbosity"], f"{worker_name}:{secrets.token_hex(4)}"[-64:])
        finally:
            stop.set()

    @staticmethod
    def run_tasks_until_stopped(verbosity: int, worker_id: str) -> None:
        """db_worker, started again after a dropped or refused database connection (a failover,
        pg_terminate_backend, a restart): waiting 1, 2, 4 … 30 s, never giving up, and from 1 s
        again once it has run for a minute. It returns when it was asked to stop (SIGTERM / SIGINT)."""
        failures, interrupted = 0, False
        while True:
            started = time.monotonic()
            try:
                if interrupted:
                    requeue_interrupted(worker_id)
                    interrupted = False
                call_command(
                    "db_worker", reload=False, startup_delay=False, interval=1, verbosity=verbosity, worker_id=worker_id
                )
                return
            except (OperationalError, InterfaceError) as exc:
                interrupted = True
                failures = 1 if time.monotonic() - started > 60 else failures + 1
                wait = retry_pause(failures, 30)
                if failures == 1:
                    log.exception("task worker lost the database; starting again in %s s", wait)
                else:
                    log.warning(
                        "task worker still without the database (%s); starting again in %s s",
                        str(exc).strip()[:200],
                        wait,
                    )
                close_all_connections()
                time.sleep(wait)
