"""SQL queries per API request on the bench database: does any count grow with the page size?

    .venv/bin/python bench/query_counts.py --database sellerdesk_bench [--show-sql]

Calls the API in-process with django.test.Client and a Bearer token, counting queries with
CaptureQueriesContext: GET /aftersales at limit 5 and 50 (the default order, ordering=due_at and
-amount_fen, quick=disputes_pending, the status filter, an order-number prefix and a buyer's
nickname, as the merchant of the largest shop; plain as a buyer with many requests; plain and the
prefix as CS), then GET /aftersales/{id} and /history for a short and a long history; the CS
queue API at limit 5 and 50 and its second page; then the pages (session cookie): 售后工作台首页,
售后单查询/管理 list (plain, a whole order number, its prefix, ordering=due_at at 100 a page),
退款详情, 协商历史 and the CS queue page 1 and 2. Reads only; the tokens and sessions it makes are
deleted at the end.
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TOKEN_NAME = "bench-query-counts"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    parser.add_argument("--show-sql", action="store_true", help="print every query of every request")
    args = parser.parse_args()
    common.setup_django(args.database)

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sellerdesk.aftersales.models import AfterSale, HistoryEntry
    from sellerdesk.identity.models import ApiToken, User

    shop_id = AfterSale.objects.values("shop_id").annotate(n=Count("id")).order_by("-n")[0]["shop_id"]
    merchant = User.objects.filter(role="merchant", shops__id=shop_id).first()
    buyer_id = AfterSale.objects.values("buyer_id").annotate(n=Count("id")).order_by("-n")[0]["buyer_id"]
    buyer = User.objects.get(pk=buyer_id)
    # Shortest and longest histories of a dispute in that shop (the detail page's heaviest case).
    in_shop = (
        HistoryEntry.objects.filter(aftersale__shop_id=shop_id, aftersale__dispute__isnull=False)
        .values("aftersale_id")
        .annotate(n=Count("id"))
    )
    short = in_shop.order_by("n", "aftersale_id").first()
    long = in_shop.order_by("-n", "aftersale_id").first()

    def client(user):
        _, raw = ApiToken.issue(user, name=TOKEN_NAME)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    cs = User.objects.filter(role="cs").order_by("id").first()
    clients = {"merchant": client(merchant), "buyer": client(buyer), "cs": client(cs)}
    pages = {}
    for role, user in (("merchant", merchant), ("cs", cs)):
        pages[role] = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
        pages[role].force_login(user)

    def count_page(role, path):
        pages[role].get(path)  # the session and the translations warm
        with CaptureQueriesContext(connection) as ctx:
            response = pages[role].get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        if args.show_sql:
            print(f"--- {role} page {path}")
            for q in ctx.captured_queries:
                print("   ", q["sql"][:400])
        return len(ctx.captured_queries), response.content.decode().count("<tr data-aftersale=")

    def count(role, path):
        with CaptureQueriesContext(connection) as ctx:
            response = clients[role].get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        data = response.json()
        items = (
            len(data["items"])
            if isinstance(data, dict) and "items" in data
            else (len(data) if isinstance(data, list) else 1)
        )
        if args.show_sql:
            print(f"--- {role} GET {path}")
            for q in ctx.captured_queries:
                print("   ", q["sql"][:400])
        return len(ctx.captured_queries), items

    in_shop = AfterSale.objects.filter(shop_id=shop_id).order_by("id")
    # The searches of issue 12: an order number's first 8 characters (a month), a buyer's nickname.
    prefix = in_shop.values_list("order__order_no", flat=True)[0][:8]
    nickname = in_shop.exclude(buyer__first_name="").values_list("buyer__first_name", flat=True).first() or "-"
    try:
        print(
            f"merchant of the largest shop ({shop_id}); buyer {buyer.username} "
            f"({AfterSale.objects.filter(buyer=buyer).count()} requests)\n"
        )
        print(f"{'request':66} {'queries':>8} {'items':>6}")
        grows = []
        for role, base in [
            ("merchant", "/api/v1/aftersales?"),
            ("merchant", "/api/v1/aftersales?ordering=due_at&"),
            ("merchant", "/api/v1/aftersales?ordering=-amount_fen&"),
            ("merchant", "/api/v1/aftersales?quick=disputes_pending&"),
            ("merchant", "/api/v1/aftersales?status=dispute_awaiting_evidence&"),
            ("merchant", f"/api/v1/aftersales?q={prefix}&"),
            ("merchant", f"/api/v1/aftersales?q={quote(nickname)}&"),
            ("buyer", "/api/v1/aftersales?"),
            ("cs", "/api/v1/aftersales?"),
            ("cs", f"/api/v1/aftersales?q={prefix}&"),
        ]:
            count(role, base + "limit=1")  # first call of a client: nothing cached either way
            small = count(role, base + "limit=5")
            big = count(role, base + "limit=50")
            for limit, (n, items) in ((5, small), (50, big)):
                name = f"{role} GET {base.removeprefix('/api/v1')}limit={limit}"
                print(f"{name:66} {n:>8} {items:>6}")
            if big[0] != small[0]:
                grows.append(base)
        for label, row in (("short", short), ("long", long)):
            for suffix in ("", "/history"):
                n, items = count("merchant", f"/api/v1/aftersales/{row['aftersale_id']}{suffix}")
                name = f"merchant GET /aftersales/<id>{suffix} ({label}, {row['n']} entries)"
                print(f"{name:66} {n:>8} {items:>6}")
        small, big = count("cs", "/api/v1/cs/queue?limit=5"), count("cs", "/api/v1/cs/queue?limit=50")
        print(f"{'cs GET /cs/queue?limit=5':66} {small[0]:>8} {small[1]:>6}")
        print(f"{'cs GET /cs/queue?limit=50':66} {big[0]:>8} {big[1]:>6}")
        if big[0] != small[0]:
            grows.append("/cs/queue")
        next_cursor = clients["cs"].get("/api/v1/cs/queue?limit=50").json()["next_cursor"]
        n, items = count("cs", f"/api/v1/cs/queue?limit=50&cursor={next_cursor}")
        print(f"{'cs GET /cs/queue?limit=50&cursor=… (page 2)':66} {n:>8} {items:>6}")
        order_no = AfterSale.objects.filter(shop_id=shop_id).order_by("id").values_list("order__order_no", flat=True)[0]
        print(f"\n{'page (session)':66} {'queries':>8} {'rows':>6}")
        for role, path in [
            ("merchant", "/workbench/"),
            ("merchant", "/workbench/aftersales/"),
            ("merchant", "/workbench/aftersales/?quick=disputes_pending"),
            ("merchant", f"/workbench/aftersales/?q={order_no}"),
            ("merchant", f"/workbench/aftersales/?q={prefix}"),
            ("merchant", "/workbench/aftersales/?ordering=due_at&limit=100"),
            ("merchant", f"/workbench/aftersales/{long['aftersale_id']}/"),
            ("merchant", f"/workbench/aftersales/{long['aftersale_id']}/history/"),
            ("cs", "/cs/"),
            ("cs", f"/cs/?cursor={next_cursor}"),
        ]:
            n, rows = count_page(role, path)
            print(f"{role + ' ' + path:66} {n:>8} {rows:>6}")
        print("\nquery count grows with the page size: " + ("YES for " + ", ".join(grows) if grows else "no"))
    finally:
        ApiToken.objects.filter(name=TOKEN_NAME).delete()
        from django.contrib.sessions.models import Session

        keys = [c.cookies[settings.SESSION_COOKIE_NAME].value for c in pages.values()]
        Session.objects.filter(session_key__in=keys).delete()


if __name__ == "__main__":
    main()
