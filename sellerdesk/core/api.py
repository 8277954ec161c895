from datetime import timedelta

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from ninja import Field, Router, Schema, Status

from . import clock

router = Router(tags=["operations"])


class HealthOut(Schema):
    status: str = Field(description="`ok`, or `degraded` (HTTP 503) when `stale` names anything")
    database: str = Field(description="the vendor answering, or `unreachable`")
    worker: str = Field(
        description="`ok`, `stale` (no sweeper round within `stale_after_seconds`), "
        "`not_seen` (no worker ever ran) or `unknown` (database unreachable)"
    )
    worker_last_seen_at: str | None
    dispatcher: str = Field(
        description="`ok`, or `lagging` when a committed event waited longer than `stale_after_seconds` to be sent on"
    )
    oldest_undispatched_event_at: str | None
    task_queue: str = Field(
        description="`ok`, or `lagging` when a task was ready to run longer than "
        "`stale_after_seconds` ago and no worker took it"
    )
    oldest_ready_task_at: str | None
    stale: list[str] = Field(description="what is not ok: database, worker, dispatcher, task_queue")
    stale_after_seconds: int


def stale_after_seconds() -> int:
    """Two sweep periods: a worker's sweeper writes its heartbeat at least once in each."""
    return int(getattr(settings, "SELLERDESK_HEALTH_STALE_SECONDS", 0) or 2 * settings.SELLERDESK_SWEEP_SECONDS)


def _iso(moment):
    return moment.isoformat() if moment else None


def _oldest_ready_task(now):
    """When the task the runners should have taken first became ready: due by run_after, or
    enqueued without one (run_after is then the maximum date)."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus, get_date_max

    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    timed = ready.filter(run_after__lte=now).order_by("run_after").values_list("run_after", flat=True).first()
    untimed = (
        ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    )
    return min((t for t in (timed, untimed) if t), default=None)


def _report(now, threshold: int) -> dict:
    from sellerdesk.events.models import OutboxEvent

    from .models import WorkerHeartbeat

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    fresh_after = now - timedelta(seconds=threshold)
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    oldest_event = (
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("id")
        .values_list("created_at", flat=True)
        .first()
    )
    oldest_task = _oldest_ready_task(now)
    return {
        "database": connection.vendor,
        "worker": "not_seen" if last is None else ("ok" if last > fresh_after else "stale"),
        "worker_last_seen_at": _iso(last),
        "dispatcher": "ok" if oldest_event is None or oldest_event > fresh_after else "lagging",
        "oldest_undispatched_event_at": _iso(oldest_event),
        "task_queue": "ok" if oldest_task is None or oldest_task > fresh_after else "lagging",
        "oldest_ready_task_at": _iso(oldest_task),
    }


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def health(request):
    """200 `ok` when the database answers, a worker's sweeper ran within two sweep periods, no
    event waits to be dispatched and no ready task waits to be run for longer than that; otherwise
    503 `degraded`, and `stale` says which (a load balancer or monitor needs only the status)."""
    threshold = stale_after_seconds()
    try:
        report = _report(clock.now(), threshold)
    except DatabaseError:
        report = {
            "database": "unreachable",
            "worker": "unknown",
            "worker_last_seen_at": None,
            "dispatcher": "unknown",
            "oldest_undispatched_event_at": None,
            "task_queue": "unknown",
            "oldest_ready_task_at": None,
        }
    stale = (
        ["database"]
        if report["database"] == "unreachable"
        else [name for name in ("worker", "dispatcher", "task_queue") if report[name] != "ok"]
    )
    body = {"status": "degraded" if stale else "ok", **report, "stale": stale, "stale_after_seconds": threshold}
    return Status(503 if stale else 200, body)
