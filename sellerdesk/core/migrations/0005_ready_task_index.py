"""An index for /health's question "since when has a task been ready and not taken?".

django-tasks-db's own index leads with priority, so finding the oldest due task read every ready
row (10 ms with 180,000 queued deadline tasks, on each health probe); this one answers it from
its first entry. Partial, so it holds only the ready tasks, not the finished ones."""
from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_database_planner_settings"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS core_ready_task_since ON {TABLE} (run_after, enqueued_at) "
            "WHERE status = 'READY'",
            "DROP INDEX IF EXISTS core_ready_task_since",
        ),
    ]
