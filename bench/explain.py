"""EXPLAIN (ANALYZE, BUFFERS) of the merchant workbench lists on the bench database.

    .venv/bin/python bench/explain.py --database sellerdesk_bench

Builds the exact queryset GET /aftersales runs (filter_aftersales(...).order_by('-id')[:21], the
page of 20 plus one to know whether there is a next page) for `quick=disputes_pending` and for
`status=dispute_awaiting_evidence`, for the merchant of the largest shop and of a median one,
prints the SQL and the plan, and says which indexes of aftersales_aftersale the plan uses. Then
runs the disputes_pending query's EXPLAIN ANALYZE for every merchant and sums up how its plan and
time vary with the shop's size, for the query as built today and for the rewrite proposed in
docs/benchmarks.md (built here, in bench/, only to measure it; the app is unchanged).
"""
import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TABLE = "aftersales_aftersale"


def walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)


def table_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def describe(plan: dict, indexes: set[str]) -> dict:
    """Which indexes of the table the plan reads, which tables it scans sequentially, and the
    subplans PostgreSQL hashed (built once per query) with the rows each was built from."""
    nodes = list(walk(plan))
    hashed_names = {m for n in nodes for m in re.findall(r"hashed (SubPlan \d+)", n.get("Filter", ""))}
    return {
        "indexes": sorted({f"{n['Node Type']} using {n['Index Name']}" for n in nodes if n.get("Index Name") in indexes}),
        "seq_scans": sorted({n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}),
        "hashed_subplan": bool(hashed_names),
        "hashed_rows": [n.get("Actual Rows") for n in nodes if n.get("Subplan Name") in hashed_names],
    }


def proposed_disputes_pending(user, now):
    """The rewrite recommended in docs/benchmarks.md, built here only to measure it: the
    supplement branch as an uncorrelated `id IN (...)` scoped to the caller's own requests awaiting
    supplement, instead of an EXISTS PostgreSQL may hash over every open evidence request."""
    from django.db.models import Q

    from sellerdesk.aftersales.access import aftersales_visible_to
    from sellerdesk.aftersales.models import EvidenceRequest, Party, Status

    supplement = Status.DISPUTE_AWAITING_SUPPLEMENT
    waiting_on_merchant = EvidenceRequest.objects.filter(
        state="open", party=Party.MERCHANT,
        dispute__aftersale__in=aftersales_visible_to(user).filter(status=supplement),
    ).values("dispute__aftersale_id")
    return (aftersales_visible_to(user)
            .filter(Q(status=Status.DISPUTE_AWAITING_EVIDENCE) | Q(status=supplement, pk__in=waiting_on_merchant))
            .select_related("order", "buyer", "dispute"))


def merchants_to_show():
    from django.db.models import Count

    from sellerdesk.aftersales.models import AfterSale
    from sellerdesk.identity.models import User

    sizes = list(AfterSale.objects.values("shop_id").annotate(n=Count("id")).order_by("-n", "shop_id"))
    picks = [("largest shop", sizes[0]), ("median shop", sizes[len(sizes) // 2])]
    out = []
    for label, row in picks:
        user = User.objects.filter(role="merchant", shops__id=row["shop_id"]).first()
        out.append((f"{label} (shop {row['shop_id']}, {row['n']} requests)", user))
    return out


def explain(label: str, qs) -> None:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    print(f"=== {label}")
    print("SQL:", connection.ops.compose_sql(sql, params))
    print(text)
    facts = describe(plan["Plan"], table_indexes())
    print(f"-> {TABLE}: " + (", ".join(facts["indexes"]) or "NO INDEX"))
    if facts["seq_scans"]:
        print(f"-> sequential scans: {', '.join(facts['seq_scans'])}")
    if facts["hashed_subplan"]:
        print(f"-> a subquery runs as a hashed subplan, built once per query from "
              f"{', '.join(str(r) for r in facts['hashed_rows'])} rows")
    print(f"-> execution {plan['Execution Time']:.3f} ms, planning {plan['Planning Time']:.3f} ms\n")


def run_plan(qs) -> dict:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def sweep(now) -> None:
    """The disputes_pending query for every merchant, as built today and as proposed: how the plan
    and its time vary with the shop's size, and whether the rewrite returns the same rows."""
    from sellerdesk.aftersales.queries import filter_aftersales
    from sellerdesk.identity.models import User

    indexes = table_indexes()
    stats = {"current": [], "proposed": []}
    differ = 0
    for user in User.objects.filter(role="merchant").order_by("id"):
        current = filter_aftersales(user, quick="disputes_pending", now=now).order_by("-id")
        proposed = proposed_disputes_pending(user, now).order_by("-id")
        if list(current.values_list("id", flat=True)) != list(proposed.values_list("id", flat=True)):
            differ += 1
        for name, qs in (("current", current), ("proposed", proposed)):
            plan = run_plan(qs[:21])
            facts = describe(plan["Plan"], indexes)
            stats[name].append((plan["Execution Time"] + plan["Planning Time"], plan["Execution Time"],
                                facts["hashed_subplan"] and any(n.get("Node Type") == "Seq Scan"
                                                                for n in walk(plan["Plan"])),
                                bool(facts["indexes"]) and not facts["seq_scans"]))
    for name, results in stats.items():
        total = sorted(r[0] for r in results)
        slow = [r for r in results if r[2]]
        print(f"=== quick=disputes_pending, {name} query, all {len(results)} merchants "
              "(planning + execution, ms)")
        print(f"p50 {common.percentile(total, 50):.2f}  p95 {common.percentile(total, 95):.2f}  "
              f"p99 {common.percentile(total, 99):.2f}  max {total[-1]:.2f}")
        print(f"plans using an index of {TABLE} and no sequential scan anywhere: {sum(r[3] for r in results)}")
        print(f"plans hashing every open evidence request (seq scan of aftersales_dispute): {len(slow)}"
              + (f", execution {min(r[1] for r in slow):.1f}-{max(r[1] for r in slow):.1f} ms" if slow else "")
              + "\n")
    print(f"merchants whose rows differ between the current and the proposed query: {differ}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    args = parser.parse_args()
    common.setup_django(args.database)

    from sellerdesk.aftersales.queries import filter_aftersales
    from sellerdesk.core import clock

    now = clock.now()
    for who, user in merchants_to_show():
        for label, kwargs in [("quick=disputes_pending", {"quick": "disputes_pending"}),
                              ("status=dispute_awaiting_evidence", {"statuses": ["dispute_awaiting_evidence"]})]:
            qs = filter_aftersales(user, now=now, **kwargs).order_by("-id")[:21]
            list(qs.all())  # warm the cache, as a live workbench would be
            explain(f"{label} — merchant of the {who}", qs)
        explain(f"PROPOSED quick=disputes_pending rewrite — merchant of the {who}",
                proposed_disputes_pending(user, now).order_by("-id")[:21])
    sweep(now)


if __name__ == "__main__":
    main()
