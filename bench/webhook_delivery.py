"""Benchmark event delivery (webhooks): throughput from a backlog, and lag from commit to delivery.

    .venv/bin/python bench/webhook_delivery.py            # 6-8 min (400 backlog events, lag at 3 and 20/s); --help

Creates its own PostgreSQL database on 127.0.0.1:5432 (sellerdesk_bench_webhooks_<pid>, user
postgres, trust auth), migrates it, writes shops, merchants and webhook endpoints (registered with
`do_register_endpoint`) pointing at a receiver on 127.0.0.1, and drops the database at the end.
Every process it starts (the receiver, the floor loops, the writer, the workers) is its own child
and is stopped at the end, whatever happened.

Processes:
  receiver   an asyncio HTTP/1.1 server on 127.0.0.1 in its own process: answers 200 at once,
             records path (= endpoint), webhook-id, the signature headers, the body and the arrival
             time (time.time()) of every POST /hook/<n>. Nothing else runs in it.
  workers    real `manage.py worker` processes (db_worker + deadline sweeper + the dispatcher
             thread, as deployed), or with --dispatcher-only processes that run only
             `sellerdesk.events.dispatcher.run`. Their settings come from the environment only.
  writer     for the lag phases: commits one event per transaction (emit() inside
             transaction.atomic(), as an action does) at a fixed rate on an absolute schedule, and
             notes time.time() right after each COMMIT returns.
  floor      the machine's own floor, measured in the same run just before each throughput phase
             (and at the end): the very `dispatcher.send()` the workers use (a new httpx.Client per
             POST, signed, no database), from one thread and from a pool of
             SELLERDESK_WEBHOOK_CONCURRENCY threads, and a plain keep-alive httpx loop (the
             receiver's raw capacity).

Phases:
  backlog N  `--events` events over `--aftersales` after-sales (each after-sale belongs to one shop;
             each shop has endpoints_per_shop endpoints) are written before the workers start; N
             workers drain them. deliveries/s = deliveries / (last arrival - first arrival), so
             Django's start-up is not counted (the time from the worker's start is shown too).
             Checked: every delivery arrives exactly once per endpoint (no duplicate webhook-id,
             none missing), every WebhookDelivery is `succeeded`, events of one after-sale arrive
             in id order at each endpoint, and a sample of signatures verifies with
             standardwebhooks.Webhook(secret).verify.
  lag N@R    N workers idle and warm; the writer commits R events/s for --lag-seconds. lag = the
             receiver's arrival time - the writer's time right after COMMIT (both time.time() on this
             machine). The commit time, not the event's created_at: created_at is taken before the
             INSERT and, through sellerdesk.core.clock, truncated to the second, so it would add
             0-1 s of noise; the dispatcher can only see an event once it has committed anyway.

Beside every figure: the 1-minute load average (os.getloadavg) at the start and end of the phase,
the worker processes' CPU ms per delivery (from /proc, independent of the load), and the
PostgreSQL sessions and commits per delivery in this database (pg_stat_database).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TOPICS = ("aftersale.refunded", "dispute.cancelled", "withdrawal.requested")  # no in-app notice: no extra rows
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- helpers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> float:
    return os.getloadavg()[0]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, all its threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def postgres_cpu(postmaster: int) -> float:
    """CPU seconds of the whole PostgreSQL server so far: the postmaster, its live children, and
    (cutime/cstime) the children it has reaped, i.e. the short-lived backends of closed connections.
    Whole server: another database's work would count too (say so beside the figure)."""
    fields = _stat_fields(postmaster)
    if fields is None:
        return float("nan")
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for stat in Path("/proc").glob("[0-9]*/stat"):
        f = _stat_fields(int(stat.parent.name))
        if f and int(f[1]) == postmaster:
            total += int(f[11]) + int(f[12])
    return total / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def pct(values: list[float], p: float) -> float:
    return common.percentile(sorted(values), p)


def child_env(database: str, **extra) -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=common.database_url(database),
        DJANGO_SETTINGS_MODULE="sellerdesk.settings",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def stop_process(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- role: receiver --------------------------------------------------------------------------


def receiver_main(port: int) -> None:
    """A minimal HTTP/1.1 server: 200 with an empty body at once; records every POST /hook/<n>."""
    records: list[dict] = []
    floor_hits = [0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                at = time.time()
                answer = b""
                if method == "POST" and target.startswith("/hook/"):
                    records.append(
                        {
                            "path": target,
                            "id": headers.get("webhook-id"),
                            "at": at,
                            "headers": {
                                k: headers.get(k) for k in ("webhook-id", "webhook-timestamp", "webhook-signature")
                            },
                            "body": body.decode(),
                        }
                    )
                elif target.startswith("/_floor"):
                    floor_hits[0] += 1
                elif method == "GET" and target.startswith("/_records"):
                    since = int(target.partition("since=")[2] or 0)
                    answer = json.dumps(
                        {"records": records[since:], "total": len(records), "floor_hits": floor_hits[0]}
                    ).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                    + str(len(answer)).encode()
                    + b"\r\n\r\n"
                    + answer
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(serve())


def receiver_records(port: int, since: int = 0) -> dict:
    import httpx

    with httpx.Client(timeout=60) as client:
        return client.get(f"http://127.0.0.1:{port}/_records?since={since}").json()


# --- role: floor -----------------------------------------------------------------------------


def floor_main(port: int, seconds: float, threads: int, mode: str) -> None:
    """POST to the receiver for `seconds`: mode `send` runs dispatcher.send (what a worker does
    per delivery, minus the database) from `threads` threads; mode `keepalive` is one plain httpx
    client on one connection. Prints {"n", "seconds", "rps"}."""
    import httpx

    url = f"http://127.0.0.1:{port}/_floor"
    body = json.dumps(
        {
            "id": 1,
            "type": "aftersale.refunded",
            "timestamp": "2026-01-01T00:00:00+00:00",
            "data": {"aftersale_id": 1, "shop_id": 1, "bench": "x" * 40},
        },
        separators=(",", ":"),
    )
    counts = []
    deadline_holder = {}

    if mode == "keepalive":
        with httpx.Client(timeout=10) as client:
            start = time.perf_counter()
            n = 0
            while time.perf_counter() - start < seconds:
                client.post(url, content=body.encode(), headers={"content-type": "application/json"})
                n += 1
            elapsed = time.perf_counter() - start
        print(json.dumps({"n": n, "seconds": elapsed, "rps": n / elapsed}))
        return

    import django

    django.setup()  # settings only: send() reads the timeout and the private-target rule; no database

    from sellerdesk.events import dispatcher
    from sellerdesk.events.webhooks import new_secret

    apply_what_if(dispatcher)

    item = dispatcher.Claimed(
        delivery_id=1, endpoint_id=1, url=url, secrets=(new_secret(),), event_id=1, body=body, attempt=1
    )
    dispatcher.send(item)  # warm: imports, first connection

    def loop():
        n = 0
        while time.perf_counter() < deadline_holder["t"]:
            outcome = dispatcher.send(item)
            if not outcome.ok:
                raise SystemExit(f"floor send failed: {outcome}")
            n += 1
        counts.append(n)

    start = time.perf_counter()
    deadline_holder["t"] = start + seconds
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"n": sum(counts), "seconds": elapsed, "rps": sum(counts) / elapsed}))


# --- role: writer ----------------------------------------------------------------------------


def writer_main(rate: float, seconds: float, plan_file: str, out_file: str) -> None:
    """Commit `rate` events/s for `seconds` (one event per transaction, absolute schedule)."""
    import django

    django.setup()
    from django.db import transaction

    from sellerdesk.events.outbox import emit

    plan = json.loads(Path(plan_file).read_text())  # {"aftersales": [[aftersale_id, shop_id], ...], "seed": n}
    rng = random.Random(plan["seed"])
    aftersales = plan["aftersales"]
    total = int(rate * seconds)
    rows, late = [], []
    start = time.time() + 0.2
    for i in range(total):
        due = start + i / rate
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        else:
            late.append(-wait)
        aftersale_id, shop_id = rng.choice(aftersales)
        with transaction.atomic():
            event = emit(
                TOPICS[i % len(TOPICS)],
                aggregate_type="aftersale",
                aggregate_id=aftersale_id,
                payload={"aftersale_id": aftersale_id, "shop_id": shop_id, "n": i},
            )
        committed = time.time()
        rows.append([event.pk, committed, event.created_at.timestamp()])
    elapsed = time.time() - start
    Path(out_file).write_text(
        json.dumps({"rows": rows, "elapsed": elapsed, "late_max": max(late, default=0.0), "late_n": len(late)})
    )


# --- role: dispatcher only -------------------------------------------------------------------


class _SharedSslHttpx:
    """What-if (bench only, product code untouched): `httpx` as the dispatcher sees it, except that
    every Client reuses one SSL context instead of building one (and parsing the CA bundle) per send."""

    def __init__(self):
        import httpx

        self._httpx = httpx
        self._context = httpx.create_ssl_context()

    def Client(self, *args, **kwargs):  # noqa: N802 - stands in for httpx.Client
        kwargs.setdefault("verify", self._context)
        return self._httpx.Client(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._httpx, name)


def apply_what_if(dispatcher) -> None:
    if os.environ.get("BENCH_WHAT_IF") == "shared-ssl":
        dispatcher.httpx = _SharedSslHttpx()


def dispatch_main() -> None:
    """Only the dispatcher loop, as the worker's thread runs it (no db_worker, no sweeper)."""
    import django

    django.setup()
    from sellerdesk.events import dispatcher

    apply_what_if(dispatcher)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    dispatcher.run(stop)


# --- the bench itself ------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.database = f"sellerdesk_bench_webhooks_{os.getpid()}"
        self.procs: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
        self.port = free_port()
        self.receiver = None
        self.records_seen = 0
        self.secrets: dict[str, str] = {}  # receiver path -> secret
        self.endpoint_path: dict[int, str] = {}  # endpoint id -> receiver path
        self.aftersales: list[tuple[int, int]] = []  # (aftersale id, shop id)
        self.endpoints_of_shop: dict[int, list[int]] = defaultdict(list)
        self.results: list[dict] = []
        self.floors: list[dict] = []
        self.worker_extra_env = {}

    # database ---------------------------------------------------------------------------------
    def create_database(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"],
            cwd=common.ROOT,
            env=child_env(self.database),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"migrate failed:\n{done.stdout}\n{done.stderr}")
        print(f"database {self.database}: created and migrated in {time.monotonic() - started:.1f} s")

    def drop_database(self) -> None:
        import psycopg
        from django.db import connections
        from psycopg import sql

        connections.close_all()
        with psycopg.connect(
            host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.database)))
        print(f"database {self.database}: dropped")

    def seed(self) -> None:
        from datetime import timedelta

        from django.db import transaction
        from seed_postgres import credit_code

        from sellerdesk.core import clock
        from sellerdesk.events.webhooks import do_register_endpoint
        from sellerdesk.identity.models import Role, Shop, Subject, User

        a = self.args
        with transaction.atomic():
            for s in range(1, a.shops + 1):
                subject = Subject.objects.create(
                    kind="enterprise", legal_name=f"压测推送{s:02d}有限公司", id_number=credit_code(90_000 + s)
                )
                shop = Shop.objects.create(name=f"推送店铺{s:02d}", subject=subject)
                merchant = User(username=f"bench_hook_merchant{s:02d}", role=Role.MERCHANT)
                merchant.set_unusable_password()
                merchant.save()
                merchant.shops.add(shop)
                for k in range(a.endpoints_per_shop):
                    path = f"/hook/{shop.id}-{k + 1}"
                    endpoint, secret = do_register_endpoint(
                        acting_user=merchant,
                        url=f"http://127.0.0.1:{self.port}{path}",
                        event_types=["*"],
                        now=clock.now() - timedelta(minutes=1),
                    )
                    self.secrets[path] = secret
                    self.endpoint_path[endpoint.pk] = path
                    self.endpoints_of_shop[shop.id].append(endpoint.pk)
        shop_ids = sorted(self.endpoints_of_shop)
        self.aftersales = [(n, shop_ids[(n - 1) % len(shop_ids)]) for n in range(1, a.aftersales + 1)]
        (self.tmp / "plan.json").write_text(json.dumps({"aftersales": self.aftersales, "seed": a.seed}))
        print(
            f"{a.shops} shops x {a.endpoints_per_shop} endpoints = {len(self.endpoint_path)} endpoints, "
            f"{a.aftersales} after-sales ids; each event goes to the {a.endpoints_per_shop} endpoint(s) of its shop"
        )

    def write_backlog(self, count: int, seed: int) -> tuple[int, int]:
        from django.db import transaction

        from sellerdesk.events.outbox import emit

        rng = random.Random(seed)
        ids = []
        started = time.monotonic()
        for chunk in range(0, count, 100):
            with transaction.atomic():
                for i in range(chunk, min(chunk + 100, count)):
                    aftersale_id, shop_id = rng.choice(self.aftersales)
                    ids.append(
                        emit(
                            TOPICS[i % len(TOPICS)],
                            aggregate_type="aftersale",
                            aggregate_id=aftersale_id,
                            payload={"aftersale_id": aftersale_id, "shop_id": shop_id, "n": i},
                        ).pk
                    )
        print(f"  backlog: {count} events written in {time.monotonic() - started:.1f} s (ids {ids[0]}-{ids[-1]})")
        return ids[0], ids[-1]

    def postmaster(self) -> int:
        from django.db import connection

        if not hasattr(self, "_postmaster"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            fields = _stat_fields(backend)
            self._postmaster = int(fields[1]) if fields else 0
        return self._postmaster

    def pg_stats(self) -> dict:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT sessions, xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s", [self.database]
            )
            sessions, commits, rollbacks = cursor.fetchone()
        return {
            "sessions": sessions,
            "commits": commits,
            "rollbacks": rollbacks,
            "cpu": postgres_cpu(self.postmaster()),
        }

    def succeeded_count(self, lo: int, hi: int) -> int:
        from sellerdesk.events.models import WebhookDelivery

        return WebhookDelivery.objects.filter(event_id__gte=lo, event_id__lte=hi, state="succeeded").count()

    # processes --------------------------------------------------------------------------------
    def spawn(self, argv, env, log_name) -> subprocess.Popen:
        log = open(self.tmp / log_name, "w")
        proc = subprocess.Popen(
            argv, cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc.log_path = self.tmp / log_name
        self.procs.append(proc)
        return proc

    def what_if_env(self) -> dict:
        return {"BENCH_WHAT_IF": self.args.what_if} if self.args.what_if else {}

    def start_receiver(self) -> None:
        proc = subprocess.Popen(
            [sys.executable, __file__, "_receiver", "--port", str(self.port)],
            cwd=common.ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.procs.append(proc)
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("the receiver did not start")
        self.receiver = proc
        print(f"receiver on 127.0.0.1:{self.port} (pid {proc.pid})")

    def start_workers(self, n: int, tag: str) -> list[subprocess.Popen]:
        env = child_env(self.database, **self.worker_extra_env, **self.what_if_env())
        argv = (
            [sys.executable, __file__, "_dispatch"]
            if self.args.dispatcher_only or self.args.what_if
            else [sys.executable, "manage.py", "worker"]
        )
        return [self.spawn(argv, env, f"worker-{tag}-{i}.log") for i in range(n)]

    def stop_workers(self, workers) -> list[str]:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        errors = []
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
            text = w.log_path.read_text()
            if "Traceback" in text or "ERROR" in text or "dispatch round failed" in text:
                errors.append(f"{w.log_path.name}:\n" + "\n".join(text.splitlines()[-30:]))
            self.procs.remove(w)
        return errors

    def floor(self, label: str) -> dict:
        a = self.args
        out = {"label": label, "load": load()}
        concurrency = int(
            self.worker_extra_env.get(
                "SELLERDESK_WEBHOOK_CONCURRENCY", os.environ.get("SELLERDESK_WEBHOOK_CONCURRENCY", "8")
            )
        )
        for key, mode, threads in (
            ("send_1", "send", 1),
            (f"send_{concurrency}", "send", concurrency),
            ("keepalive", "keepalive", 1),
        ):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "_floor",
                    "--port",
                    str(self.port),
                    "--seconds",
                    str(a.floor_seconds),
                    "--threads",
                    str(threads),
                    "--mode",
                    mode,
                ],
                cwd=common.ROOT,
                env=child_env(self.database, **self.worker_extra_env, **self.what_if_env()),
                capture_output=True,
                text=True,
                timeout=a.floor_seconds + 60,
            )
            if done.returncode:
                raise SystemExit(f"floor {mode} failed:\n{done.stdout}\n{done.stderr}")
            out[key] = json.loads(done.stdout.strip().splitlines()[-1])["rps"]
        out["send_pool"] = out[f"send_{concurrency}"]
        out["concurrency"] = concurrency
        out["load_end"] = load()
        self.floors.append(out)
        print(
            f"  floor ({label}): send() 1 thread {out['send_1']:.0f}/s, {concurrency} threads "
            f"{out['send_pool']:.0f}/s, keep-alive loop {out['keepalive']:.0f}/s; load {out['load']:.2f}"
        )
        return out

    # checks -----------------------------------------------------------------------------------
    def collect(self) -> list[dict]:
        got = receiver_records(self.port, self.records_seen)
        records = got["records"]
        self.records_seen += len(records)
        return records

    def check(self, records: list[dict], lo: int, hi: int, result: dict) -> None:
        """Exactly once per endpoint, all succeeded, in order per after-sale, signatures verify."""
        from standardwebhooks import Webhook

        from sellerdesk.events.models import OutboxEvent, WebhookDelivery

        problems = []
        expected = Counter()
        for event in OutboxEvent.objects.filter(pk__gte=lo, pk__lte=hi).values("id", "shop_id"):
            for endpoint_id in self.endpoints_of_shop[event["shop_id"]]:
                expected[self.endpoint_path[endpoint_id]] += 1
        seen = defaultdict(set)
        dupes = 0
        last_of = {}
        out_of_order = 0
        for r in records:
            event_id = int(r["id"])
            if not lo <= event_id <= hi:
                problems.append(f"event {event_id} outside this phase ({lo}-{hi})")
                continue
            if event_id in seen[r["path"]]:
                dupes += 1
            seen[r["path"]].add(event_id)
            key = (r["path"], json.loads(r["body"])["data"]["aftersale_id"])
            if last_of.get(key, 0) > event_id:
                out_of_order += 1
            last_of[key] = max(last_of.get(key, 0), event_id)
        missing = sum(max(0, n - len(seen[p])) for p, n in expected.items())
        deliveries = WebhookDelivery.objects.filter(event_id__gte=lo, event_id__lte=hi)
        states = Counter(deliveries.values_list("state", flat=True))
        retried = deliveries.filter(attempts__gt=1).count()
        undelivered_events = OutboxEvent.objects.filter(pk__gte=lo, pk__lte=hi, delivered_at__isnull=True).count()
        rng = random.Random(self.args.seed)
        sample = rng.sample(records, min(self.args.verify_sample, len(records)))
        bad_signatures = 0
        for r in sample:
            try:
                Webhook(self.secrets[r["path"]]).verify(r["body"], r["headers"])
            except Exception:
                bad_signatures += 1
        if dupes:
            problems.append(f"{dupes} duplicate webhook-id(s) at an endpoint")
        if missing:
            problems.append(f"{missing} delivery(ies) never arrived")
        if out_of_order:
            problems.append(f"{out_of_order} arrival(s) out of id order within an after-sale")
        if set(states) - {"succeeded"}:
            problems.append(f"delivery states {dict(states)}")
        if sum(states.values()) != sum(expected.values()):
            problems.append(f"{sum(states.values())} WebhookDelivery rows, expected {sum(expected.values())}")
        findings = []
        if undelivered_events:  # every delivery succeeded, yet the event is not marked: record()'s race
            findings.append(
                f"{undelivered_events} of {hi - lo + 1} events keep delivered_at NULL although every "
                f"delivery of them succeeded"
            )
        if bad_signatures:
            problems.append(f"{bad_signatures} of {len(sample)} sampled signatures failed to verify")
        result.update(
            expected=sum(expected.values()),
            received=len(records),
            undelivered_events=undelivered_events,
            dupes=dupes,
            missing=missing,
            out_of_order=out_of_order,
            retried=retried,
            verified=len(sample) - bad_signatures,
            sampled=len(sample),
            problems=problems,
            findings=findings,
        )
        verdict = ("OK" if not problems else "PROBLEMS: " + "; ".join(problems)) + "".join(
            f"; product finding: {f}" for f in findings
        )
        print(
            f"  checks: {len(records)} arrivals / {sum(expected.values())} expected, {dupes} duplicates, "
            f"{out_of_order} out of order, {retried} retried, {len(sample) - bad_signatures}/{len(sample)} "
            f"signatures verified -> {verdict}"
        )

    # phases -----------------------------------------------------------------------------------
    def wait_until(self, lo, hi, expected, deadline, on_first=None, workers=()) -> tuple[int, float | None]:
        """Poll the database until `expected` deliveries of events lo..hi succeeded (or the deadline).
        If nothing moves for --stall-seconds while work is left, say what the workers are doing."""
        done, first_at = 0, None
        last_progress, last_done, diagnosed = time.monotonic(), -1, False
        while time.monotonic() < deadline:
            done = self.succeeded_count(lo, hi)
            if done and first_at is None:
                first_at = time.monotonic()
                if on_first:
                    on_first(done)
            if done >= expected:
                break
            if done != last_done:
                last_done, last_progress = done, time.monotonic()
            elif not diagnosed and time.monotonic() - last_progress > self.args.stall_seconds:
                diagnosed = True
                self.diagnose(lo, hi, workers)
            time.sleep(0.25)
        return done, first_at

    def diagnose(self, lo, hi, workers) -> None:
        """No progress: delivery states, this database's sessions, the workers' Python stacks."""
        from django.db import connection

        from sellerdesk.events.models import OutboxEvent, WebhookDelivery

        print(f"  STALL: no delivery succeeded for {self.args.stall_seconds:g} s; diagnosing")
        deliveries = WebhookDelivery.objects.filter(event_id__gte=lo, event_id__lte=hi)
        print(
            f"    delivery states: {dict(Counter(deliveries.values_list('state', flat=True)))}; "
            f"undispatched events: {OutboxEvent.objects.filter(dispatched_at__isnull=True).count()}"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, left(query, 160) "
                "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            for row in cursor.fetchall():
                print(f"    pg {row}")
        for w in workers:
            print(f"    worker {w.pid}: {'alive' if w.poll() is None else f'exited {w.returncode}'}; log tail:")
            print("      " + "\n      ".join(w.log_path.read_text().splitlines()[-15:]))
            if self.args.py_spy and w.poll() is None:
                dump = subprocess.run([self.args.py_spy, "dump", "--pid", str(w.pid)], capture_output=True, text=True)
                print("      " + "\n      ".join((dump.stdout + dump.stderr).splitlines()))

    def expected_deliveries(self, lo: int, hi: int) -> int:
        from sellerdesk.events.models import OutboxEvent

        return sum(
            len(self.endpoints_of_shop[s])
            for s in OutboxEvent.objects.filter(pk__gte=lo, pk__lte=hi).values_list("shop_id", flat=True)
        )

    def backlog_phase(self, workers_n: int, floor: dict) -> dict:
        a = self.args
        name = f"backlog, {workers_n} worker{'s' * (workers_n > 1)}"
        print(f"\n{name}")
        lo, hi = self.write_backlog(a.events, a.seed + workers_n)
        expected = self.expected_deliveries(lo, hi)
        result = {"phase": name, "kind": "backlog", "workers": workers_n, "events": a.events, "load": load()}
        busy0 = machine_busy()
        pg0 = self.pg_stats()
        started = time.monotonic()
        workers = self.start_workers(workers_n, f"backlog{workers_n}")
        marks = {}
        profiler = None
        if a.profile and a.py_spy and workers_n == 1:
            profiler = subprocess.Popen(
                [
                    a.py_spy,
                    "record",
                    "--pid",
                    str(workers[0].pid),
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "--nonblocking",
                    "-o",
                    a.profile,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            self.procs.append(profiler)

        def on_first(done):  # CPU from the first delivery on, so Django's start-up is not counted
            marks["cpu0"] = sum(cpu_seconds(w.pid) for w in workers)
            marks["done0"] = done

        done, _ = self.wait_until(lo, hi, expected, started + a.max_phase_seconds, on_first, workers)
        wall = time.monotonic() - started
        cpu1 = sum(cpu_seconds(w.pid) for w in workers)
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            try:
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()
                profiler.wait()
            self.procs.remove(profiler)
            print(f"  profile of the worker (py-spy, collapsed stacks): {a.profile}")
        errors = self.stop_workers(workers)
        busy1 = machine_busy()
        time.sleep(0.6)  # let the backends flush their statistics
        pg1 = self.pg_stats()
        records = self.collect()
        arrivals = sorted(r["at"] for r in records)
        span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
        per_delivery = max(1, done - marks.get("done0", 0))
        result.update(
            deliveries=len(records),
            done=done,
            wall=wall,
            span=span,
            rate=(len(records) - 1) / span if span else 0,
            rate_from_start=len(records) / wall,
            load_end=load(),
            worker_cpu_ms=(cpu1 - marks.get("cpu0", cpu1)) * 1000 / per_delivery,
            machine_cpu=(busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count(),
            sessions_per=(pg1["sessions"] - pg0["sessions"]) / max(1, len(records)),
            commits_per=(pg1["commits"] - pg0["commits"]) / max(1, len(records)),
            pg_cpu_ms=(pg1["cpu"] - pg0["cpu"]) * 1000 / max(1, len(records)),
            floor=floor,
            worker_errors=errors,
        )
        result["of_floor_send_pool"] = result["rate"] / floor["send_pool"]
        result["of_floor_keepalive"] = result["rate"] / floor["keepalive"]
        print(
            f"  {len(records)} deliveries in {span:.1f} s = {result['rate']:.1f}/s "
            f"({result['of_floor_send_pool']:.1%} of send() x{floor['concurrency']} threads, "
            f"{result['of_floor_keepalive']:.1%} of the keep-alive loop); {result['rate_from_start']:.1f}/s "
            f"from the workers' start; worker CPU {result['worker_cpu_ms']:.1f} ms/delivery; "
            f"{result['sessions_per']:.2f} PG sessions and {result['commits_per']:.2f} commits per delivery; "
            f"PostgreSQL CPU {result['pg_cpu_ms']:.1f} ms/delivery; machine {result['machine_cpu']:.2f} of "
            f"{os.cpu_count()} CPUs busy; load {result['load']:.2f}->{result['load_end']:.2f}"
        )
        for e in errors:
            print("  worker log:\n    " + e.replace("\n", "\n    "))
        self.check(records, lo, hi, result)
        self.results.append(result)
        return result

    def lag_phase(self, workers_n: int, rate: float) -> dict:
        a = self.args
        name = f"lag, {workers_n} worker{'s' * (workers_n > 1)}, {rate:g} events/s"
        print(f"\n{name}")
        workers = self.start_workers(workers_n, f"lag{workers_n}-{rate:g}")
        # Warm-up: one event delivered means every worker has had time to import and connect.
        lo, hi = self.write_backlog(workers_n * 2, a.seed + 1000)
        expected = self.expected_deliveries(lo, hi)
        done, _ = self.wait_until(lo, hi, expected, time.monotonic() + 60, workers=workers)
        if done < expected:
            raise SystemExit(f"{name}: warm-up events not delivered within 60 s")
        time.sleep(1.0)
        self.collect()  # drop the warm-up arrivals
        result = {"phase": name, "kind": "lag", "workers": workers_n, "rate_target": rate, "load": load()}
        out = self.tmp / f"writer-{workers_n}-{rate:g}.json"
        busy0 = machine_busy()
        pg0 = self.pg_stats()
        cpu0 = sum(cpu_seconds(w.pid) for w in workers)
        writer = self.spawn(
            [
                sys.executable,
                __file__,
                "_writer",
                "--rate",
                str(rate),
                "--seconds",
                str(a.lag_seconds),
                "--plan",
                str(self.tmp / "plan.json"),
                "--out",
                str(out),
            ],
            child_env(self.database),
            f"writer-{workers_n}-{rate:g}.log",
        )
        writer.wait(timeout=a.lag_seconds + 120)
        self.procs.remove(writer)
        if writer.returncode:
            raise SystemExit(f"writer failed:\n{writer.log_path.read_text()[-3000:]}")
        written = json.loads(out.read_text())
        rows = written["rows"]
        lo, hi = rows[0][0], rows[-1][0]
        expected = self.expected_deliveries(lo, hi)
        pending_at_end = expected - self.succeeded_count(lo, hi)
        drain_started = time.monotonic()
        done, _ = self.wait_until(lo, hi, expected, drain_started + a.max_drain_seconds, workers=workers)
        drain = time.monotonic() - drain_started
        cpu1 = sum(cpu_seconds(w.pid) for w in workers)
        errors = self.stop_workers(workers)
        busy1 = machine_busy()
        time.sleep(0.6)
        pg1 = self.pg_stats()
        records = self.collect()
        committed = {r[0]: r[1] for r in rows}
        created = {r[0]: r[2] for r in rows}
        lags = [r["at"] - committed[int(r["id"])] for r in records if int(r["id"]) in committed]
        lags_created = [r["at"] - created[int(r["id"])] for r in records if int(r["id"]) in committed]
        result.update(
            events=len(rows),
            writer_rate=len(rows) / written["elapsed"],
            writer_late_max=written["late_max"],
            deliveries=len(records),
            done=done,
            pending_at_writer_end=pending_at_end,
            drain=drain,
            lag_p50=pct(lags, 50),
            lag_p99=pct(lags, 99),
            lag_max=max(lags, default=float("nan")),
            lag_mean=statistics.fmean(lags) if lags else float("nan"),
            lag_created_p50=pct(lags_created, 50),
            lag_created_p99=pct(lags_created, 99),
            load_end=load(),
            worker_cpu_ms=(cpu1 - cpu0) * 1000 / max(1, len(records)),
            machine_cpu=(busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count(),
            sessions_per=(pg1["sessions"] - pg0["sessions"]) / max(1, len(records)),
            commits_per=(pg1["commits"] - pg0["commits"]) / max(1, len(records)),
            pg_cpu_ms=(pg1["cpu"] - pg0["cpu"]) * 1000 / max(1, len(records)),
            worker_errors=errors,
        )
        print(
            f"  writer: {len(rows)} events at {result['writer_rate']:.1f}/s (latest {written['late_max'] * 1000:.0f} ms "
            f"behind schedule); {pending_at_end} deliveries still pending when it stopped, drained in {drain:.1f} s"
        )
        print(
            f"  lag commit->arrival: p50 {result['lag_p50'] * 1000:.0f} ms, p99 {result['lag_p99'] * 1000:.0f} ms, "
            f"max {result['lag_max'] * 1000:.0f} ms (from created_at: p50 {result['lag_created_p50'] * 1000:.0f}, "
            f"p99 {result['lag_created_p99'] * 1000:.0f}); worker CPU {result['worker_cpu_ms']:.1f} ms/delivery; "
            f"PostgreSQL CPU {result['pg_cpu_ms']:.1f} ms/delivery; machine {result['machine_cpu']:.2f} of "
            f"{os.cpu_count()} CPUs busy; load {result['load']:.2f}->{result['load_end']:.2f}"
        )
        for e in errors:
            print("  worker log:\n    " + e.replace("\n", "\n    "))
        self.check(records, lo, hi, result)
        self.results.append(result)
        return result

    # report -----------------------------------------------------------------------------------
    def table(self) -> str:
        interval = float(
            self.worker_extra_env.get(
                "SELLERDESK_DISPATCH_INTERVAL_SECONDS", os.environ.get("SELLERDESK_DISPATCH_INTERVAL_SECONDS", "0.5")
            )
        )
        lines = [
            "| phase | deliveries | deliveries/s | vs floor: send() pool / keep-alive | lag p50 / p99 / max (ms) "
            "| p50 / poll interval | CPU ms/delivery: worker / PostgreSQL | PG sessions / commits per delivery "
            "| CPUs busy | checks | load |",
            "|---|---:|---:|---|---|---:|---|---|---:|---|---|",
        ]
        for r in self.results:
            ok = ("ok" if not r["problems"] else "FAIL: " + "; ".join(r["problems"])) + (
                f" (delivered_at NULL: {r['undelivered_events']})" if r.get("undelivered_events") else ""
            )
            if r["kind"] == "backlog":
                f = r["floor"]
                lines.append(
                    f"| {r['phase']} | {r['deliveries']} | **{r['rate']:.1f}** | {r['of_floor_send_pool']:.1%} of "
                    f"{f['send_pool']:.0f}/s / {r['of_floor_keepalive']:.1%} of {f['keepalive']:.0f}/s | | | "
                    f"{r['worker_cpu_ms']:.1f} / {r['pg_cpu_ms']:.1f} | {r['sessions_per']:.2f} / "
                    f"{r['commits_per']:.2f} | {r['machine_cpu']:.2f} | {ok} | {r['load']:.2f}→{r['load_end']:.2f} |"
                )
            else:
                lines.append(
                    f"| {r['phase']} | {r['deliveries']} ({r['pending_at_writer_end']} queued when the writer stopped) | "
                    f"{r['deliveries'] / max(1e-9, a_span(r)):.1f} offered | | "
                    f"**{r['lag_p50'] * 1000:.0f}** / **{r['lag_p99'] * 1000:.0f}** / {r['lag_max'] * 1000:.0f} | "
                    f"{r['lag_p50'] / interval:.2f} | {r['worker_cpu_ms']:.1f} / {r['pg_cpu_ms']:.1f} | "
                    f"{r['sessions_per']:.2f} / {r['commits_per']:.2f} | {r['machine_cpu']:.2f} | {ok} | "
                    f"{r['load']:.2f}→{r['load_end']:.2f} |"
                )
        lines.append("")
        lines.append("| floor (same run) | send() 1 thread | send() pool | keep-alive loop | load |")
        lines.append("|---|---:|---:|---:|---:|")
        for f in self.floors:
            lines.append(
                f"| {f['label']} | {f['send_1']:.0f}/s | {f['send_pool']:.0f}/s ({f['concurrency']} threads) | "
                f"{f['keepalive']:.0f}/s | {f['load']:.2f} |"
            )
        return "\n".join(lines)

    def run(self) -> None:
        a = self.args
        try:
            self.create_database()
            common.setup_django(self.database)
            self.start_receiver()
            self.seed()
            if "backlog" in a.phases:
                for n in a.workers:
                    floor = self.floor(f"before backlog, {n} worker(s)")
                    self.backlog_phase(n, floor)
            if "lag" in a.phases:
                for n in a.workers:
                    for rate in a.rates:
                        self.lag_phase(n, rate)
            self.floor("end")
        finally:
            self.cleanup()
        print(
            f"\n## Event delivery: {a.events} backlog events, {a.shops} shops x {a.endpoints_per_shop} endpoints, "
            f"{a.aftersales} after-sales; workers = "
            f"{'dispatcher.run only' if a.dispatcher_only or a.what_if else 'manage.py worker'}; "
            f"what-if: {a.what_if or 'none'}; "
            f"{os.cpu_count()} CPUs; env: {self.worker_extra_env or 'defaults'}\n"
        )
        print(self.table())
        if a.json:
            Path(a.json).write_text(
                json.dumps(
                    {"results": self.results, "floors": self.floors, "env": self.worker_extra_env},
                    indent=2,
                    default=str,
                )
            )
        if any(r["problems"] for r in self.results):
            sys.exit(1)

    def cleanup(self) -> None:
        for proc in list(self.procs):
            stop_process(proc)
        self.procs.clear()
        try:
            self.drop_database()
        except Exception as exc:  # noqa: BLE001 - report, the rest of the clean-up still runs
            print(f"could not drop {self.database}: {exc}")
        for path in sorted(self.tmp.glob("*")):
            path.unlink()
        self.tmp.rmdir()


def a_span(r: dict) -> float:
    return r["events"] / r["writer_rate"] if r.get("writer_rate") else float("nan")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        role, rest = sys.argv[1], sys.argv[2:]
        p = argparse.ArgumentParser()
        p.add_argument("--port", type=int)
        p.add_argument("--seconds", type=float)
        p.add_argument("--threads", type=int, default=1)
        p.add_argument("--mode")
        p.add_argument("--rate", type=float)
        p.add_argument("--plan")
        p.add_argument("--out")
        r = p.parse_args(rest)
        if role == "_receiver":
            return receiver_main(r.port)
        if role == "_floor":
            return floor_main(r.port, r.seconds, r.threads, r.mode)
        if role == "_writer":
            return writer_main(r.rate, r.seconds, r.plan, r.out)
        if role == "_dispatch":
            return dispatch_main()
        raise SystemExit(f"unknown role {role}")

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=400, help="backlog events per throughput phase")
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--endpoints-per-shop", type=int, default=2)
    parser.add_argument("--aftersales", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rates", type=float, nargs="+", default=[3, 20], help="events/s of the lag phases")
    parser.add_argument("--lag-seconds", type=float, default=20)
    parser.add_argument("--floor-seconds", type=float, default=2)
    parser.add_argument("--verify-sample", type=int, default=300)
    parser.add_argument("--max-phase-seconds", type=float, default=300, help="bound on one backlog phase")
    parser.add_argument("--max-drain-seconds", type=float, default=120, help="bound on draining after a lag phase")
    parser.add_argument(
        "--dispatcher-only", action="store_true", help="workers run only dispatcher.run, not manage.py worker"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the workers, e.g. SELLERDESK_DISPATCH_INTERVAL_SECONDS=0.05",
    )
    parser.add_argument("--phases", nargs="+", choices=["backlog", "lag"], default=["backlog", "lag"])
    parser.add_argument(
        "--stall-seconds",
        type=float,
        default=15,
        help="no progress for this long: print the workers' state (and stacks with --py-spy)",
    )
    parser.add_argument(
        "--py-spy", help="path of a py-spy binary: stacks of stalled workers, and a profile with --profile"
    )
    parser.add_argument(
        "--profile", help="with --py-spy: write py-spy's collapsed stacks of the 1-worker backlog phase to this file"
    )
    parser.add_argument(
        "--what-if",
        choices=["shared-ssl"],
        help="experiment, product code untouched: workers run dispatcher.run with httpx.Client "
        "reusing one SSL context (the floor's send() too)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not (
        1 <= args.events <= 20_000
        and 1 <= args.shops <= 20
        and 1 <= args.endpoints_per_shop <= 20
        and all(1 <= w <= 4 for w in args.workers)
        and all(0 < r <= 500 for r in args.rates)
        and 1 <= args.lag_seconds <= 120
    ):
        raise SystemExit(
            "keep --events <= 20000, --shops/--endpoints-per-shop <= 20, --workers <= 4, "
            "--rates <= 500 and --lag-seconds <= 120"
        )
    bench = Bench(args)
    for item in args.env:
        key, _, value = item.partition("=")
        bench.worker_extra_env[key] = value
    bench.run()


if __name__ == "__main__":
    main()
