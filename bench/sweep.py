"""The deadline sweep after an outage (issue 8): N disputes whose 24 h evidence window passed
while no worker ran, applied by the worker's sweep against the set-based SQL floor.

    .venv/bin/python bench/sweep.py --n 100000 [--rounds 1] [--batch 1000]

Seeds one PostgreSQL database (DROPped and re-created: sweep_seed by default) with --n disputes
in DISPUTE_AWAITING_EVIDENCE whose due_at is 1 min to 24 h in the past (shops with one merchant
each, buyers, orders, disputes, open evidence requests, three history entries per request), written
directly in SQL like bench/seed_postgres.py: a fixture, not product code. Then, per round and
interleaved, each on a fresh copy (CREATE DATABASE … TEMPLATE the seed):

  floor  the same state changes as plain SQL in one transaction: three UPDATEs (evidence
         requests, disputes, after-sales) and three INSERT…SELECTs (history, outbox events, their
         notifications), each statement timed; "floor−n" is the same without the notifications
         (the issue's floor of three UPDATEs and two INSERT…SELECTs);
  w1     one worker process running the sweep (sellerdesk.aftersales.actions.deadlines.sweep, the
         deadline part of the worker's sweep_once);
  w2     two such processes at once;
  serve  (with --kinds … serve) the whole product as scripts/serve starts it on the copy: migrate,
         gunicorn -w 2 and WORKERS=2 real `manage.py worker` processes (db_worker, sweeper and
         dispatcher each); timed from launching scripts/serve until no dispute is left awaiting
         evidence (polled every 0.2 s), start-up included, reported apart.

Each worker process sets Django up, then waits for "go" on stdin, so start-up is not timed; the
time is from "go" until the last process is done. Reported: seconds, ratio to the floor of the
same round, the load average (1 min) before and after, each worker's RSS before the sweep and its
peak, and the check that the copy holds exactly N evidence_timed_out history entries and N
dispute.timed_out events (one per dispute, none twice), 2N notifications and no dispute left.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datetime import UTC

import common  # noqa: E402

SEED_DB = "sweep_seed"
RUN_DB = "sweep_run"
SHOPS, BUYERS = 500, 5000
# ShopMembership is the users-shops through table, which keeps its original name.
TOPIC, KIND = "dispute.timed_out", "evidence_timed_out"
EVIDENCE, REVIEW = "dispute_awaiting_evidence", "dispute_platform_review"


def pg(dbname: str, **kw):
    import psycopg

    return psycopg.connect(host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname=dbname, **kw)


def recreate(name: str, template: str | None = None) -> None:
    from psycopg import sql

    if name in common.PROTECTED:
        sys.exit(f"refusing to drop the database {name!r}")
    with pg("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# ------------------------------------------------------------------------------------------- seed


def seed(name: str, n: int) -> float:
    started = time.perf_counter()
    recreate(name)
    common.setup_django(name)
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from sellerdesk.identity.models import Role, Shop, ShopMembership, Subject, User

    call_command("migrate", verbosity=0, interactive=False)
    password = make_password("sellerdesk-bench")  # once: thousands of PBKDF2 runs would take minutes
    with transaction.atomic():
        subjects = Subject.objects.bulk_create(
            Subject(
                kind="enterprise",
                legal_name=f"压测商贸{i:04d}有限公司",
                id_number_encrypted="bench",
                id_fingerprint=f"bench-{i}",
            )
            for i in range(SHOPS)
        )
        shops = Shop.objects.bulk_create(Shop(name=f"压测店铺{i:04d}", subject=s) for i, s in enumerate(subjects))
        merchants = User.objects.bulk_create(
            User(username=f"sweep_merchant{i:04d}", password=password, role=Role.MERCHANT) for i in range(SHOPS)
        )
        ShopMembership.objects.bulk_create(
            ShopMembership(user=m, shop=s, is_owner=True) for m, s in zip(merchants, shops)
        )
        buyers = User.objects.bulk_create(
            User(username=f"sweep_buyer{i:05d}", password=password, role=Role.BUYER) for i in range(BUYERS)
        )
        shop0, buyer0 = shops[0].pk, buyers[0].pk
        params = {"n": n, "shops": SHOPS, "buyers": BUYERS, "shop0": shop0, "buyer0": buyer0}
        with connection.cursor() as c:
            # Request i: the evidence window closed (i % 1440) + 1 minutes ago, whole seconds.
            c.execute(
                """
                CREATE TEMP TABLE plan ON COMMIT DROP AS
                SELECT i, %(shop0)s + i %% %(shops)s AS shop_id, %(buyer0)s + (i * 7919) %% %(buyers)s AS buyer_id,
                       date_trunc('second', now()) - make_interval(mins => (i %% 1440) + 1) AS due_at
                FROM generate_series(1, %(n)s) AS i""",
                params,
            )
            c.execute("""
                INSERT INTO orders_order (id, order_no, shop_id, buyer_id, paid_fen, paid_at, refunded_fen, created_at)
                SELECT i, 'SW' || lpad(i::text, 10, '0'), shop_id, buyer_id, 9900, due_at - interval '3 days',
                       0, due_at - interval '3 days' FROM plan""")
            c.execute(
                """
                INSERT INTO aftersales_aftersale (id, number, order_id, shop_id, buyer_id, type, status, amount_fen,
                    reason, description, rejection_reason, return_carrier, return_tracking_no, due_at,
                    escalation_due_at, version, created_at, updated_at, closed_at, dispute_id)
                SELECT i, 'AS' || lpad(i::text, 12, '0'), i, shop_id, buyer_id, 'refund_only', %(status)s, 9900,
                       '收到商品破损', '', '不符合售后条件', '', '', due_at, due_at + interval '6 days', 3,
                       due_at - interval '26 hours', due_at - interval '24 hours', NULL, i FROM plan""",
                {"status": EVIDENCE},
            )
            c.execute("""
                INSERT INTO aftersales_dispute (id, aftersale_id, round, status, escalation_reason, opened_at,
                    evidence_due_at, evidence_submitted_at, timed_out, review_started_at, outcome, liable, resolved_at)
                SELECT i, i, 1, 'awaiting_evidence', '商家拒绝,申请平台介入', due_at - interval '24 hours', due_at,
                       NULL, false, NULL, '', '', NULL FROM plan""")
            c.execute("""
                INSERT INTO aftersales_evidencerequest (id, dispute_id, party, initial, note, requested_by_id,
                    requested_at, due_at, state, closed_at, reminders_sent)
                SELECT i, i, 'merchant', true, '纠纷协商期:商家需在24小时内提交举证或同意售后', NULL,
                       due_at - interval '24 hours', due_at, 'open', NULL, '[4, 1]'::jsonb FROM plan""")
            c.execute("""
                INSERT INTO aftersales_historyentry (aftersale_id, at, actor_id, actor_role, kind, body, data, visibility)
                SELECT i, due_at - make_interval(hours => h.hours), CASE h.role WHEN 'buyer' THEN buyer_id
                       ELSE (SELECT user_id FROM identity_user_shops m WHERE m.shop_id = plan.shop_id) END,
                       h.role, h.kind, h.body, '{}'::jsonb, 'all'
                FROM plan CROSS JOIN (VALUES (26, 'buyer', 'created', '收到商品破损'),
                                             (25, 'merchant', 'rejected', '不符合售后条件'),
                                             (24, 'buyer', 'escalated', '商家拒绝,申请平台介入')) AS h(hours, role, kind, body)
                ORDER BY i, h.hours DESC""")
            for table in ("orders_order", "aftersales_aftersale", "aftersales_dispute", "aftersales_evidencerequest"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    connections.close_all()
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------ floor

FLOOR = [
    (
        "claim",
        """CREATE TEMP TABLE due ON COMMIT DROP AS
        SELECT id, due_at, number, shop_id, buyer_id FROM aftersales_aftersale
        WHERE status = %(evidence)s AND due_at < %(now)s""",
    ),
    (
        "evidence requests",
        """UPDATE aftersales_evidencerequest r SET state = 'lapsed', closed_at = %(now)s
        FROM aftersales_dispute d JOIN due ON due.id = d.aftersale_id
        WHERE r.dispute_id = d.id AND r.state = 'open'""",
    ),
    (
        "disputes",
        """UPDATE aftersales_dispute d SET status = 'platform_review', timed_out = true,
        review_started_at = %(now)s FROM due WHERE d.aftersale_id = due.id""",
    ),
    (
        "after-sales",
        """UPDATE aftersales_aftersale a SET status = %(review)s, due_at = NULL, updated_at = %(now)s,
        version = a.version + 1 FROM due WHERE a.id = due.id AND a.status = %(evidence)s""",
    ),
    (
        "history",
        """INSERT INTO aftersales_historyentry (aftersale_id, at, actor_id, actor_role, kind, body, data,
        visibility)
        SELECT id, %(now)s, NULL, 'system', %(kind)s, '商家超时未举证,纠纷已转平台客服处理',
               jsonb_build_object('due_at', to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')),
               'all' FROM due""",
    ),
    (
        "events",
        """INSERT INTO events_outboxevent (topic, aggregate_type, aggregate_id, payload, aftersale_id,
            shop_id, buyer_id, subject_id, holder_role, created_at)
        SELECT %(topic)s::text, 'aftersale', id::text,
               jsonb_build_object('aftersale_id', id, 'number', number, 'status', %(review)s::text, 'shop_id', shop_id,
                                  'buyer_id', buyer_id), id, shop_id, buyer_id, NULL, '', %(now)s FROM due""",
    ),
    (
        "notifications",
        """INSERT INTO events_notification (user_id, topic, params, link, event_id, aftersale_id,
            created_at, read_at, email_state, email_attempts, emailed_at)
        SELECT u.id, e.topic, e.payload, '/workbench/aftersales/' || e.aftersale_id || '/', e.id, e.aftersale_id,
               e.created_at, NULL::timestamptz, '', 0, NULL::timestamptz
        FROM due JOIN events_outboxevent e ON e.aftersale_id = due.id AND e.topic = %(topic)s
             JOIN identity_user_shops m ON m.shop_id = e.shop_id
             JOIN identity_user u ON u.id = m.user_id AND u.role = 'merchant' AND u.is_active
        UNION ALL
        SELECT u.id, e.topic, e.payload, '/buyer/aftersales/' || e.aftersale_id || '/', e.id, e.aftersale_id,
               e.created_at, NULL::timestamptz, '', 0, NULL::timestamptz
        FROM due JOIN events_outboxevent e ON e.aftersale_id = due.id AND e.topic = %(topic)s
             JOIN identity_user u ON u.id = e.buyer_id AND u.is_active""",
    ),
]


def run_floor(db: str) -> dict:
    from datetime import datetime

    args = {"now": datetime.now(UTC), "evidence": EVIDENCE, "review": REVIEW, "kind": KIND, "topic": TOPIC}
    steps = {}
    with pg(db) as conn:
        conn.execute("SELECT 1")
        started = time.perf_counter()
        with conn.transaction():
            for label, statement in FLOOR:
                t = time.perf_counter()
                conn.execute(statement, args)
                steps[label] = round(time.perf_counter() - t, 3)
        seconds = time.perf_counter() - started  # includes the COMMIT
    return {"seconds": seconds, "steps": steps}


# ---------------------------------------------------------------------------------------- workers


def child(db: str, batch: int) -> None:
    """One worker process: set up, say ready, sweep on "go", report."""
    common.setup_django(db)
    from django.db import connection

    from sellerdesk.aftersales.actions.deadlines import sweep
    from sellerdesk.core import clock

    connection.ensure_connection()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    fired = sweep(now=clock.now(), batch=batch)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "fired": fired,
                "seconds": seconds,
                "rss_before_mb": rss_before / 1024,
                "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        ),
        flush=True,
    )


def run_workers(db: str, count: int, batch: int) -> dict:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", db, "--batch", str(batch)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(count)
    ]
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            sys.exit("a worker process failed to start")
    started = time.perf_counter()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    reports = [json.loads(p.stdout.readline()) for p in procs]
    seconds = time.perf_counter() - started
    for p in procs:
        p.wait()
    return {"seconds": seconds, "workers": reports}


def run_serve(db: str, n: int, workers: int = 2) -> dict:
    import http.client
    import signal
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": common.database_url(db),
        "WORKERS": str(workers),
        "WEB_WORKERS": "2",
        "BIND": f"127.0.0.1:{port}",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(common.ROOT / "scripts" / "serve")],
        cwd=common.ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = None
    try:
        with pg(db, autocommit=True) as conn:
            while True:
                if proc.poll() is not None:
                    sys.exit(f"scripts/serve exited: {proc.stderr.read()[-2000:]}")
                if ready is None:
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                        c.request("GET", "/api/v1/health")
                        # Serving: 200, or 503 "degraded" while the catch-up sweep keeps the worker busy.
                        if c.getresponse().status in (200, 503):
                            ready = time.perf_counter() - started
                    except OSError:
                        pass
                left = conn.execute(
                    "SELECT count(*) FROM aftersales_aftersale WHERE status = %s", [EVIDENCE]
                ).fetchone()[0]
                if left == 0:
                    break
                if time.perf_counter() - started > 1800:
                    sys.exit(f"scripts/serve: {left} disputes still awaiting evidence after 30 min")
                time.sleep(0.2)
            seconds = time.perf_counter() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return {"seconds": seconds, "ready_seconds": ready, "workers": [], "exit": proc.returncode}


# ------------------------------------------------------------------------------------------ check


def verify(db: str, n: int) -> dict:
    with pg(db) as conn:
        one = lambda q, *a: conn.execute(q, a).fetchone()  # noqa: E731
        history = one(
            "SELECT count(*), count(DISTINCT aftersale_id) FROM aftersales_historyentry WHERE kind = %s", KIND
        )
        events = one("SELECT count(*), count(DISTINCT aftersale_id) FROM events_outboxevent WHERE topic = %s", TOPIC)
        notes = one(
            "SELECT count(*), count(DISTINCT (event_id, user_id)) FROM events_notification WHERE topic = %s", TOPIC
        )
        left = one("SELECT count(*) FROM aftersales_aftersale WHERE status = %s", EVIDENCE)[0]
        review = one(
            "SELECT count(*) FROM aftersales_aftersale WHERE status = %s AND version = 4 AND due_at IS NULL", REVIEW
        )[0]
        disputes = one("SELECT count(*) FROM aftersales_dispute WHERE timed_out AND status = 'platform_review'")[0]
        lapsed = one("SELECT count(*) FROM aftersales_evidencerequest WHERE state = 'lapsed'")[0]
    ok = (
        history == (n, n)
        and events == (n, n)
        and notes == (2 * n, 2 * n)
        and left == 0
        and review == disputes == lapsed == n
    )
    return {
        "ok": ok,
        "history": history,
        "events": events,
        "notifications": notes,
        "left": left,
        "review": review,
        "disputes_timed_out": disputes,
        "requests_lapsed": lapsed,
    }


def measure(kind: str, n: int, batch: int) -> dict:
    recreate(RUN_DB, template=SEED_DB)
    with pg(RUN_DB, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # the copy's writes are not billed to the run
    load_before = os.getloadavg()[0]
    if kind == "floor":
        result = run_floor(RUN_DB)
    elif kind == "serve":
        result = run_serve(RUN_DB, n)
    else:
        result = run_workers(RUN_DB, int(kind[1:]), batch)
    result.update(kind=kind, load_before=load_before, load_after=os.getloadavg()[0], check=verify(RUN_DB, n))
    return result


def main():
    global SEED_DB, RUN_DB
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="overdue disputes (default 100000)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of floor, 1 worker, 2 workers (default 1)")
    parser.add_argument("--batch", type=int, default=1000, help="the sweep's batch size (default 1000)")
    parser.add_argument(
        "--kinds",
        nargs="+",
        default=["floor", "w1", "w2"],
        choices=["floor", "w1", "w2", "serve"],
        help="what each round runs (default floor w1 w2; floor first: the ratios use it)",
    )
    parser.add_argument("--seed-db", default=SEED_DB, help=f"the seeded database (default {SEED_DB})")
    parser.add_argument("--run-db", default=RUN_DB, help=f"the copy each run works on (default {RUN_DB})")
    parser.add_argument("--child", metavar="DATABASE", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.batch)
    SEED_DB, RUN_DB = common.check_name(args.seed_db), common.check_name(args.run_db)

    print(f"seeding {args.n:,} overdue disputes into {SEED_DB} …", flush=True)
    print(f"seeded in {seed(SEED_DB, args.n):.1f} s", flush=True)
    results = []
    for r in range(1, args.rounds + 1):
        floor = bare = None
        for kind in args.kinds:
            res = measure(kind, args.n, args.batch)
            res["round"] = r
            if kind == "floor":
                floor, bare = res["seconds"], res["seconds"] - res["steps"]["notifications"]
                res["floor_without_notifications"] = bare
            if floor:
                res["ratio"], res["ratio_without_notifications"] = res["seconds"] / floor, res["seconds"] / bare
            else:
                res["ratio"] = res["ratio_without_notifications"] = float("nan")
            results.append(res)
            extra = (
                res.get("steps")
                or (f"[health answered after {res['ready_seconds'] or float('nan'):.1f} s]" if kind == "serve" else "")
                or "  ".join(
                    f"[{w['fired']:,} fired, {w['seconds']:.1f} s, RSS {w['rss_before_mb']:.0f}→{w['rss_peak_mb']:.0f} MB]"
                    for w in res["workers"]
                )
            )
            print(
                f"round {r} {kind:5} {res['seconds']:7.2f} s  ×{res['ratio']:.2f} of floor "
                f"(×{res['ratio_without_notifications']:.2f} of floor−n)  "
                f"load {res['load_before']:.2f}→{res['load_after']:.2f}  check {'ok' if res['check']['ok'] else res['check']}"
                f"  {extra}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    recreate(RUN_DB)  # leave an empty copy, not a big one
    if not all(r["check"]["ok"] for r in results):
        sys.exit("a run did not write exactly one history entry and one event per dispute")


if __name__ == "__main__":
    main()
