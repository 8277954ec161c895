"""The write path (issue 8, goal 4): a message POST against GET /api/v1/health on one gunicorn.

    .venv/bin/python bench/write_path.py [--clients 8] [--rounds 6] [--burst-seconds 3] [--workers 2]
                                         [--hot] [--profile 300] [--baseline DIR] [--json FILE]

Drops and re-creates a PostgreSQL database (--database, default sd_bench_write_path) and seeds it
with bench/seed_postgres.py (--aftersales requests, default 10,000: ~100 shops, ~2,000 open
requests), issues one Bearer token per client, half merchants (each cycling over its shop's open
requests) and half buyers (each over their own open requests), no two clients on one request.
Starts `gunicorn sellerdesk.wsgi -w --workers` (DEBUG=0, rate limits off:
SELLERDESK_RATE_MESSAGES=0 and the other SELLERDESK_RATE_*). No task worker runs (it would take
CPU from the web tier to send the events the POSTs write); instead a worker heartbeat row is
written and SELLERDESK_SWEEP_SECONDS=43200 given to gunicorn, so /health makes all its database
probes (SELECT 1, the heartbeat, the oldest undispatched event, the oldest ready tasks) and answers
200 "ok", as it does in production, rather than 503 with an ERROR log line per request.

Then ONE interleaved run: --rounds rounds, each a --burst-seconds burst of every kind below from
--clients concurrent clients (one kept-alive connection each), the order of the kinds rotated
every round so none always goes first:

  health   GET /api/v1/health
  no key   POST /api/v1/aftersales/{id}/messages, JSON {"body": ...}
  key      the same with a fresh Idempotency-Key on every request
  hot row  (--hot) the no-key POST, every client on ONE request as its merchant (one row lock)

Prints requests/s of each kind (answers counted / seconds in its bursts), p50/p99, the CPU
milliseconds gunicorn and the PostgreSQL backends spent per request (from /proc), each POST kind's
ratio to health (issue 8's goal: ≥ 0.40 without and with a key), and the load average.

--baseline DIR serves a second checkout (the code before a change: `git worktree add DIR <commit>`
or `git archive <commit> | tar -x -C DIR`) from a second gunicorn on the same database; every
burst then runs against both, in ABBA order, so a before/after comes from one run on one machine
state. --profile N first sends N in-process POSTs of each kind through Django's test client (every
middleware, the real database) in each checkout under cProfile, and prints the SQL statements of
one request and the cumulative milliseconds of its parts (token lookup, key claim, scope + lock,
history, outbox, answer, COMMIT).

Fails (exit 1) on any answer other than 200 to /health or 201 to a POST, or if the message rows
written differ from the 201s. gunicorn is stopped at the end; the database is
left for inspection (--drop to drop it).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from list_latency import ServerCpu, free_port, stop, wait_ready
from sqlite_writers import _timed, hammer, tally

TOKEN_NAME = "bench-write-path"
GOAL = 0.40
KINDS = ("health", "no key", "key")


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    if name in common.PROTECTED:
        sys.exit(f"refusing to drop the database {name!r}")
    with psycopg.connect(
        host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def plan(clients: int, seed: int):
    """One dict per client: its user, token and pool of open requests it may post to; plus a hot row."""
    from sellerdesk.aftersales.models import FINAL_STATUSES, AfterSale
    from sellerdesk.identity.models import ApiToken, User

    open_rows = list(
        AfterSale.objects.exclude(status__in=FINAL_STATUSES).order_by("id").values_list("id", "shop_id", "buyer_id")
    )
    rng = random.Random(seed)
    by_shop, by_buyer = {}, {}
    for aftersale_id, shop_id, buyer_id in open_rows:
        by_shop.setdefault(shop_id, []).append((aftersale_id, buyer_id))
        by_buyer.setdefault(buyer_id, []).append((aftersale_id, shop_id))
    shops = sorted(by_shop, key=lambda s: -len(by_shop[s]))
    merchants_wanted = clients - clients // 2
    used_shops, out = set(), []
    for shop_id in shops[:merchants_wanted]:
        user = User.objects.filter(role="merchant", shop_memberships__shop_id=shop_id).order_by("id").first()
        rows = [a for a, _ in by_shop[shop_id]]
        used_shops.add(shop_id)
        out.append({"user": user, "rows": rows})
    buyers = [b for b, rows in by_buyer.items() if all(s not in used_shops for _, s in rows)]
    rng.shuffle(buyers)
    for buyer_id in buyers[: clients - len(out)]:
        out.append({"user": User.objects.get(pk=buyer_id), "rows": [a for a, _ in by_buyer[buyer_id]]})
    if len(out) < clients:
        raise SystemExit(f"only {len(out)} clients could be given their own open requests: seed more (--aftersales)")
    for c in out:
        c["token"] = ApiToken.issue(c["user"], name=TOKEN_NAME)[1]
        c["role"] = c["user"].role
    # The hot row: the first merchant's first open request, posted to by all clients as that merchant.
    hot = {"row": out[0]["rows"][0], "token": ApiToken.issue(out[0]["user"], name=TOKEN_NAME)[1]}
    return out, hot


# Where a request's time goes, by the function that spends it (cumulative, cProfile).
PROFILE_PARTS = [
    ("token lookup (ApiToken.usable)", "identity/models.py", "usable"),
    ("idempotency claim (own transaction)", "core/idempotency.py", "_claim"),
    ("idempotency claim (in the request)", "core/idempotency.py", "_claim_in_request"),
    ("token check + key claim (one statement)", "core/idempotency.py", "_claim_statement"),
    ("access_aftersale (scope + lock)", "aftersales/access.py", "access_aftersale"),
    ("party_of", "aftersales/access.py", "party_of"),
    ("history entry (record)", "actions/common.py", "record"),
    ("outbox event + notifications (publish)", "actions/common.py", "publish"),
    ("response item (_history_item)", "aftersales/api.py", "_history_item"),
    ("answer stored (UPDATE of the claimed row)", "core/idempotency.py", "_store"),
    ("answer stored (the key's one INSERT)", "core/idempotency.py", "_keep_answer"),
    ("do_post_message (whole action)", "actions/negotiation.py", "do_post_message"),
    ("ninja view (whole endpoint)", "ninja/operation.py", "run"),
    ("COMMIT", "django/db/backends/base/base.py", "commit"),
]


def profile(clients, n: int) -> None:
    """n in-process message POSTs of each kind through Django's test client (every middleware, the
    real database and transactions, no HTTP): queries per request and where the time goes."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client

    c = clients[0]
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {c['token']}")

    def post(i, kind):
        headers = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if kind == "key" else {}
        response = client.post(
            f"/api/v1/aftersales/{c['rows'][i % len(c['rows'])]}/messages",
            json.dumps({"body": f"profile {i}"}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 201, response.content

    def recording(statements):
        def wrapper(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        return wrapper

    for kind in ("no key", "key"):
        for i in range(20):
            post(i, kind)
        statements = []
        # BEGIN / COMMIT are not statements Django executes through a cursor: counted apart
        with connection.execute_wrapper(recording(statements)):
            post(0, kind)
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        for i in range(n):
            post(i, kind)
        prof.disable()
        per_request = (time.perf_counter() - started) / n * 1000
        stats = pstats.Stats(prof)
        print(
            f"\nprofile, {kind}: {len(statements)} SQL statements per request (+ BEGIN/COMMIT), "
            f"{per_request:.2f} ms per request in-process under cProfile"
        )
        for sql in statements:
            print(f"    {sql[:110]}")
        for label, path, func in PROFILE_PARTS:
            hits = [v for (file, _, name), v in stats.stats.items() if file.endswith(path) and name == func]
            cumulative, calls = sum(v[3] for v in hits), sum(v[0] for v in hits)
            if calls:
                print(
                    f"  {label:42} {calls / n:4.1f}× {cumulative / n * 1000:7.3f} ms "
                    f"{cumulative / n * 100 / per_request * 1000:5.1f} %"
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sd_bench_write_path")
    parser.add_argument("--aftersales", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads, one connection each)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--burst-seconds", type=float, default=3.0)
    parser.add_argument("--hot", action="store_true", help="also time every client on one request (one row lock)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="first profile N in-process POSTs of each kind (queries, where the time goes)",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="also serve another checkout (e.g. `git worktree add DIR <commit>`) from a second "
        "gunicorn, interleaved burst by burst with this one, for a before/after in one run",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    name = common.check_name(args.database)
    if common.is_sqlite(name):
        raise SystemExit("the write-path goal is measured on PostgreSQL: give a database name")
    if not (
        1 <= args.clients <= 64
        and 1 <= args.workers <= 8
        and 1 <= args.rounds <= 50
        and 0.5 <= args.burst_seconds <= 60
        and 1_000 <= args.aftersales <= 1_000_000
    ):
        raise SystemExit(
            "keep --clients ≤ 64, --workers ≤ 8, --rounds ≤ 50, --burst-seconds 0.5..60, --aftersales 1,000..1,000,000"
        )

    seeded = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("seed_postgres.py")),
            "--database",
            name,
            "--aftersales",
            str(args.aftersales),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise SystemExit(f"seeding failed:\n{seeded.stdout[-2000:]}\n{seeded.stderr[-2000:]}")
    print(seeded.stdout.strip().splitlines()[-1])
    scratch = Path(tempfile.mkdtemp(prefix="sd_bench_write_path_"))
    os.environ.update(
        {  # passed on to gunicorn
            "SELLERDESK_SWEEP_SECONDS": "43200",
            "SELLERDESK_RATE_MESSAGES": "0",
            "SELLERDESK_RATE_UPLOADS": "0",
            "SELLERDESK_RATE_OFFERS": "0",
            "SELLERDESK_FILES_DIR": str(scratch / "files"),
        }
    )
    common.setup_django(name)
    from django.db import connection

    from sellerdesk.aftersales.models import HistoryEntry
    from sellerdesk.core import clock
    from sellerdesk.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(worker="bench-write-path", defaults={"seen_at": clock.now()})
    clients, hot = plan(args.clients, args.seed)
    roots = [("this", common.ROOT)] + ([("baseline", Path(args.baseline).resolve())] if args.baseline else [])
    if args.profile:
        c = clients[0]
        for label, root in roots:
            print(f"\n=== profile of {label} ({root})", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--profile-child",
                    str(root),
                    name,
                    c["token"],
                    ",".join(map(str, c["rows"])),
                    str(args.profile),
                ],
                check=True,
                env=os.environ,
            )
    connection.close()
    kinds = KINDS + (("hot row",) if args.hot else ())
    seq = [0] * args.clients

    def message(conn, i, *, key=False, hot_row=False):
        seq[i] += 1
        c = clients[i]
        row, token = (hot["row"], hot["token"]) if hot_row else (c["rows"][seq[i] % len(c["rows"])], c["token"])
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        body = json.dumps({"body": f"bench client {i} message {seq[i]}"}).encode()
        return _timed(conn, "POST", f"/api/v1/aftersales/{row}/messages", body, headers)

    work = {
        "health": lambda conn, i: _timed(conn, "GET", "/api/v1/health"),
        "no key": lambda conn, i: message(conn, i),
        "key": lambda conn, i: message(conn, i, key=True),
        "hot row": lambda conn, i: message(conn, i, hot_row=True),
    }
    servers = []
    for label, root in roots:
        log = open(scratch / f"gunicorn-{label}.log", "w+")  # noqa: SIM115 (closed in the finally below)
        port = free_port()
        servers.append(
            {
                "label": label,
                "root": root,
                "port": port,
                "log": log,
                "proc": start_gunicorn_in(root, name, port, args.workers, log),
                "results": {k: {"answers": [], "seconds": 0.0, "cpu": {"app": 0.0, "db": 0.0}} for k in kinds},
            }
        )
    failed = []
    try:
        for server in servers:
            wait_ready(server["port"], server["proc"])
            for kind in kinds:  # warm-up: every worker imports, connects and fills its caches
                hammer(server["port"], 1.0, work[kind], args.clients)
            server["cpu"] = ServerCpu([server["proc"].pid], name)
        before = HistoryEntry.objects.filter(kind="message").count()
        connection.close()
        loads = [os.getloadavg()[0]]
        started = time.monotonic()
        for r in range(args.rounds):
            order = kinds[r % len(kinds) :] + kinds[: r % len(kinds)]
            for kind in order:
                # with a baseline: ABBA, so neither server always goes first
                for server in servers if (r + kinds.index(kind)) % 2 == 0 else servers[::-1]:
                    snap = server["cpu"].snapshot()
                    answers, wall = hammer(server["port"], args.burst_seconds, work[kind], args.clients)
                    used = ServerCpu.delta(snap, server["cpu"].snapshot())
                    result = server["results"][kind]
                    result["answers"] += answers
                    result["seconds"] += wall
                    for side in ("app", "db"):
                        result["cpu"][side] += used[side]
            loads.append(os.getloadavg()[0])
            connection.close()
        timed = time.monotonic() - started
        time.sleep(0.5)
        written = HistoryEntry.objects.filter(kind="message").count() - before
    finally:
        for server in servers:
            stop(server["proc"])
            server["log"].seek(0)
            server["log_errors"] = [
                line for line in server["log"].read().splitlines() if "Traceback" in line or " ERROR " in line
            ]
            server["log"].close()
        from sellerdesk.identity.models import ApiToken

        ApiToken.objects.filter(name=TOKEN_NAME).delete()
        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)
        if args.drop:
            drop_database(name)

    created = 0
    for server in servers:
        server["figures"] = figures = {}
        for kind in kinds:
            r = server["results"][kind]
            counts, _, errors = tally(r["answers"])
            ok = [e for e, s, _ in r["answers"] if s == (200 if kind == "health" else 201)]
            every = sorted(e for e, _, _ in r["answers"])
            n = len(r["answers"])
            figures[kind] = {
                "n": n,
                "ok": len(ok),
                "per_s": len(ok) / r["seconds"],
                "p50": common.percentile(every, 50) * 1000,
                "p99": common.percentile(every, 99) * 1000,
                "app_cpu_ms": r["cpu"]["app"] * 1000 / max(n, 1),
                "db_cpu_ms": r["cpu"]["db"] * 1000 / max(n, 1),
                "counts": {f"{s} {c}".strip(): k for (s, c), k in sorted(counts.items())},
            }
            if kind != "health":
                created += len(ok)
            if len(ok) != n:
                failed.append(
                    f"{server['label']} {kind}: {n - len(ok)} answers were not "
                    f"{200 if kind == 'health' else 201}: {figures[kind]['counts']}"
                )
            if errors:
                failed.append(f"{server['label']} {kind}: {len(errors)} 5xx or failed answers: {errors[:3]}")
        if server["log_errors"]:
            failed.append(f"{server['label']}: gunicorn logged errors: {server['log_errors'][:5]}")
    if written != created:
        failed.append(f"{written} message entries written for {created} answers 201")

    roles = ", ".join(f"{sum(c['role'] == r for c in clients)} {r}s" for r in sorted({c["role"] for c in clients}))
    print(
        f"\ngunicorn -w {args.workers} per server, {args.clients} clients ({roles}, "
        f"{sum(len(c['rows']) for c in clients)} open requests between them), {os.cpu_count()} CPUs; "
        f"{args.rounds} rounds × {len(kinds)} kinds × {len(servers)} server(s), bursts of {args.burst_seconds:g} s, "
        f"{timed:.0f} s timed; load average (1 min) {min(loads):.2f}..{max(loads):.2f}"
    )
    for server in servers:
        figures = server["figures"]
        health = figures["health"]["per_s"]
        print(f"\n{server['label']}: {server['root']}")
        print(
            f"{'kind':10} {'n':>7} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'app cpu ms':>10} "
            f"{'pg cpu ms':>9}"
        )
        for kind in kinds:
            f = figures[kind]
            print(
                f"{kind:10} {f['n']:>7} {f['per_s']:>8.1f} {f['per_s'] / health:>6.3f} {f['p50']:>7.2f} "
                f"{f['p99']:>7.2f} {f['app_cpu_ms']:>10.2f} {f['db_cpu_ms']:>9.2f}"
            )
        for kind in ("no key", "key"):
            ratio = figures[kind]["per_s"] / health
            print(f"{kind}: {ratio:.1%} of health's requests/s: goal {GOAL:.0%} {'met' if ratio >= GOAL else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "args": vars(args),
                    "load": loads,
                    "servers": [
                        {"label": s["label"], "root": str(s["root"]), "figures": s["figures"]} for s in servers
                    ],
                },
                indent=2,
            )
        )
    if failed:
        print("FAILED:\n  " + "\n  ".join(failed))
        sys.exit(1)
    print("OK: every POST answered 201, one message entry per 201, no 5xx")


def start_gunicorn_in(root: Path, database: str, port: int, workers: int, log):
    """list_latency.start_gunicorn, from the checkout at `root` (this one, or --baseline)."""
    env = dict(
        os.environ,
        DATABASE_URL=common.database_url(database),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            "sellerdesk.wsgi",
            "--chdir",
            str(root),
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def profile_child(root: str, database: str, token: str, rows: str, n: int) -> None:
    """The --profile run, in a process of its own whose `sellerdesk` is the checkout at `root`."""
    sys.path.insert(0, root)
    os.environ.update(
        DATABASE_URL=common.database_url(database),
        DJANGO_SETTINGS_MODULE="sellerdesk.settings",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1",
    )
    import django

    django.setup()
    import sellerdesk

    assert Path(sellerdesk.__file__).resolve().is_relative_to(Path(root).resolve()), sellerdesk.__file__
    profile([{"token": token, "rows": [int(r) for r in rows.split(",")]}], n)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--profile-child":
        profile_child(*sys.argv[2:6], int(sys.argv[6]))
    else:
        main()
