from django.db import connection
from ninja import Router

from . import clock

router = Router(tags=["operations"])


@router.get("/health", auth=None)
def health(request):
    from django_tasks_db.models import DBTaskResult

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    # The worker is healthy when nothing due has been waiting more than a few minutes.
    overdue = DBTaskResult.objects.filter(status="READY", run_after__lt=clock.now().replace(second=0)).count()
    return {"status": "ok", "database": connection.vendor, "worker": "ok" if overdue == 0 else f"behind ({overdue} due)"}
