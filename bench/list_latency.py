"""Latency of the merchant workbench API through real HTTP, on the bench database.

    .venv/bin/python bench/list_latency.py --database sellerdesk_bench

Starts the real app (`gunicorn sellerdesk.wsgi -w 2`, DEBUG=0) on a free port of 127.0.0.1,
issues Bearer tokens for a random sample of merchants, and times, one request at a time from one
client (latency, not throughput), each of the following. Beside the latencies it reports the CPU
time gunicorn and the PostgreSQL backends spent per request (from /proc), and the load average,
so that a run on a busy machine can be told apart from a slow endpoint:

  list quick=disputes_pending   GET /api/v1/aftersales?quick=disputes_pending&limit=20   (the target)
  list (default ordering)       GET /api/v1/aftersales?limit=20 (ordering=-created_at, the default)
  list ordering=due_at / -amount_fen   the same, sorted by 截止时间 (soonest first) / 申请金额
  list status=awaiting_evidence GET /api/v1/aftersales?status=dispute_awaiting_evidence&limit=20
  list page 2 (cursor)          GET /api/v1/aftersales?limit=20&cursor=<next_cursor of page 1>
  detail                        GET /api/v1/aftersales/{id}
  history                       GET /api/v1/aftersales/{id}/history
  disputes_pending, 10 largest shops   the target query for the merchants of the biggest shops
  disputes_pending, shops of 200-400   the same for 10 shops of that size (at 10k, the largest ones)
  search by order no.           GET /api/v1/aftersales?q=<an order no. of the merchant's shop>&limit=20
  search q=order no. prefix     q=<its first 8 characters>: BO + year + month, a month of orders
  search by buyer nickname      q=<the nickname of a buyer of the shop> (shared by ~100 buyers at 1M)
  search by buyer shown name    q=买家NNNN, a buyer without a nickname as the list names them
  query page (HTML)             GET /workbench/aftersales/ (售后单查询页 with 共 N 条, session cookie)
  query page (HTML), q=prefix   the same page searching the order-no. prefix (its count included)
  CS list (default ordering)    GET /api/v1/aftersales?limit=20 as CS (every request with a dispute)
  CS list status=platform_review GET /api/v1/aftersales?status=dispute_platform_review&limit=20, as CS
  CS list status=closed         the same for disputes that ended (closed): older, further down the list
  CS list status=closed ordering=-amount_fen, status=refunded ordering=due_at   one status, sorted
  CS list q=order no. prefix    GET /api/v1/aftersales?q=<the newest dispute's order-no. prefix>, as CS
  CS list q=prefix, older month the same with the month of a dispute a third of the way from the oldest
  CS queue API, page 1 / page 2 GET /cs/queue?limit=20[&cursor=<next_cursor>]
  CS queue page, page 1 / 2     GET /cs/[?cursor=…] (HTML, 50 rows, session cookie)
  health                        GET /api/v1/health: the machine's floor for one request, same run

--database takes a PostgreSQL database name or a SQLite file (sqlite:///path.sqlite3, the
embedded default's settings: a new connection per request, WAL).

Requests go round-robin over the sampled merchants in a shuffled order, after a warm-up. Time is
measured from sending the request to having read the whole body. Every answer must be 200, or the
run stops. Load stays on 127.0.0.1 and is bounded by --requests and --max-seconds; gunicorn is
stopped at the end, and the tokens this run issued are deleted.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TARGET_P99_MS = 20.0
TOKEN_NAME = "bench-latency"
# The prefix search: an order number's first 8 characters, BO + year + month (a month of orders).
PREFIX_CHARS = 8
SHOP_BAND = (200, 400)  # requests per shop: the 10k seed's largest shops, a middle size at 1M


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database: str, port: int, workers: int, log, niceness: int = 0):
    env = dict(
        os.environ,
        DATABASE_URL=common.database_url(database),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [str(gunicorn), "sellerdesk.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
        cwd=common.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=(lambda: os.nice(niceness)) if niceness else None,
    )


def stop(proc) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; its workers go with it
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Client:
    """One HTTP/1.1 connection to 127.0.0.1; http.client reopens it if the server closes it."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str, token: str) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        if token.startswith("cookie:"):  # a page: the session cookie of a logged-in user
            headers = {"Cookie": token.removeprefix("cookie:"), "Accept": "text/html"}
        else:
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return elapsed, response.status, body


def wait_ready(port: int, proc, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up; see its log above")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port} within {seconds:.0f} s")


def prepare(sample_size: int, seed: int):
    """Tokens for a random sample of merchants and for the 10 largest shops' merchants, plus a
    request id of each merchant's shop to read in detail (a pending dispute where there is one)."""
    from django.db.models import Count

    from sellerdesk.aftersales import names
    from sellerdesk.aftersales.models import AfterSale
    from sellerdesk.identity.models import ApiToken, User

    merchants = list(User.objects.filter(role="merchant").prefetch_related("shops").order_by("id"))
    if len(merchants) < sample_size:
        raise SystemExit(
            f"only {len(merchants)} merchants: seed the database with bench/seed_postgres.py first "
            "(or pass --merchants)"
        )
    rng = random.Random(seed)
    sample = rng.sample(merchants, sample_size)
    sizes = {r["shop_id"]: r["n"] for r in AfterSale.objects.values("shop_id").annotate(n=Count("id"))}
    pending = {
        r["shop_id"]: r["n"]
        for r in AfterSale.objects.filter(status="dispute_awaiting_evidence").values("shop_id").annotate(n=Count("id"))
    }
    by_size = sorted(merchants, key=lambda m: -sizes.get(m.shops.all()[0].id, 0))[:10]
    # Shops of one size band whatever the table holds (at 10k they are the largest): does the list
    # of a shop of a given size slow down as the table grows, apart from the shop itself?
    band = [m for m in merchants if SHOP_BAND[0] <= sizes.get(m.shops.all()[0].id, 0) <= SHOP_BAND[1]]
    band = rng.sample(band, min(10, len(band)))

    def entry(user, group="sample"):
        shop_id = user.shops.all()[0].id
        _, raw = ApiToken.issue(user, name=TOKEN_NAME)
        aftersale_id = (
            AfterSale.objects.filter(shop_id=shop_id, status="dispute_awaiting_evidence")
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or AfterSale.objects.filter(shop_id=shop_id).order_by("-id").values_list("id", flat=True)[0]
        )
        # An order some way down the shop's list, so the search is not answered by the first page.
        in_shop = AfterSale.objects.filter(shop_id=shop_id).order_by("id")
        down = sizes.get(shop_id, 1) // 3
        order_no = in_shop.values_list("order__order_no", flat=True)[down]
        # Buyers of the shop as the list names them: one with a nickname, one without (买家NNNN).
        named = in_shop.exclude(buyer__first_name="").values_list("buyer__first_name", flat=True)[down // 2 :][:1]
        unnamed = in_shop.filter(buyer__first_name="").values_list("buyer_id", flat=True)[down // 2 :][:1]
        return {
            "user": user.username,
            "group": group,
            "shop_id": shop_id,
            "token": raw,
            "aftersale_id": aftersale_id,
            "size": sizes.get(shop_id, 0),
            "pending": pending.get(shop_id, 0),
            "order_no": order_no,
            "prefix": order_no[:PREFIX_CHARS],
            "nickname": named[0] if named else "",
            "shown_name": names.buyer_label("", unnamed[0]) if unnamed else "",
            "cookie": session_cookie(user),
        }

    cs_users = list(User.objects.filter(role="cs").order_by("id"))
    disputed = AfterSale.objects.filter(dispute__isnull=False).order_by("-id").values_list("order__order_no", flat=True)
    # The newest dispute's month (its matches head CS's list) and the month of a dispute a third of
    # the way from the oldest (matches further down: the page reads every newer dispute first).
    cs_prefix = disputed[0][:PREFIX_CHARS]
    cs_old_prefix = disputed[disputed.count() * 2 // 3][:PREFIX_CHARS]
    cs = [
        {
            "user": u.username,
            "token": ApiToken.issue(u, name=TOKEN_NAME)[1],
            "cookie": session_cookie(u),
            "prefix": cs_prefix,
            "old_prefix": cs_old_prefix,
        }
        for u in cs_users
    ]
    # `largest` holds the 10 largest shops' merchants (group "largest") and the band's ("band").
    return [entry(u) for u in sample], [entry(u, "largest") for u in by_size] + [entry(u, "band") for u in band], cs


def session_cookie(user) -> str:
    """A real session for `user` in the bench database, as the log-in page would leave it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return "cookie:" + f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def delete_sessions(cookies) -> None:
    from django.contrib.sessions.models import Session

    keys = [c.rsplit("=", 1)[1] for c in cookies]
    Session.objects.filter(session_key__in=keys).delete()


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
    return out


class ServerCpu:
    """CPU time used by gunicorn (master + workers) and by the PostgreSQL backends serving the
    bench database: the service time of a request, whatever else the machine is running."""

    def __init__(self, server_pids: list[int], database: str):
        self.server_pids, self.database = server_pids, database

    def app_pids(self) -> list[int]:
        return [q for p in self.server_pids for q in (p, *children(p))]

    def pids(self) -> tuple[list[int], list[int]]:
        from django.db import connection

        if connection.vendor != "postgresql":  # SQLite: the database work is inside gunicorn
            return self.app_pids(), []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
            )
            backends = [row[0] for row in cursor.fetchall()]
        return self.app_pids(), backends

    def snapshot(self) -> dict:
        app, db = self.pids()
        return {"app": {p: cpu_seconds(p) for p in app}, "db": {p: cpu_seconds(p) for p in db}}

    @staticmethod
    def delta(before: dict, after: dict) -> dict:
        return {side: sum(v - before[side].get(p, 0.0) for p, v in after[side].items()) for side in ("app", "db")}


def as_page(m):
    """The same person through the pages: their session cookie instead of the Bearer token."""
    return {**m, "token": m["cookie"]}


def scenarios(sample, largest, cs, cursors, queue_cursor, n, other):
    """(name, people, path of a person, count) of every timed endpoint, in the order they run;
    list_pair.py times the same ones. `cursors` (user -> page 2 cursor) and `queue_cursor` ("next")
    are read when a path is made, after the warm-up has filled them."""
    q = lambda term: quote(term, safe="")  # noqa: E731
    api = "/api/v1/aftersales?"
    named = [m for m in sample if m.get("nickname")]
    unnamed = [m for m in sample if m.get("shown_name")]
    return [
        ("list quick=disputes_pending", sample, lambda m: api + "quick=disputes_pending&limit=20", n),
        ("list (default ordering=-created_at)", sample, lambda m: api + "limit=20", other),
        ("list ordering=due_at", sample, lambda m: api + "ordering=due_at&limit=20", other),
        ("list ordering=-amount_fen", sample, lambda m: api + "ordering=-amount_fen&limit=20", other),
        (
            "list status=dispute_awaiting_evidence",
            sample,
            lambda m: api + "status=dispute_awaiting_evidence&limit=20",
            other,
        ),
        (
            "list page 2 (cursor)",
            [m for m in sample if cursors.get(m["user"])],
            lambda m: f"{api}limit=20&cursor={cursors[m['user']]}",
            other,
        ),
        ("detail", sample, lambda m: f"/api/v1/aftersales/{m['aftersale_id']}", other),
        ("history", sample, lambda m: f"/api/v1/aftersales/{m['aftersale_id']}/history", other),
        (
            "quick=disputes_pending, 10 largest shops",
            [m for m in largest if m["group"] == "largest"],
            lambda m: api + "quick=disputes_pending&limit=20",
            max(n // 4, 1),
        ),
        (
            f"quick=disputes_pending, shops of {SHOP_BAND[0]}-{SHOP_BAND[1]} requests",
            [m for m in largest if m["group"] == "band"],
            lambda m: api + "quick=disputes_pending&limit=20",
            max(n // 4, 1),
        ),
        ("search by order no.", sample, lambda m: f"{api}q={q(m['order_no'])}&limit=20", other),
        ("search q=order no. prefix (8 chars)", sample, lambda m: f"{api}q={q(m['prefix'])}&limit=20", other),
        ("search by buyer nickname", named, lambda m: f"{api}q={q(m['nickname'])}&limit=20", other),
        ("search by buyer shown name (买家NNNN)", unnamed, lambda m: f"{api}q={q(m['shown_name'])}&limit=20", other),
        ("query page (HTML)", [as_page(m) for m in sample], lambda m: "/workbench/aftersales/", other),
        (
            "query page (HTML), q=order no. prefix",
            [as_page(m) for m in sample],
            lambda m: f"/workbench/aftersales/?q={q(m['prefix'])}",
            other,
        ),
        ("CS list (default ordering)", cs, lambda m: api + "limit=20", other),
        (
            "CS list status=dispute_platform_review",
            cs,
            lambda m: api + "status=dispute_platform_review&limit=20",
            other,
        ),
        ("CS list status=closed (ended disputes)", cs, lambda m: api + "status=closed&limit=20", other),
        (
            "CS list status=closed ordering=-amount_fen",
            cs,
            lambda m: api + "status=closed&ordering=-amount_fen&limit=20",
            other,
        ),
        (
            "CS list status=refunded ordering=due_at",
            cs,
            lambda m: api + "status=refunded&ordering=due_at&limit=20",
            other,
        ),
        ("CS list q=order no. prefix", cs, lambda m: f"{api}q={q(m['prefix'])}&limit=20", other),
        ("CS list q=prefix of an older month", cs, lambda m: f"{api}q={q(m['old_prefix'])}&limit=20", other),
        ("CS queue API, page 1", cs, lambda m: "/api/v1/cs/queue?limit=20", other),
        (
            "CS queue API, page 2 (cursor)",
            cs,
            lambda m: f"/api/v1/cs/queue?limit=20&cursor={queue_cursor['next']}",
            other,
        ),
        ("CS queue page (HTML), page 1", [as_page(m) for m in cs], lambda m: "/cs/", other),
        (
            "CS queue page (HTML), page 2",
            [as_page(m) for m in cs],
            lambda m: f"/cs/?cursor={queue_cursor['next']}",
            other,
        ),
        ("health (the floor: GET /api/v1/health)", cs, lambda m: "/api/v1/health", other),
    ]


def run_scenario(client, name, merchants, make_path, count, deadline, rng, results, check=None, cpu=None):
    order = [merchants[i % len(merchants)] for i in range(count)]
    rng.shuffle(order)
    times = []
    load_before = os.getloadavg()[0]
    cpu_before = cpu.snapshot() if cpu else None
    for m in order:
        if time.monotonic() > deadline:
            print(f"  {name}: stopped at the --max-seconds bound after {len(times)} requests")
            break
        elapsed, status, body = client.get(make_path(m), m["token"])
        # The floor: health answers 503 "degraded" when no worker runs (none does here); same work.
        if status != 200 and not (status == 503 and make_path(m) == "/api/v1/health"):
            raise SystemExit(f"{name}: {make_path(m)} answered {status}: {body[:300]!r}")
        if check is not None:
            check(m, body)
        times.append(elapsed)
    results[name] = common.summary_ms(times)
    results[name]["load"] = max(load_before, os.getloadavg()[0])
    if cpu and times:
        used = ServerCpu.delta(cpu_before, cpu.snapshot())
        results[name]["app_cpu_ms"] = used["app"] * 1000 / len(times)
        results[name]["db_cpu_ms"] = used["db"] * 1000 / len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    parser.add_argument("--requests", type=int, default=2000, help="timed requests of the target list")
    parser.add_argument("--other-requests", type=int, default=1000, help="timed requests of each other endpoint")
    parser.add_argument("--merchants", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=600, help="stop timing after this long")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run gunicorn and this client at this niceness (e.g. -10, needs root) to "
        "approximate a dedicated app server on a shared machine; PostgreSQL is left as is",
    )
    parser.add_argument(
        "--server",
        type=int,
        metavar="PORT",
        help="time a server already running on 127.0.0.1:PORT against --database (e.g. "
        "scripts/serve) instead of starting gunicorn -w --workers",
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        nargs="*",
        metavar="PID",
        help="with --server: the gunicorn master's pid (its workers are found), for app cpu",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not (1 <= args.requests <= 20_000 and 0 <= args.other_requests <= 20_000 and 1 <= args.workers <= 8):
        raise SystemExit("keep --requests/--other-requests ≤ 20000 and --workers ≤ 8")

    if not -20 <= args.nice <= 19:
        raise SystemExit("--nice must be between -20 and 19")
    if args.nice:
        os.nice(args.nice)
    common.setup_django(args.database)
    from sellerdesk.identity.models import ApiToken

    sample, largest, cs = prepare(args.merchants, args.seed)
    top = [m for m in largest if m["group"] == "largest"]
    if not cs:
        raise SystemExit("no CS users: seed the database with bench/seed_postgres.py first")
    print(
        f"{len(sample)} sampled merchants: shop sizes {min(m['size'] for m in sample)}-"
        f"{max(m['size'] for m in sample)} requests, {sum(m['pending'] for m in sample)} disputes awaiting "
        f"evidence in all; 10 largest shops: {min(m['size'] for m in top)}-{max(m['size'] for m in top)} "
        f"requests"
    )

    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
    if args.server:  # a server already running on this database (e.g. scripts/serve); not stopped here
        port, proc = args.server, None
        server_pids = list(args.server_pid or [])
    else:
        port = free_port()
        proc = start_gunicorn(args.database, port, args.workers, log, args.nice)
        server_pids = [proc.pid]
    results: dict[str, dict] = {}
    rng = random.Random(args.seed)
    try:
        if proc is not None:
            wait_ready(port, proc)
        client = Client(port)
        cursors = {}

        def keep_cursor(m, body):
            cursors[m["user"]] = json.loads(body)["next_cursor"]

        seen = {"quick": 0, "search": 0}

        def count_quick(m, body):
            seen["quick"] += len(json.loads(body)["items"])

        def count_search(m, body):
            seen["search"] += len(json.loads(body)["items"])

        queue_cursor = {}

        def keep_queue_cursor(m, body):
            queue_cursor["next"] = json.loads(body)["next_cursor"]

        # Warm-up: every merchant once per endpoint (both workers import, connect, fill caches).
        warm_deadline = time.monotonic() + 120
        for group in (sample, largest):
            run_scenario(
                client,
                "warm-up",
                group,
                lambda m: "/api/v1/aftersales?limit=20",
                len(group),
                warm_deadline,
                rng,
                {},
                keep_cursor,
            )
        for path in (
            "/api/v1/aftersales?quick=disputes_pending&limit=20",
            "/api/v1/aftersales/{id}",
            "/api/v1/aftersales/{id}/history",
        ):
            run_scenario(
                client,
                "warm-up",
                sample + largest,
                lambda m, p=path: p.format(id=m["aftersale_id"]),
                max(args.warmup // 3, len(sample) + len(largest)),
                warm_deadline,
                rng,
                {},
            )
        run_scenario(
            client,
            "warm-up",
            cs,
            lambda m: "/api/v1/cs/queue?limit=20",
            len(cs) * 5,
            warm_deadline,
            rng,
            {},
            keep_queue_cursor,
        )
        run_scenario(client, "warm-up", [as_page(m) for m in cs], lambda m: "/cs/", len(cs) * 3, warm_deadline, rng, {})
        run_scenario(
            client,
            "warm-up",
            [as_page(m) for m in sample],
            lambda m: "/workbench/aftersales/",
            len(sample),
            warm_deadline,
            rng,
            {},
        )
        if not queue_cursor.get("next"):
            raise SystemExit("the CS queue has a single page: seed more requests")
        for _name, group, make_path, _count in scenarios(sample, largest, cs, cursors, queue_cursor, 1, 1):
            if group:  # every timed endpoint a few times (the sorts' and searches' indexes, cold otherwise)
                run_scenario(client, "warm-up", group, make_path, min(len(group), 20), warm_deadline, rng, {})

        cpu = ServerCpu(server_pids, args.database)
        deadline = time.monotonic() + args.max_seconds
        checks = {"list quick=disputes_pending": count_quick, "search by order no.": count_search}
        timed = scenarios(sample, largest, cs, cursors, queue_cursor, args.requests, args.other_requests)
        started = time.monotonic()
        for name, group, make_path, count in timed:
            if count and group:
                run_scenario(client, name, group, make_path, count, deadline, rng, results, checks.get(name), cpu)
        wall = time.monotonic() - started
    finally:
        if proc is not None:
            stop(proc)
        ApiToken.objects.filter(name=TOKEN_NAME).delete()
        delete_sessions([m["cookie"] for m in sample + largest + cs])
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Traceback" in line or "ERROR" in line]
        log.close()
        os.unlink(log.name)
        if errors:
            print("gunicorn logged errors:\n  " + "\n  ".join(errors[:10]))

    print(
        f"\n{f'the server on 127.0.0.1:{args.server}' if args.server else f'gunicorn -w {args.workers}'} on 127.0.0.1, one client, sequential requests; {wall:.1f} s timed; "
        f"{os.cpu_count()} CPUs" + (f"; gunicorn and client at nice {args.nice}" if args.nice else "")
    )
    print(
        f"{'endpoint':42} {'n':>5} {'min':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} | {'app cpu':>7} {'db cpu':>7} "
        f"| {'load':>5}"
    )
    for name, r in results.items():
        print(
            f"{name:42} {r['n']:>5} {r['min']:>6.2f} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.2f} | "
            f"{r.get('app_cpu_ms', float('nan')):>7.2f} {r.get('db_cpu_ms', float('nan')):>7.2f} | {r['load']:>5.1f}"
        )
    print(
        "times in ms; app/db cpu = CPU ms per request used by gunicorn and by PostgreSQL backends; "
        "load = 1-min load average (above the CPU count, other work was competing for the CPUs)"
    )
    target = results["list quick=disputes_pending"]
    verdict = "MET" if target["p99"] < TARGET_P99_MS else "MISSED"
    print(
        f"\nquick=disputes_pending returned {seen['quick'] / max(target['n'], 1):.1f} items per page on average; "
        f"the search found {seen['search'] / max(results.get('search by order no.', {}).get('n', 1), 1):.2f} "
        "requests per order no."
    )
    print(
        f"target p99 < {TARGET_P99_MS:.0f} ms for quick=disputes_pending over {len(sample)} merchants: "
        f"{target['p99']:.2f} ms -> {verdict}"
    )
    if args.json:
        from django.db import connection

        from sellerdesk.aftersales.models import AfterSale

        Path(args.json).write_text(
            json.dumps(
                {
                    "results": results,
                    "verdict": verdict,
                    "nice": args.nice,
                    "aftersales": AfterSale.objects.count(),
                    "database": args.database,
                    "vendor": connection.vendor,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
