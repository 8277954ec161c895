"""EXPLAIN (ANALYZE, BUFFERS) of every statement the lists, searches, counts, detail, history and
the CS queue run, on the bench database.

    .venv/bin/python bench/explain.py --database sellerdesk_bench [--only merchant] [--sweep] [--json FILE]
    .venv/bin/python bench/explain.py --database sqlite:///tmp/sd_bench_100k.sqlite3 --only cs

On SQLite, which has no EXPLAIN ANALYZE, it prints EXPLAIN QUERY PLAN and the median time of 20 runs.

Nothing is rewritten here: each read calls the product's own code, as GET /api/v1/aftersales and
the pages call it (`queries.listing(...).page(ordering=…, cursor=…, values=api.LIST_VALUES)`, the
page's capped count `Listing.count(views.LIST_COUNT_CAP)`, `queries.cs_queue`,
`queries.queue_counts`, `load_for_detail`, `visible_history`), with a hook on the connection
(`execute_wrapper`) that records every statement it sends; each recorded statement is then
explained with its own parameters. A sorted page may send two (`ordering=due_at`: the rows with a
deadline, then those without), a search one union per page.

Who: the merchant of the largest shop, a CS agent, and an administrator (an unsaved user with the
admin role: the scope is the whole table; nothing is written). The searches use an order number
of the largest shop: its first 8 characters (`BO` + year + month, a month of orders), the whole
number, the after-sales number, a buyer's nickname (shared by ~100 buyers at 1M), a buyer without
one by the name the list shows (买家NNNN), and the login name. Plus, for CS and the admin, the
prefix of the month with the fewest orders (the branch then walks furthest for a page).

Per statement it prints the SQL, the plan and a one-line verdict: which indexes it reads, any
sequential scan or sort (an on-disk sort is called out), and the most rows any node read (rows
returned + rows removed by a filter, times its loops). "Bounded by the page" means that figure
stays near the page size whatever the table's size. --sweep also runs quick=disputes_pending
for every merchant (slow at a million rows: 10,000 merchants).
"""

import argparse
import json
import sys
from contextlib import contextmanager
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
    sorts = [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")]
    return {
        "indexes": sorted({n["Index Name"] for n in nodes if n.get("Index Name")}),
        # relation -> rows it read (returned + filtered out, times loops): an empty table's is 0
        "seq_scans": {
            n["Relation Name"]: (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0))
            * n.get("Actual Loops", 1)
            for n in nodes
            if n["Node Type"] == "Seq Scan"
        },
        "sorts": [n.get("Sort Method", "?") for n in sorts],
        "disk_sorts": [
            n.get("Sort Method", "?")
            for n in sorts
            if n.get("Sort Space Type") == "Disk" or "external" in n.get("Sort Method", "")
        ],
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


# A sequential scan of a table this small (the seed leaves offers, appeals and attachments empty)
# costs less than an index probe; above it, it is reported as a bad plan.
SMALL_SCAN = 100


def _many(rows_read: int | None) -> bool:
    return rows_read is None or rows_read > SMALL_SCAN  # None: SQLite, which does not say


@contextmanager
def recording():
    """Every statement sent on the default connection inside the block: a list of (sql, params)."""
    from django.db import connection

    sent = []

    def hook(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(hook):
        yield sent


def statements(read) -> list:
    """(sql, params) of each statement `read()` sends."""
    with recording() as sent:
        read()
    return sent


def explain_sqlite(label: str, sql: str, params, *, quiet: bool = False) -> dict:
    """SQLite has no EXPLAIN ANALYZE: its query plan, and the query's median time of 20 runs."""
    import re
    import statistics
    import time

    from django.db import connection

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
        "seq_scans": {
            s.split()[1]: None for s in steps if s.startswith("SCAN ") and " USING " not in s
        },  # rows unknown
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


def explain_sql(label: str, sql: str, params, *, quiet: bool = False) -> dict:
    from django.db import connection

    if connection.vendor == "sqlite":
        return explain_sqlite(label, sql, params, quiet=quiet)
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
        + (
            "; SEQ SCAN of " + ", ".join(f"{t} ({n:,} rows read)" for t, n in facts["seq_scans"].items())
            if facts["seq_scans"]
            else "; no seq scan"
        )
        + (f"; sort ({', '.join(facts['sorts'])})" if facts["sorts"] else "; no sort")
        + (f"; ON-DISK SORT ({', '.join(facts['disk_sorts'])})" if facts["disk_sorts"] else "")
        + f"; most rows read by a node {facts['max_rows_read']}"
        + f"; execution {plan['Execution Time']:.3f} ms, planning {plan['Planning Time']:.3f} ms"
    )
    if not quiet:
        print(f"=== {label}")
        print("SQL:", connection.ops.compose_sql(sql, params))
        print(text)
        print("->", verdict, "\n")
    facts["verdict"] = verdict
    facts["plan_text"] = text
    return facts


def explain_read(label: str, read, *, quiet: bool = False) -> list[dict]:
    """Run `read()` (the product's code), then explain each statement it sent."""
    sent = statements(read)
    if not sent:
        raise SystemExit(f"{label}: sent no statement")
    return [
        explain_sql(label if len(sent) == 1 else f"{label} [statement {i} of {len(sent)}]", sql, params, quiet=quiet)
        for i, (sql, params) in enumerate(sent, 1)
    ]


def subjects():
    """The merchant of the largest shop, a CS agent, an administrator (unsaved), a request of that
    shop with a dispute, and the searches' terms."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from sellerdesk.aftersales import names
    from sellerdesk.aftersales.models import AfterSale
    from sellerdesk.identity.models import Role, User
    from sellerdesk.orders.models import Order

    top = AfterSale.objects.values("shop_id").annotate(n=Count("id")).order_by("-n", "shop_id")[0]
    merchant = User.objects.filter(role="merchant", shops__id=top["shop_id"]).first()
    merchant.shop_ids()  # a request looks them up once before its page (a primary-key read): not explained
    cs = User.objects.filter(role="cs").order_by("id").first()
    admin = User(id=0, username="bench-explain-admin", role=Role.ADMIN)  # never saved
    sample = (
        AfterSale.objects.filter(shop_id=top["shop_id"], dispute__isnull=False)
        .select_related("order", "buyer")
        .order_by("-id")
        .first()
    )
    in_shop = AfterSale.objects.filter(shop_id=top["shop_id"]).select_related("buyer").order_by("-id")
    named = in_shop.exclude(buyer__first_name="").first()
    unnamed = in_shop.filter(buyer__first_name="").first()
    months = Order.objects.annotate(m=Substr("order_no", 1, 8)).values("m").annotate(n=Count("id")).order_by("n", "m")
    terms = {
        "prefix": sample.order.order_no[:8],
        "rare_prefix": months[0]["m"],
        # A month a third of the way from the oldest order, as list_latency.py's old_prefix.
        "old_prefix": sorted(m["m"] for m in months)[len(months) // 3],
        "order_no": sample.order.order_no,
        "number": sample.number,
        "nickname": named.buyer.first_name if named else None,
        "unnamed": names.buyer_label("", unnamed.buyer_id) if unnamed else None,
        "username": sample.buyer.username,
    }
    return top, merchant, cs, admin, sample, terms


def scenarios(now):
    """(group, label, read) for every read issue 8 and issue 12 name, as the app runs them."""
    from sellerdesk.aftersales import queries, views
    from sellerdesk.aftersales.access import visible_history
    from sellerdesk.aftersales.api import LIST_VALUES
    from sellerdesk.aftersales.models import AfterSale, Party, Status
    from sellerdesk.core.pagination import _encode_sorted

    top, merchant, cs, admin, sample, terms = subjects()
    who = f"merchant of the largest shop ({top['shop_id']}, {top['n']} requests)"
    print(f"{who}; search terms: {terms}\n")

    def page(user, ordering=None, cursor=None, **filters):
        """GET /api/v1/aftersales?…: the rows of one page, as the endpoint reads them."""
        return lambda: queries.listing(user, now=now, **filters).page(
            ordering=ordering, cursor=cursor, limit=20, values=LIST_VALUES
        )

    def count(user, **filters):
        """售后单查询页's 共 N 条."""
        return lambda: queries.listing(user, now=now, **filters).count(views.LIST_COUNT_CAP)

    def cursor_of(user, ordering=None, **filters):
        return queries.listing(user, now=now, **filters).page(
            ordering=ordering, cursor=None, limit=20, values=LIST_VALUES
        )[1]

    # Past the last deadline of the shop: the page of requests without one (the second statement).
    last_due = (
        queries.filter_aftersales(merchant, now=now)
        .filter(due_at__isnull=False)
        .order_by("-due_at", "-id")
        .values("due_at", "id")
        .first()
    )
    due_tail = _encode_sorted(queries.ORDERINGS["due_at"], last_due) if last_due else None

    out = [
        ("merchant", f"list, default ordering (-created_at) — {who}", page(merchant)),
        ("merchant", f"list page 2 (cursor) — {who}", page(merchant, cursor=cursor_of(merchant))),
        ("merchant", f"list ordering=due_at — {who}", page(merchant, "due_at")),
        (
            "merchant",
            f"list ordering=due_at, past the last deadline (cursor) — {who}",
            page(merchant, "due_at", due_tail),
        ),
        ("merchant", f"list ordering=-amount_fen — {who}", page(merchant, "-amount_fen")),
        (
            "merchant",
            f"list ordering=-amount_fen page 2 (cursor) — {who}",
            page(merchant, "-amount_fen", cursor_of(merchant, "-amount_fen")),
        ),
        ("merchant", f"list quick=disputes_pending — {who}", page(merchant, quick="disputes_pending")),
        (
            "merchant",
            f"list quick=disputes_pending ordering=due_at — {who}",
            page(merchant, "due_at", quick="disputes_pending"),
        ),
        (
            "merchant",
            f"list status=dispute_awaiting_evidence — {who}",
            page(merchant, statuses=[Status.DISPUTE_AWAITING_EVIDENCE]),
        ),
        ("merchant", f"query page count (共 N 条), no filter — {who}", count(merchant)),
        (
            "search",
            f"search q={terms['prefix']} (order no. prefix, 8 chars) — {who}",
            page(merchant, q=terms["prefix"]),
        ),
        (
            "search",
            f"search q={terms['prefix']} ordering=-amount_fen — {who}",
            page(merchant, "-amount_fen", q=terms["prefix"]),
        ),
        ("search", f"query page count (共 N 条), q={terms['prefix']} — {who}", count(merchant, q=terms["prefix"])),
        ("search", f"search by order no. (whole) — {who}", page(merchant, q=terms["order_no"])),
        ("search", f"search by after-sales no. — {who}", page(merchant, q=terms["number"])),
        ("search", f"search by buyer nickname q={terms['nickname']} — {who}", page(merchant, q=terms["nickname"])),
        ("search", f"search by buyer shown name q={terms['unnamed']} — {who}", page(merchant, q=terms["unnamed"])),
        ("search", f"search by buyer account — {who}", page(merchant, q=terms["username"])),
        ("cs", "CS API list, default ordering (GET /aftersales as CS)", page(cs)),
        ("cs", "CS API list ordering=due_at", page(cs, "due_at")),
        ("cs", "CS API list ordering=-amount_fen", page(cs, "-amount_fen")),
        ("cs", "CS API list quick=disputes_pending", page(cs, quick="disputes_pending")),
        ("cs", "CS API list status=dispute_platform_review", page(cs, statuses=[Status.DISPUTE_PLATFORM_REVIEW])),
        ("cs", "CS API list status=dispute_awaiting_evidence", page(cs, statuses=[Status.DISPUTE_AWAITING_EVIDENCE])),
        ("cs", "CS API list status=closed (ended disputes)", page(cs, statuses=[Status.CLOSED])),
        ("cs", "CS API list status=closed ordering=-amount_fen", page(cs, "-amount_fen", statuses=[Status.CLOSED])),
        ("cs", "CS API list status=refunded ordering=due_at", page(cs, "due_at", statuses=[Status.REFUNDED])),
        ("cs", f"CS search q={terms['prefix']} (order no. prefix)", page(cs, q=terms["prefix"])),
        ("cs", f"CS search q={terms['old_prefix']} (an older month)", page(cs, q=terms["old_prefix"])),
        (
            "cs",
            f"CS search q={terms['rare_prefix']} (the month with the fewest orders)",
            page(cs, q=terms["rare_prefix"]),
        ),
        ("cs", f"CS search by buyer nickname q={terms['nickname']}", page(cs, q=terms["nickname"])),
        ("cs", "CS search by order no. (whole)", page(cs, q=terms["order_no"])),
        ("admin", "admin API list, default ordering (every request)", page(admin)),
        ("admin", "admin API list ordering=due_at", page(admin, "due_at")),
        ("admin", "admin API list ordering=-amount_fen", page(admin, "-amount_fen")),
        ("admin", f"admin search q={terms['prefix']} (order no. prefix)", page(admin, q=terms["prefix"])),
        ("admin", f"admin search q={terms['old_prefix']} (an older month)", page(admin, q=terms["old_prefix"])),
        (
            "admin",
            "admin API list status=refunded ordering=-amount_fen",
            page(admin, "-amount_fen", statuses=[Status.REFUNDED]),
        ),
        (
            "admin",
            f"admin search q={terms['rare_prefix']} (the month with the fewest orders)",
            page(admin, q=terms["rare_prefix"]),
        ),
        ("admin", f"admin search by buyer nickname q={terms['nickname']}", page(admin, q=terms["nickname"])),
        ("admin", "admin query page count (共 N 条), no filter", count(admin)),
        ("cs", "CS queue, first page (page and GET /cs/queue)", lambda: queries.cs_queue(cs, limit=50, now=now)),
    ]
    _, mid_cursor, _ = queries.cs_queue(cs, limit=50, now=now)
    if mid_cursor:
        _, _, back_cursor = queries.cs_queue(cs, cursor=mid_cursor, limit=50, now=now)
        out.append(
            (
                "cs",
                "CS queue, page 2 (下一页 cursor)",
                lambda: queries.cs_queue(cs, cursor=mid_cursor, limit=50, now=now),
            )
        )
        if back_cursor:
            out.append(
                (
                    "cs",
                    "CS queue, 上一页 from page 2",
                    lambda: queries.cs_queue(cs, cursor=back_cursor, limit=50, now=now),
                )
            )
    loaded = AfterSale.objects.get(pk=sample.pk)
    out += [
        ("cs", "CS queue counts (共 N 件, 协商中; capped)", lambda: queries.queue_counts(cs, now=now)),
        (
            "detail",
            f"detail (load_for_detail) — {sample.number}",
            lambda: list(queries.load_for_detail(queries.aftersales_visible_to(merchant)).filter(pk=sample.pk)[:1]),
        ),
        (
            "detail",
            "history (visible_history, the party's view)",
            lambda: list(visible_history(loaded, Party.MERCHANT)),
        ),
    ]
    return out


def sweep(now) -> None:
    from sellerdesk.aftersales.api import LIST_VALUES
    from sellerdesk.aftersales.queries import listing
    from sellerdesk.identity.models import User

    times, seq = [], 0
    for user in User.objects.filter(role="merchant").order_by("id"):
        user.shop_ids()  # looked up once per request, before the page: not timed here
        for facts in explain_read(
            "sweep",
            lambda: listing(user, quick="disputes_pending", now=now).page(
                ordering=None, cursor=None, limit=20, values=LIST_VALUES
            ),
            quiet=True,
        ):
            times.append(facts["execution_ms"] + facts.get("planning_ms", 0))
            seq += any(_many(n) for n in facts["seq_scans"].values())
    times.sort()
    print(
        f"=== quick=disputes_pending (default ordering) for all {len(times)} merchants (planning + execution, ms): "
        f"p50 {common.percentile(times, 50):.2f}  p95 {common.percentile(times, 95):.2f}  "
        f"p99 {common.percentile(times, 99):.2f}  max {times[-1]:.2f}; plans with a seq scan: {seq}\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    parser.add_argument("--only", choices=["merchant", "search", "cs", "admin", "detail"], help="one group of plans")
    parser.add_argument("--sweep", action="store_true", help="also the disputes_pending plan of every merchant")
    parser.add_argument("--json", help="also write the verdicts to this file")
    args = parser.parse_args()
    common.setup_django(args.database)

    from sellerdesk.aftersales.models import AfterSale
    from sellerdesk.core import clock

    now = clock.now()
    print(f"{AfterSale.objects.count():,} after-sales requests in {args.database}\n")
    results = [
        facts
        for group, label, read in scenarios(now)
        if not args.only or group == args.only
        for facts in explain_read(label, read)
    ]
    print("=== summary")
    for r in results:
        print(f"{r['label']}\n    {r['verdict']}")
    bad = [r["label"] for r in results if any(_many(n) for n in r.get("seq_scans", {}).values()) or r.get("disk_sorts")]
    empty = sorted({t for r in results for t, n in r.get("seq_scans", {}).items() if not _many(n)})
    print(
        f"\nplans with an on-disk sort or a sequential scan of more than {SMALL_SCAN} rows: "
        + ("; ".join(bad) if bad else "none")
        + (f"\n(sequential scans of small tables, fine: {', '.join(empty)})" if empty else "")
    )
    if args.sweep:
        sweep(now)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
