"""EXPLAIN (ANALYZE, BUFFERS) of every list, search, detail, history and the CS queue on the bench database.

    .venv/bin/python bench/explain.py --database sellerdesk_bench [--only cs] [--sweep]
    .venv/bin/python bench/explain.py --database sqlite:///tmp/sd_bench_100k.sqlite3 --only cs

On SQLite, which has no EXPLAIN ANALYZE, it prints EXPLAIN QUERY PLAN and the median time of 20 runs.

Builds the exact querysets the API and the pages run (through sellerdesk.aftersales.queries, the
page of 20 plus one, or the CS queue's 50 plus one), for the merchant of the largest shop and for
a CS agent, prints the SQL, the plan and a one-line verdict per plan: which indexes it reads, any
sequential scan or sort, and the most rows any node read (rows returned + rows removed by a
filter, times its loops). "Bounded by the page" means that figure stays near the page size
whatever the table's size. --sweep also runs the disputes_pending query for every merchant and
sums up how its time varies with the shop's size (slow at a million rows: 10,000 merchants).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)


def describe(plan: dict) -> dict:
    nodes = list(walk(plan))
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    return {
        "indexes": sorted({n["Index Name"] for n in nodes if n.get("Index Name")}),
        "seq_scans": sorted({n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}),
        "sorts": [n.get("Sort Method", "?") for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")],
        "max_rows_read": max(
            (
                (
                    n.get("Actual Rows", 0)
                    + n.get("Rows Removed by Filter", 0)
                    + n.get("Rows Removed by Index Recheck", 0)
                )
                * n.get("Actual Loops", 1)
                for n in scans
            ),
            default=0,
        ),
        "hashes": sum(1 for n in nodes if n["Node Type"] == "Hash"),
    }


def explain_sqlite(label: str, qs, *, quiet: bool = False) -> dict:
    """SQLite has no EXPLAIN ANALYZE: its query plan, and the query's median time of 20 runs."""
    import re
    import statistics
    import time

    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        steps = [row[-1] for row in cursor.fetchall()]
        times = []
        for _ in range(20):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    facts = {
        "label": label,
        "indexes": sorted({m for s in steps for m in re.findall(r"USING (?:COVERING )?INDEX (\w+)", s)}),
        "seq_scans": sorted({s.split()[1] for s in steps if s.startswith("SCAN ") and " USING " not in s}),
        # "UNION USING TEMP B-TREE" de-duplicates a union's few rows; a sort is "TEMP B-TREE FOR …"
        "sorts": [s for s in steps if "TEMP B-TREE FOR" in s],
        "execution_ms": statistics.median(times),
        "plan": steps,
    }
    verdict = (
        f"indexes: {', '.join(facts['indexes']) or 'NONE'}"
        + (f"; FULL SCAN of {', '.join(facts['seq_scans'])}" if facts["seq_scans"] else "; no full scan")
        + (f"; sort ({'; '.join(facts['sorts'])})" if facts["sorts"] else "; no sort")
        + f"; median {facts['execution_ms']:.3f} ms"
    )
    if not quiet:
        print(f"=== {label}")
        print("SQL:", sql, params)
        print("\n".join(steps))
        print("->", verdict, "\n")
    facts["verdict"] = verdict
    return facts


def explain(label: str, qs, *, quiet: bool = False) -> dict:
    from django.db import connection

    if connection.vendor == "sqlite":
        return explain_sqlite(label, qs, quiet=quiet)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # warm the cache, as a live console would be
        cursor.fetchall()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    facts = describe(plan["Plan"])
    facts.update(execution_ms=plan["Execution Time"], planning_ms=plan["Planning Time"], label=label)
    verdict = (
        f"indexes: {', '.join(facts['indexes']) or 'NONE'}"
        + (f"; SEQ SCAN of {', '.join(facts['seq_scans'])}" if facts["seq_scans"] else "; no seq scan")
        + (f"; sort ({', '.join(facts['sorts'])})" if facts["sorts"] else "; no sort")
        + f"; most rows read by a node {facts['max_rows_read']}"
        + f"; execution {plan['Execution Time']:.3f} ms, planning {plan['Planning Time']:.3f} ms"
    )
    if not quiet:
        print(f"=== {label}")
        print("SQL:", connection.ops.compose_sql(sql, params))
        print(text)
        print("->", verdict, "\n")
    facts["verdict"] = verdict
    return facts


def subjects():
    """The merchant of the largest shop, a CS agent, and the rows the detail and searches look at."""
    from django.db.models import Count

    from sellerdesk.aftersales.models import AfterSale
    from sellerdesk.identity.models import User

    top = AfterSale.objects.values("shop_id").annotate(n=Count("id")).order_by("-n", "shop_id")[0]
    merchant = User.objects.filter(role="merchant", shops__id=top["shop_id"]).first()
    cs = User.objects.filter(role="cs").order_by("id").first()
    sample = (
        AfterSale.objects.filter(shop_id=top["shop_id"], dispute__isnull=False)
        .select_related("order", "buyer")
        .order_by("-id")
        .first()
    )
    return top, merchant, cs, sample


def scenarios(now):
    """(label, queryset) for every read issue 8 names, as the app builds them."""
    from sellerdesk.aftersales import queries
    from sellerdesk.aftersales.access import visible_history
    from sellerdesk.aftersales.models import AfterSale, Party, Status

    top, merchant, cs, sample = subjects()
    who = f"merchant of the largest shop ({top['shop_id']}, {top['n']} requests)"
    lists = lambda user, **kw: queries.filter_aftersales(user, now=now, **kw).order_by("-id")  # noqa: E731
    page1 = list(lists(merchant).values_list("id", flat=True)[:21])
    queue_page, _ = queries.cs_queue_queryset(cs)
    queue_ids = list(queue_page.values_list("review_started_at", "id"))
    mid = queue_ids[len(queue_ids) // 2] if queue_ids else None
    mid_cursor = None
    if mid:
        from sellerdesk.aftersales.models import Dispute

        mid_cursor = queries._encode_queue_cursor(Dispute(id=mid[1], review_started_at=mid[0]), "after")
        back_cursor = queries._encode_queue_cursor(Dispute(id=mid[1], review_started_at=mid[0]), "before")
    out = [
        ("merchant", f"list plain — {who}", lists(merchant)[:21]),
        ("merchant", f"list quick=disputes_pending — {who}", lists(merchant, quick="disputes_pending")[:21]),
        (
            "merchant",
            f"list status=dispute_awaiting_evidence — {who}",
            lists(merchant, statuses=[Status.DISPUTE_AWAITING_EVIDENCE])[:21],
        ),
        ("merchant", f"list page 2 (cursor) — {who}", lists(merchant).filter(id__lt=page1[-2])[:21]),
        ("search", f"search by order no. — {who}", lists(merchant, q=sample.order.order_no)[:21]),
        ("search", f"search by after-sales no. — {who}", lists(merchant, q=sample.number)[:21]),
        ("search", f"search by buyer account — {who}", lists(merchant, q=sample.buyer.username)[:21]),
        ("search", "search by order no. — CS", lists(cs, q=sample.order.order_no)[:21]),
        (
            "cs",
            "CS API list status=dispute_platform_review (GET /aftersales?status=…)",
            lists(cs, statuses=[Status.DISPUTE_PLATFORM_REVIEW])[:21],
        ),
        (
            "cs",
            "CS API list status=dispute_awaiting_evidence",
            lists(cs, statuses=[Status.DISPUTE_AWAITING_EVIDENCE])[:21],
        ),
        ("cs", "CS queue, first page (page and GET /cs/queue)", queue_page[:51]),
    ]
    if mid_cursor:
        out += [
            (
                "cs",
                "CS queue, a page from the middle (下一页 cursor)",
                queries.cs_queue_queryset(cs, mid_cursor)[0][:51],
            ),
            ("cs", "CS queue, 上一页 from the middle", queries.cs_queue_queryset(cs, back_cursor)[0][:51]),
        ]
    out += [
        (
            "cs",
            "CS queue: capped count of the queue (共 N 件)",
            queries._queue_disputes(cs).order_by("review_started_at", "id")[: queries.COUNT_CAP + 1],
        ),
        (
            "cs",
            "CS queue: capped count of the disputes awaiting evidence (协商中)",
            AfterSale.objects.filter(status=Status.DISPUTE_AWAITING_EVIDENCE).order_by("status", "-id")[
                : queries.COUNT_CAP + 1
            ],
        ),
        (
            "detail",
            f"detail (load_for_detail) — {sample.number}",
            queries.load_for_detail(queries.aftersales_visible_to(merchant)).filter(pk=sample.pk),
        ),
        (
            "detail",
            "history (visible_history, the party's view)",
            visible_history(AfterSale.objects.get(pk=sample.pk), Party.MERCHANT),
        ),
    ]
    return out


def sweep(now) -> None:
    from sellerdesk.aftersales.queries import filter_aftersales
    from sellerdesk.identity.models import User

    times, seq = [], 0
    for user in User.objects.filter(role="merchant").order_by("id"):
        facts = explain(
            "sweep", filter_aftersales(user, quick="disputes_pending", now=now).order_by("-id")[:21], quiet=True
        )
        times.append(facts["execution_ms"] + facts.get("planning_ms", 0))
        seq += bool(facts["seq_scans"])
    times.sort()
    print(
        f"=== quick=disputes_pending for all {len(times)} merchants (planning + execution, ms): "
        f"p50 {common.percentile(times, 50):.2f}  p95 {common.percentile(times, 95):.2f}  "
        f"p99 {common.percentile(times, 99):.2f}  max {times[-1]:.2f}; plans with a seq scan: {seq}\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    parser.add_argument("--only", choices=["merchant", "search", "cs", "detail"], help="one group of plans")
    parser.add_argument("--sweep", action="store_true", help="also the disputes_pending plan of every merchant")
    parser.add_argument("--json", help="also write the verdicts to this file")
    args = parser.parse_args()
    common.setup_django(args.database)

    from sellerdesk.aftersales.models import AfterSale
    from sellerdesk.core import clock

    now = clock.now()
    print(f"{AfterSale.objects.count():,} after-sales requests in {args.database}\n")
    results = [explain(label, qs) for group, label, qs in scenarios(now) if not args.only or group == args.only]
    print("=== summary")
    for r in results:
        print(f"{r['label']}\n    {r['verdict']}")
    if args.sweep:
        sweep(now)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
