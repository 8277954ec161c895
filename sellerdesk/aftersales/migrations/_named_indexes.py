"""Indexes that migrations make by name in SQL (0016, 0018–0021): partial and byte-order indexes
that the model does not declare, built without blocking writes. Django does not load this module
as a migration (its name starts with "_"). What it writes must not change: applied migrations
call it."""

TABLE = "aftersales_aftersale"
BYTE_ORDER = ' COLLATE "C"'


def _concurrently(schema_editor) -> str:
    # PostgreSQL builds and drops them CONCURRENTLY, so the migrations using this are not atomic.
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def create_indexes(schema_editor, indexes: dict) -> None:
    """CREATE INDEX … IF NOT EXISTS for each `name: (columns, where)`. A column written with
    COLLATE "C" (byte order, which LIKE 'prefix%' can bound) is the column itself on SQLite, whose
    text compares in byte order already."""
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (columns, where) in indexes.items():
        columns = columns if postgres else columns.replace(BYTE_ORDER, "")
        schema_editor.execute(
            f"CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS {name} ON {TABLE} ({columns})"
            + (f" WHERE {where}" if where else "")
        )


def drop_indexes(schema_editor, names) -> None:
    for name in names:
        schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS {name}")


def analyze(schema_editor) -> None:
    """On PostgreSQL, the table's statistics again, so the planner knows the new indexes' columns in
    byte order: before it, it guessed 5,000 of a million rows for any number prefix."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ANALYZE {TABLE}")
