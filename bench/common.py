"""Shared by the bench scripts: which database, Django set up against it, percentiles.

Every script talks only to PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and, for the
HTTP benchmark, to a gunicorn it starts itself on 127.0.0.1. The seeder and list_latency.py also take
a SQLite file, the embedded default: `--database sqlite:///path/to/file.sqlite3`.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DEFAULT_DATABASE = "sellerdesk_bench"
# Databases the seeder must never drop: PostgreSQL's own and the one CI creates its runs in.
PROTECTED = {"postgres", "template0", "template1", "test"}


def is_sqlite(name: str) -> bool:
    return name.startswith("sqlite:///")


def sqlite_path(name: str) -> Path:
    return Path(name.removeprefix("sqlite:///"))


def check_name(name: str) -> str:
    if is_sqlite(name):
        if not sqlite_path(name).name.endswith((".sqlite3", ".sqlite", ".db")):
            sys.exit(f"--database {name!r}: a SQLite file must end in .sqlite3, .sqlite or .db")
        return name
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        sys.exit(f"--database {name!r}: use lower-case letters, digits and _ only")
    return name


def database_url(name: str) -> str:
    if is_sqlite(check_name(name)):
        return name
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{check_name(name)}"


def setup_django(name: str, **extra_env) -> None:
    """Point Django at the bench database, then set it up (settings read the environment once)."""
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for key, value in extra_env.items():
        os.environ[key] = value
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(min(rank, len(sorted_values))) - 1]


def summary_ms(seconds: list[float]) -> dict:
    values = sorted(s * 1000 for s in seconds)
    return {
        "n": len(values),
        "min": values[0] if values else float("nan"),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": values[-1] if values else float("nan"),
    }
