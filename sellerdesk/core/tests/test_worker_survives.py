"""The worker is part of the product: a dropped database connection does not end it, and it goes
on running queued tasks (PostgreSQL only: pg_terminate_backend cuts every worker connection)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales.tasks import sweep_deadlines
from sellerdesk.core.models import WorkerHeartbeat

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs pg_terminate_backend: run on PostgreSQL"),
]
ROOT = Path(__file__).resolve().parents[3]


def _wait(check, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _task_ran(result_id):
    return DBTaskResult.objects.filter(pk=result_id, status="SUCCESSFUL").exists()


def test_the_worker_survives_its_database_connections_being_killed(tmp_path):
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "SELLERDESK_SWEEP_SECONDS": "1", "SELLERDESK_VAR_DIR": str(tmp_path)}
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        before = sweep_deadlines.enqueue()
        assert _wait(lambda: _task_ran(before.id)) and WorkerHeartbeat.objects.exists()

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", [db["NAME"]])
        time.sleep(3)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]

        after = sweep_deadlines.enqueue()
        assert _wait(lambda: _task_ran(after.id)), (tmp_path / "worker.log").read_text()[-2000:]
        seen = WorkerHeartbeat.objects.get().seen_at
        assert _wait(lambda: WorkerHeartbeat.objects.get().seen_at > seen)
    finally:
        worker.terminate()
        worker.wait(20)
        log.close()
