"""Concurrent writers on the embedded default (SQLite): does `database is locked` ever reach a user?

    .venv/bin/python bench/sqlite_writers.py [--writers 20] [--seconds 60] [--web 1x4 4x4]

Seeds a SQLite file (bench/seed_postgres.py, --aftersales requests, default 2,000) in a scratch
directory, then for each --web PROCESSESxTHREADS starts the product as scripts/run does on the
embedded default (`gunicorn sellerdesk.wsgi -w 1 --threads 4`, scripts/run's WEB_THREADS default)
plus one `manage.py worker` (the task worker, sweeper and event dispatcher, which write to the same
file), with the SQLite settings of sellerdesk/settings.py (transaction_mode IMMEDIATE, timeout 30,
WAL, a new connection per request). The second phase by default, 4 processes × 4 threads, puts up
to 16 requests inside SQLite at once. The per-user rate limits are off (SELLERDESK_RATE_*=0): they
would answer 429 long before SQLite is busy.

Each phase:
  1. floor: --writers threads GET /api/v1/health (no work beyond `SELECT 1` and two indexed reads)
     for --floor-seconds, one keep-alive connection each: the machine's requests/s and latency
     for this server and client;
  2. writers: --writers threads, half buyers and half merchants, each with its own Bearer token
     (POST /api/v1/auth/token) and its own open after-sale, POST /api/v1/aftersales/{id}/messages
     with JSON {"body": "..."} back to back for --seconds.

Every response is counted by status and error code. The run fails (exit 1) if any answer is a 5xx,
if any body or any gunicorn / worker log line mentions "database is locked", or if the number of
message entries written differs from the number of 201 answers. It prints throughput and
p50/p95/p99 of both, side by side, with the load average. Nothing outside 127.0.0.1 is touched;
the scratch directory and every process started are removed at the end.
"""

import argparse
import collections
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from list_latency import children, cpu_seconds, free_port, stop, wait_ready  # noqa: E402

PASSWORD = "sellerdesk-bench"
LOCKED = "database is locked"


def env_for(db_url: str, scratch: Path) -> dict:
    # DEBUG=0 and an ALLOWED_HOSTS for 127.0.0.1; the demo data is not loaded (the seeder's is used).
    # Rate limits off; the login throttle only counts failures.
    return dict(
        os.environ,
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="sellerdesk.settings",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        SELLERDESK_FILES_DIR=str(scratch / "files"),
        SELLERDESK_RATE_MESSAGES="0",
        SELLERDESK_RATE_UPLOADS="0",
        SELLERDESK_RATE_OFFERS="0",
        PYTHONUNBUFFERED="1",
    )


def start(env: dict, port: int, web: str, scratch: Path):
    processes, threads = web.split("x")
    bin_dir = Path(sys.executable).parent
    glog = open(scratch / f"gunicorn-{web}.log", "w+")
    wlog = open(scratch / f"worker-{web}.log", "w+")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "-v0"],
        cwd=common.ROOT,
        env=env,
        stdout=wlog,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "sellerdesk.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            processes,
            "--threads",
            threads,
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=common.ROOT,
        env=env,
        stdout=glog,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return web, worker, glog, wlog


def _timed(conn, method, path, body=None, headers=None):
    """(seconds, status, body) of one request on a kept-alive connection."""
    started = time.perf_counter()
    conn.request(method, path, body=body, headers={"Accept": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    if response.getheader("Connection", "").lower() == "close":
        conn.close()
    return elapsed, response.status, data


def post_json(conn, path, payload, token=None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    return _timed(conn, "POST", path, json.dumps(payload).encode(), headers)


def get(conn, path):
    return _timed(conn, "GET", path)


def writers_plan(n: int):
    """n (username, after-sale id) pairs: half buyers, half merchants, each on its own open request."""
    from sellerdesk.aftersales.models import AfterSale

    open_statuses = [
        "awaiting_merchant",
        "merchant_rejected",
        "dispute_awaiting_evidence",
        "dispute_platform_review",
        "awaiting_return",
    ]
    rows = list(
        AfterSale.objects.filter(status__in=open_statuses)
        .order_by("id")
        .values_list("id", "buyer__username", "shop_id")
    )
    plan, buyers, shops = [], set(), set()
    from sellerdesk.identity.models import User

    for aftersale_id, buyer, shop_id in rows:
        if len(plan) >= n:
            break
        if len(plan) % 2 == 0 and buyer not in buyers:
            buyers.add(buyer)
            plan.append((buyer, aftersale_id))
        elif len(plan) % 2 == 1 and shop_id not in shops:
            shops.add(shop_id)
            merchant = User.objects.filter(role="merchant", shops__id=shop_id).values_list("username", flat=True)[0]
            plan.append((merchant, aftersale_id))
    if len(plan) < n:
        raise SystemExit(f"only {len(plan)} distinct writers found: seed more requests (--aftersales)")
    return plan


def hammer(port, seconds, work, threads):
    """Run work(conn, i) -> (elapsed, status, body) in `threads` threads until `seconds` pass."""
    results = [[] for _ in range(threads)]
    stop_at = [0.0]
    barrier = threading.Barrier(threads + 1)

    def loop(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        while time.monotonic() < stop_at[0]:
            try:
                results[i].append(work(conn, i))
            except (OSError, http.client.HTTPException) as exc:
                results[i].append((0.0, 0, repr(exc).encode()))
                conn.close()
        conn.close()

    pool = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    stop_at[0] = time.monotonic() + seconds
    started = time.monotonic()
    barrier.wait()
    for t in pool:
        t.join()
    return [r for rs in results for r in rs], time.monotonic() - started


def tally(results):
    counts = collections.Counter()
    locked, server_errors = [], []
    for _, status, body in results:
        code = ""
        try:
            code = json.loads(body).get("error", {}).get("code", "") if status >= 400 else ""
        except (ValueError, AttributeError):
            code = "non-json" if status else body.decode(errors="replace")[:60]
        counts[(status, code)] += 1
        if LOCKED.encode() in body:
            locked.append((status, body[:300]))
        degraded = status == 503 and b'"degraded"' in body  # health with a stale part: still answered
        if (status >= 500 and not degraded) or status == 0:
            server_errors.append((status, body[:300]))
    return counts, locked, server_errors


def figures(results, wall):
    ok = sorted(e for e, s, b in results if 200 <= s < 300 or (s == 503 and b'"degraded"' in b))
    every = sorted(e for e, _, _ in results)
    ms = lambda v, p: common.percentile(v, p) * 1000  # noqa: E731
    return {
        "n": len(results),
        "ok": len(ok),
        "per_s": len(ok) / wall if wall else 0.0,
        "p50": ms(every, 50),
        "p95": ms(every, 95),
        "p99": ms(every, 99),
        "max": every[-1] * 1000 if every else 0,
    }


def process_cpu(pids):
    return sum(cpu_seconds(p) for p in pids)


def phase(args, db_url, scratch, web, plan, tokens_cache):
    from django.db import connection

    from sellerdesk.aftersales.models import HistoryEntry

    env = env_for(db_url, scratch)
    port = free_port()
    out = {"web": web}
    web, worker, glog, wlog = start(env, port, web, scratch)
    try:
        wait_ready(port, web)
        # Tokens through the API, as a client gets them.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        tokens = []
        for username, _ in plan:
            _, status, body = post_json(conn, "/api/v1/auth/token", {"username": username, "password": PASSWORD})
            if status != 200 and status != 201:
                raise SystemExit(f"POST /api/v1/auth/token for {username}: {status} {body[:200]!r}")
            tokens.append(json.loads(body)["token"])
        tokens_cache.extend(tokens)
        # Warm-up: each writer once, every gunicorn worker imports and connects.
        for (username, aftersale_id), token in zip(plan, tokens):
            _, status, body = post_json(conn, f"/api/v1/aftersales/{aftersale_id}/messages", {"body": "warm-up"}, token)
            if status != 201:
                raise SystemExit(f"warm-up message by {username} on {aftersale_id}: {status} {body[:300]!r}")
        conn.close()
        for _ in range(200):
            get(http.client.HTTPConnection("127.0.0.1", port, timeout=10), "/api/v1/health")

        pids = [web.pid, *children(web.pid), worker.pid]
        load0 = os.getloadavg()[0]
        cpu0 = process_cpu(pids)
        floor, floor_wall = hammer(port, args.floor_seconds, lambda c, i: get(c, "/api/v1/health"), args.writers)
        out["floor"] = figures(floor, floor_wall)
        out["floor"]["counts"], out["floor"]["locked"], out["floor"]["errors"] = tally(floor)
        out["floor"]["cpu_ms"] = (process_cpu(pids) - cpu0) * 1000 / max(len(floor), 1)

        connection.close()
        before = HistoryEntry.objects.filter(kind="message").count()
        cpu0 = process_cpu(pids)
        seq = [0] * args.writers

        def write(c, i):
            seq[i] += 1
            return post_json(
                c,
                f"/api/v1/aftersales/{plan[i][1]}/messages",
                {"body": f"bench writer {i} message {seq[i]}"},
                tokens[i],
            )

        written, wall = hammer(port, args.seconds, write, args.writers)
        out["writers"] = figures(written, wall)
        out["writers"]["cpu_ms"] = (process_cpu(pids) - cpu0) * 1000 / max(len(written), 1)
        counts, locked, errors = tally(written)
        out["writers"].update(counts=counts, locked=locked, errors=errors)
        time.sleep(1)
        connection.close()
        out["rows_written"] = HistoryEntry.objects.filter(kind="message").count() - before
        out["created"] = counts.get((201, ""), 0)
        out["load"] = (load0, os.getloadavg()[0])
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        stop(web)
        logs = {}
        for name, log in (("gunicorn", glog), ("worker", wlog)):
            log.seek(0)
            logs[name] = log.read()
            log.close()
        out["log_locked"] = {
            name: [line for line in text.splitlines() if LOCKED in line] for name, text in logs.items()
        }
        # health's 503 before the worker's first heartbeat is logged as an ERROR by Django: not a failure
        out["log_errors"] = {
            name: [
                line
                for line in text.splitlines()
                if ("Traceback" in line or "ERROR" in line) and "Service Unavailable: /api/v1/health" not in line
            ]
            for name, text in logs.items()
        }
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--floor-seconds", type=float, default=10)
    parser.add_argument(
        "--web",
        nargs="+",
        default=["1x4", "4x4"],
        metavar="PROCESSESxTHREADS",
        help="gunicorn -w and --threads per phase (default 1x4, scripts/run's, then 4x4)",
    )
    parser.add_argument("--aftersales", type=int, default=2000, help="requests seeded into the SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (database, logs)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not (
        2 <= args.writers <= 100
        and 1 <= args.seconds <= 600
        and all(re.fullmatch(r"([1-9]|1[0-6])x([1-9]|[1-5][0-9]|6[0-4])", w) for w in args.web)
    ):
        raise SystemExit("keep --writers 2..100, --seconds ≤ 600, --web PxT with P ≤ 16, T ≤ 64")

    scratch = Path(tempfile.mkdtemp(prefix="sd_bench_sqlite_writers_"))
    db_url = f"sqlite:///{scratch / 'sd_bench_writers.sqlite3'}"
    failed = False
    try:
        seed = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("seed_postgres.py")),
                "--database",
                db_url,
                "--aftersales",
                str(args.aftersales),
            ],
            capture_output=True,
            text=True,
        )
        if seed.returncode:
            raise SystemExit(f"seeding failed:\n{seed.stdout[-2000:]}\n{seed.stderr[-2000:]}")
        print(seed.stdout.strip().splitlines()[-1])
        os.environ["SELLERDESK_FILES_DIR"] = str(scratch / "files")
        common.setup_django(db_url)
        plan = writers_plan(args.writers)
        print(
            f"{args.writers} writers: {sum(1 for u, _ in plan if 'buyer' in u)} buyers, "
            f"{sum(1 for u, _ in plan if 'merchant' in u)} merchants, each on its own open after-sale; "
            f"{os.cpu_count()} CPUs"
        )
        phases = []
        for web in args.web:
            tokens = []
            result = phase(args, db_url, scratch, web, plan, tokens)
            phases.append(result)
            f, w = result["floor"], result["writers"]
            print(
                f"\n=== gunicorn -w {web.split('x')[0]} --threads {web.split('x')[1]} + 1 worker, {args.writers} concurrent clients, "
                f"load {result['load'][0]:.2f} -> {result['load'][1]:.2f}"
            )
            print(f"{'':34} {'n':>6} {'ok/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'cpu ms/req':>10}")
            for label, r in (("floor: GET /api/v1/health", f), ("writers: POST …/messages (JSON)", w)):
                print(
                    f"{label:34} {r['n']:>6} {r['per_s']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
                    f"{r['max']:>8.1f} {r['cpu_ms']:>10.1f}"
                )
            print(
                f"writers vs floor: throughput {w['per_s'] / f['per_s']:.3f} of the floor, "
                f"p50 ×{w['p50'] / f['p50']:.2f}, p99 ×{w['p99'] / f['p99']:.2f}"
            )
            print(
                "writers' answers by status and code: "
                + ", ".join(f"{s} {c or '-'}: {n}" for (s, c), n in sorted(w["counts"].items()))
            )
            print(f"message entries written {result['rows_written']}, 201 answers {result['created']}")
            problems = []
            if w["locked"] or f["locked"]:
                problems.append(
                    f"'{LOCKED}' in {len(w['locked']) + len(f['locked'])} answers: {(w['locked'] + f['locked'])[:3]}"
                )
            if w["errors"] or f["errors"]:
                problems.append(
                    f"{len(w['errors']) + len(f['errors'])} 5xx or failed answers: {(w['errors'] + f['errors'])[:3]}"
                )
            for name, lines in result["log_locked"].items():
                if lines:
                    problems.append(f"'{LOCKED}' in the {name} log ({len(lines)} lines): {lines[:3]}")
            for name, lines in result["log_errors"].items():
                if lines:
                    problems.append(f"errors in the {name} log ({len(lines)} lines): {lines[:3]}")
            if result["rows_written"] != result["created"]:
                problems.append(f"{result['rows_written']} entries written for {result['created']} 201 answers")
            if problems:
                failed = True
                print("FAILED:\n  " + "\n  ".join(problems))
            else:
                print(f"OK: no 5xx, no '{LOCKED}' in any answer or log, one entry per 201")
        if args.json:
            for p in phases:
                for side in ("floor", "writers"):
                    p[side]["counts"] = {f"{s} {c}".strip(): n for (s, c), n in p[side]["counts"].items()}
            Path(args.json).write_text(json.dumps(phases, indent=2, default=str))
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
