"""Retention: what the worker prunes on a schedule (SELLERDESK_RETENTION_DAYS, SELLERDESK_PRUNE_SECONDS).

Only what is finished goes: events every delivery of which succeeded (with their deliveries and
attempts), finished task results, old worker heartbeats, and stored files that no attachment names
(left by a process killed before its upload committed; aftersales/orphans.py). An event still on its way, or whose
delivery died and may be resent, is never pruned.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command

from sellerdesk.aftersales.orphans import delete_orphan_files

from .models import OutboxEvent


def prune(*, now, batch: int = 5000) -> dict:
    from sellerdesk.core.models import WorkerHeartbeat

    days = settings.SELLERDESK_RETENTION_DAYS
    done = {"events": 0}
    cutoff = now - timedelta(days=days["events"])
    while True:
        ids = list(OutboxEvent.objects.filter(delivered_at__lt=cutoff).values_list("id", flat=True)[:batch])
        if not ids:
            break
        OutboxEvent.objects.filter(pk__in=ids).delete()
        done["events"] += len(ids)
    done["heartbeats"] = WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=days["heartbeats"])).delete()[
        0
    ]
    call_command("prune_db_task_results", min_age_days=days["task_results"], queue_name="*", verbosity=0)
    done["orphan_files"] = delete_orphan_files(now=now)
    return done
