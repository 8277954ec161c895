"""The task worker: django-tasks-db's db_worker, the deadline sweeper and the event dispatcher.

The sweeper runs at start (so a worker that was down past deadlines catches up at once) and
then every SELLERDESK_SWEEP_SECONDS. Any number of workers may run; each timeout is a
compare-and-set under a row lock, so it fires exactly once. Evidence timeouts, the backlog of an
outage, are swept in batches claimed with FOR UPDATE SKIP LOCKED (aftersales.actions.deadlines),
so several workers split the backlog instead of queueing on each other's rows. The dispatcher thread
(events.dispatcher) sends committed outbox events to webhook endpoints and pending e-mails;
the sweeper also prunes what retention allows, every SELLERDESK_PRUNE_SECONDS.
"""
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import InterfaceError, OperationalError, close_old_connections, connection, connections

from sellerdesk.core import clock

log = logging.getLogger("sellerdesk.worker")


def sweep_once(worker_name: str | None = None) -> int:
    from sellerdesk.aftersales.actions.deadlines import sweep
    from sellerdesk.core.models import IdempotencyKey, WorkerHeartbeat

    from sellerdesk.payouts.actions.changes import do_expire_changes

    fired = sweep(now=clock.now())
    do_expire_changes(now=clock.now())
    from sellerdesk.payouts.tasks import sweep_money  # ended holds, due and abandoned rail instructions
    sweep_money()
    if worker_name:
        WorkerHeartbeat.objects.update_or_create(worker=worker_name, defaults={"seen_at": clock.now(), "swept": fired})
    # Keys are kept at least 24 hours (api.md); two days is plenty.
    IdempotencyKey.objects.filter(created_at__lt=clock.now() - timedelta(days=2)).delete()
    return fired


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
            pruned_at = None
            while not stop.is_set():
                try:
                    close_old_connections()
                    fired = sweep_once(worker_name)
                    if fired:
                        log.info("sweeper fired %s deadline(s)", fired)
                    now = clock.now()
                    if pruned_at is None or now - pruned_at >= timedelta(seconds=settings.SELLERDESK_PRUNE_SECONDS):
                        pruned_at = now
                        log.info("pruned: %s", prune(now=now))
                except Exception:  # keep sweeping; the next round retries
                    log.exception("sweep failed")
                finally:
                    connection.close()
                stop.wait(settings.SELLERDESK_SWEEP_SECONDS)

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
            self.run_tasks_until_stopped(options["verbosity"])
        finally:
            stop.set()

    @staticmethod
    def run_tasks_until_stopped(verbosity: int) -> None:
        """db_worker, started again after a dropped or refused database connection (a failover,
        pg_terminate_backend, a restart): waiting 1, 2, 4 … 30 s, never giving up. It returns when
        it was asked to stop (SIGTERM / SIGINT)."""
        wait = 1
        while True:
            try:
                call_command("db_worker", reload=False, startup_delay=False, interval=1, verbosity=verbosity)
                return
            except (OperationalError, InterfaceError):
                log.exception("task worker lost the database; starting again in %s s", wait)
                for conn in connections.all():
                    try:
                        conn.close()
                    except Exception:  # already broken: nothing to close
                        pass
                time.sleep(wait)
                wait = min(wait * 2, 30)
