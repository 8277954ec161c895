"""Lists at scale, side by side: the list_latency.py requests against two databases in ONE run,
request by request interleaved, so the machine's other work falls on both sides alike.

    .venv/bin/python bench/list_pair.py --small sd_bench_10k --large sd_bench_1m
    .venv/bin/python bench/list_pair.py --small sqlite:///tmp/sd_bench_10k.sqlite3 \\
                                        --large sqlite:///tmp/sd_bench_100k.sqlite3
    .venv/bin/python bench/list_pair.py … --only "CS queue" search --other-requests 1500   # a subset, more requests

Starts one gunicorn per database (`-w --workers`, DEBUG=0, on free ports of 127.0.0.1), issues
tokens and sessions in each (as list_latency.py does: a random sample of merchants, the 10 largest
shops' merchants, every CS user), warms both up, then for every endpoint of list_latency.py plus
the no-work floor GET /api/v1/health sends its requests alternately to the small and the large
side (ABBA order, so neither side always goes first). Prints per endpoint p50 and p99 of each side
and the ratios large / small; issue 8's goal is p99 ratio ≤ 1.2. Beside them: the large side's p50
as a multiple of its health p50 (the machine's floor in the same minutes), the CPU ms per request
each side's gunicorn and PostgreSQL backends used (from /proc: what a request costs, whatever else
the machine runs) and the 1-min load average before and after each endpoint. Tokens and sessions
it made are deleted at the end, both servers stopped.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import list_latency as ll  # noqa: E402

GOAL = 1.2  # issue 8: every list's p99 at the large size within 1.2x its p99 at the small one
CPU_TICK = 20  # requests per side between two readings of the CPU the servers used


def prepare_child(database: str, merchants: int, seed: int, out: str) -> None:
    common.setup_django(database)
    from sellerdesk.aftersales.models import AfterSale

    sample, largest, cs = ll.prepare(merchants, seed)
    Path(out).write_text(
        json.dumps(
            {"sample": sample, "largest": largest, "cs": cs, "aftersales": AfterSale.objects.count()}, default=str
        )
    )


def cleanup_child(database: str, path: str) -> None:
    common.setup_django(database)
    from sellerdesk.identity.models import ApiToken

    data = json.loads(Path(path).read_text())
    ApiToken.objects.filter(name=ll.TOKEN_NAME).delete()
    ll.delete_sessions([m["cookie"] for m in data["sample"] + data["largest"] + data["cs"]])


class Side:
    def __init__(self, label, database, data, port, proc):
        self.label, self.database, self.port, self.proc = label, database, port, proc
        self.sample, self.largest, self.cs = data["sample"], data["largest"], data["cs"]
        self.aftersales = data["aftersales"]
        self.client = ll.Client(port)
        self.cursors, self.queue_cursor = {}, {}
        self.cpu_seen: dict[int, float] = {}

    def cpu_tick(self, monitor) -> float:
        """CPU seconds this side's gunicorn (master and workers) and the PostgreSQL backends of its
        database (none on SQLite: the database work is inside gunicorn) used since the last tick.
        Backends come and go (CONN_MAX_AGE), so ticks are taken every few requests: one that exits
        loses only what it used after the last tick. Unlike a latency, the CPU per request does
        not depend on what else the machine runs."""
        pids = [self.proc.pid, *ll.children(self.proc.pid)]
        if monitor is not None:
            rows = monitor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database])
            pids += [row[0] for row in rows.fetchall()]
        now = {p: ll.cpu_seconds(p) for p in pids}
        used = sum(max(0.0, v - self.cpu_seen.get(p, 0.0)) for p, v in now.items())
        self.cpu_seen = now
        return used


def cpu_monitor(databases):
    """A connection to PostgreSQL's own database that lists the bench databases' backends (None
    when both sides are SQLite files)."""
    if all(common.is_sqlite(d) for d in databases):
        return None
    import psycopg

    return psycopg.connect(
        host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres", autocommit=True
    )


def scenarios(side: Side, n: int, other: int):
    """(name, group, path, count) as list_latency.py times them."""
    return ll.scenarios(side.sample, side.largest, side.cs, side.cursors, side.queue_cursor, n, other)


def request(side: Side, m, path: str) -> float:
    elapsed, status, body = side.client.get(path, m["token"])
    if status != 200 and not (status == 503 and path == "/api/v1/health"):
        raise SystemExit(f"{side.label}: {path} answered {status}: {body[:300]!r}")
    return elapsed


def warm_up(side: Side, rounds: int) -> None:
    for m in side.sample + side.largest:
        _, status, body = side.client.get("/api/v1/aftersales?limit=20", m["token"])
        side.cursors[m["user"]] = json.loads(body)["next_cursor"]
    for m in side.cs:
        _, _, body = side.client.get("/api/v1/cs/queue?limit=20", m["token"])
        side.queue_cursor["next"] = json.loads(body)["next_cursor"]
    if not side.queue_cursor.get("next"):
        raise SystemExit(f"{side.label}: the CS queue has a single page: seed more requests")
    for _ in range(rounds):
        for _name, group, path, _count in scenarios(side, 1, 1):
            for m in group[:20]:
                request(side, m, path(m))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small")
    parser.add_argument("--large")
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per side, target list")
    parser.add_argument("--other-requests", type=int, default=600, help="timed requests per side, other endpoints")
    parser.add_argument("--merchants", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w per side")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORDS",
        help="time only the endpoints whose name contains one of these (and the health floor)",
    )
    parser.add_argument("--prepare", nargs=2, metavar=("DATABASE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--cleanup", nargs=2, metavar=("DATABASE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare_child(args.prepare[0], args.merchants, args.seed, args.prepare[1])
    if args.cleanup:
        return cleanup_child(*args.cleanup)
    if not (args.small and args.large):
        raise SystemExit("give --small and --large")
    if not (1 <= args.requests <= 20_000 and 1 <= args.other_requests <= 20_000 and 1 <= args.workers <= 8):
        raise SystemExit("keep --requests/--other-requests ≤ 20000 and --workers ≤ 8")

    tmp = Path(tempfile.mkdtemp(prefix="sd_bench_pair_"))
    monitor = None
    files, sides, logs = {}, [], []
    try:
        for label, database in (("small", args.small), ("large", args.large)):
            common.check_name(database)
            files[label] = tmp / f"{label}.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--prepare",
                    database,
                    str(files[label]),
                    "--merchants",
                    str(args.merchants),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
            )
            log = open(tmp / f"gunicorn-{label}.log", "w+")
            logs.append(log)
            port = ll.free_port()
            proc = ll.start_gunicorn(database, port, args.workers, log)
            sides.append(Side(label, database, json.loads(files[label].read_text()), port, proc))
        for side in sides:
            ll.wait_ready(side.port, side.proc)
            warm_up(side, 3)
        small, large = sides
        print(
            f"small: {small.aftersales:,} after-sales ({small.database}); large: {large.aftersales:,} "
            f"({large.database}); gunicorn -w {args.workers} each; {os.cpu_count()} CPUs; requests alternate "
            "small/large (ABBA)",
            flush=True,
        )
        rng = random.Random(args.seed)
        results = {}
        monitor = cpu_monitor([args.small, args.large])
        started = time.monotonic()
        for (name, sgroup, spath, count), (_, lgroup, lpath, _) in zip(
            scenarios(small, args.requests, args.other_requests), scenarios(large, args.requests, args.other_requests)
        ):
            if args.only and not name.startswith("health") and not any(w in name for w in args.only):
                continue
            if not (sgroup and lgroup):
                print(f"  {name:42} skipped: nobody to ask on one side", flush=True)
                continue
            sorder = [sgroup[i % len(sgroup)] for i in range(count)]
            lorder = [lgroup[i % len(lgroup)] for i in range(count)]
            rng.shuffle(sorder)
            rng.shuffle(lorder)
            times = {"small": [], "large": []}
            load_before = os.getloadavg()[0]
            for side in sides:
                side.cpu_tick(monitor)  # counted from here on
            cpu = {side.label: 0.0 for side in sides}
            for i in range(count):
                pair = [("small", small, sorder[i], spath), ("large", large, lorder[i], lpath)]
                if i % 4 in (1, 2):
                    pair.reverse()
                for label, side, m, path in pair:
                    times[label].append(request(side, m, path(m)))
                if i % CPU_TICK == CPU_TICK - 1 or i == count - 1:
                    for side in sides:
                        cpu[side.label] += side.cpu_tick(monitor)
            load_after = os.getloadavg()[0]
            results[name] = {label: common.summary_ms(t) for label, t in times.items()}
            for side in sides:  # app + database CPU ms per request
                results[name][side.label]["cpu_ms"] = cpu[side.label] * 1000 / count
            results[name]["load"] = max(load_before, load_after)
            results[name]["load_range"] = [load_before, load_after]
            r = results[name]
            print(
                f"  {name:42} p99 {r['small']['p99']:6.2f} / {r['large']['p99']:6.2f} = "
                f"{r['large']['p99'] / r['small']['p99']:.2f}   load {load_before:.1f}→{load_after:.1f}",
                flush=True,
            )
        wall = time.monotonic() - started
    finally:
        if monitor is not None:
            monitor.close()
        for side in sides:
            ll.stop(side.proc)
        for label, database in (("small", args.small), ("large", args.large)):
            if files.get(label) and files[label].exists():
                subprocess.run([sys.executable, __file__, "--cleanup", database, str(files[label])], check=False)
        for log in logs:
            log.seek(0)
            errors = [
                line
                for line in log.read().splitlines()
                if "Traceback" in line or " ERROR " in line and "Service Unavailable: /api/v1/health" not in line
            ]
            if errors:
                print("gunicorn logged errors:\n  " + "\n  ".join(errors[:10]))
            log.close()
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()

    print(
        f"\n{wall:.0f} s timed. Times in ms; ratio = large / small (issue 8: p99 ratio ≤ {GOAL}); "
        "× floor = the large side's p50 / its health p50 (the same run); cpu = gunicorn + PostgreSQL CPU ms "
        "per request, from /proc; load = 1-min load average before → after the endpoint"
    )
    print(
        f"{'endpoint':42} {'n':>5} | {'p50 small':>9} {'large':>7} {'ratio':>6} | {'p99 small':>9} {'large':>7} "
        f"{'ratio':>6} | {'× floor':>7} | {'cpu small':>9} {'large':>6} {'ratio':>6} | {'load':>9}"
    )
    floor = next((r["large"]["p50"] for name, r in results.items() if name.startswith("health")), float("nan"))
    over = []
    for name, r in results.items():
        s, big = r["small"], r["large"]
        ratio = big["p99"] / s["p99"]
        if ratio > GOAL and not name.startswith("health"):
            over.append(f"{name} ({ratio:.2f})")
        print(
            f"{name:42} {s['n']:>5} | {s['p50']:>9.2f} {big['p50']:>7.2f} {big['p50'] / s['p50']:>6.2f} | "
            f"{s['p99']:>9.2f} {big['p99']:>7.2f} {ratio:>6.2f} | {big['p50'] / floor:>7.2f} | "
            f"{s['cpu_ms']:>9.2f} {big['cpu_ms']:>6.2f} {big['cpu_ms'] / s['cpu_ms']:>6.2f} | "
            f"{r['load_range'][0]:>4.1f}→{r['load_range'][1]:<4.1f}"
        )
    print(f"\np99 ratio over {GOAL}: " + ("; ".join(over) if over else "none"))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "small": args.small,
                    "large": args.large,
                    "aftersales": [small.aftersales, large.aftersales],
                    "results": results,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
