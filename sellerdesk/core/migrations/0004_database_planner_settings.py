"""Planner settings for the database, on PostgreSQL only.

random_page_cost = 1.1 (PostgreSQL's default 4.0 assumes spinning disks): with it the planner
walks the list indexes for a shop's or a status's newest rows instead of scanning and sorting;
the 1M-row figures in docs/benchmarks.md depend on it. Set on the database, not per connection,
so that it holds through pgbouncer's transaction pooling, which refuses startup options.
A user that does not own the database cannot set it: the migration says so and goes on, and
docs/operations.md tells the operator to set it."""
from django.db import migrations

SET = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'random_page_cost not set: the database owner must run ALTER DATABASE ... SET random_page_cost = 1.1';
END $$;
"""
RESET = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_workerheartbeat")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
