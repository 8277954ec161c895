from datetime import timedelta

from django.conf import settings
from django.db import connection
from ninja import Router

from . import clock

router = Router(tags=["operations"])


@router.get("/health", auth=None)
def health(request):
    """`database`: the vendor answering; `worker`: ok when a worker's sweeper was seen recently;
    `dispatcher`: lagging when a committed event has waited too long to be sent on."""
    from sellerdesk.events.models import OutboxEvent

    from .models import WorkerHeartbeat

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    fresh_after = clock.now() - timedelta(seconds=2 * settings.SELLERDESK_SWEEP_SECONDS + 30)
    worker = "not_seen" if last is None else ("ok" if last >= fresh_after else "stale")
    oldest = (OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")
              .values_list("created_at", flat=True).first())
    dispatcher = "ok" if oldest is None or oldest >= fresh_after else "lagging"
    return {"status": "ok", "database": connection.vendor, "worker": worker,
            "worker_last_seen_at": last.isoformat() if last else None,
            "dispatcher": dispatcher, "oldest_undispatched_event_at": oldest.isoformat() if oldest else None}
