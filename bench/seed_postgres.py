"""Seed a PostgreSQL database for the benchmarks.

    .venv/bin/python bench/seed_postgres.py --database sellerdesk_bench

Drops and recreates the database on 127.0.0.1:5432 (user postgres, trust auth), runs the
migrations into it, then writes 1,000 shops (each with an enterprise subject and a merchant
user), 20,000 buyers, 100,000 paid orders and 100,000 after-sales requests with their disputes,
evidence requests, evidence, rulings, refunds and negotiation history, and ANALYZEs.

This is a benchmark fixture, not product code: rows are written directly with COPY, bypassing the
actions (which would take hours for 100,000 requests and fire tasks and outbox events nobody
reads here). The rows are shaped like what the actions write (same statuses, due times, open
evidence requests, history kinds), so the read side sees what production would. Model instances
are built first so every field's Python default applies; ids are assigned here and the sequences
reset afterwards.

The mix (per 100 requests): 55 refunded, 17 closed, 8 cancelled (together 80 final), 5 awaiting
the merchant, 2 awaiting the buyer's return, 1.5 awaiting receipt, 2 rejected by the merchant,
5 disputes awaiting the merchant's evidence (the 纠纷待处理 list), 2.5 in platform review and 2
awaiting supplementary evidence (half asked of the merchant, half of the buyer). Shop sizes
follow a log-normal curve (most shops ~60-100 requests, the largest ~1,000), as real shops do.
"""
import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TOTAL_SHOPS = 1_000
TOTAL_BUYERS = 20_000
TOTAL_AFTERSALES = 100_000
TOTAL_CS = 10
PASSWORD = "sellerdesk-bench"

STATUS_MIX = [  # (status, weight per 1000)
    ("refunded", 550), ("closed", 170), ("cancelled", 80),
    ("awaiting_merchant", 50), ("awaiting_return", 20), ("awaiting_receipt", 15),
    ("merchant_rejected", 20),
    ("dispute_awaiting_evidence", 50), ("dispute_platform_review", 25), ("dispute_awaiting_supplement", 20),
]
REASONS = ["商品质量问题", "与描述不符", "少件/漏发", "不想要了", "尺码不合适", "收到商品破损", "发错货"]


def recreate_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    if name in common.PROTECTED:
        sys.exit(f"refusing to drop the database {name!r}")
    with psycopg.connect(host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def copy_instances(model, objs) -> int:
    """COPY unsaved model instances (ids already set) into the model's table; every concrete column."""
    from django.db import connection, models
    from psycopg import sql
    from psycopg.types.json import Jsonb

    fields = list(model._meta.concrete_fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields))
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            row = [getattr(obj, f.attname) for f in fields]
            for i in json_at:
                row[i] = Jsonb(row[i])
            copy.write_row(row)
            count += 1
    return count


def credit_code(n: int) -> str:
    """A checksum-valid, unique 统一社会信用代码 for subject n."""
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    digits = []
    for _ in range(9):
        n, r = divmod(n, len(alphabet))
        digits.append(alphabet[r])
    body = "91110105" + "".join(reversed(digits))
    return body + uscc.calc_check_digit(body)


class World:
    """Builds every row in memory with explicit ids, then writes them table by table."""

    def __init__(self, rng: random.Random, now):
        self.rng, self.now = rng, now
        self.rows: dict[type, list] = {}
        self.next_id: dict[type, int] = {}

    def add(self, model, **fields):
        pk = self.next_id.get(model, 1)
        self.next_id[model] = pk + 1
        obj = model(id=pk, **fields)
        self.rows.setdefault(model, []).append(obj)
        return obj

    def hours(self, lo: float, hi: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(lo, hi) * 3600))


def build(rng: random.Random, now) -> World:
    from django.contrib.auth.hashers import make_password

    from sellerdesk.aftersales.models import (
        AfterSale,
        Dispute,
        Evidence,
        EvidenceRequest,
        HistoryEntry,
        Refund,
        Ruling,
    )
    from sellerdesk.identity.models import Shop, Subject, User
    from sellerdesk.orders.models import Order, OrderItem

    w = World(rng, now)
    h = w.hours
    password = make_password(PASSWORD)  # hashed once: 21,000 PBKDF2 runs would take minutes

    shops, merchants = [], []
    for i in range(1, TOTAL_SHOPS + 1):
        subject = w.add(Subject, kind="enterprise", legal_name=f"压测商贸{i:04d}有限公司",
                        id_number=credit_code(i), verified_at=now - timedelta(days=400))
        shop = w.add(Shop, name=f"压测店铺{i:04d}", subject_id=subject.id)
        merchant = w.add(User, username=f"bench_merchant{i:04d}", password=password, role="merchant",
                         date_joined=now - timedelta(days=400))
        w.add(User.shops.through, user_id=merchant.id, shop_id=shop.id)
        shops.append(shop)
        merchants.append(merchant)
    for i in range(1, TOTAL_BUYERS + 1):
        w.add(User, username=f"bench_buyer{i:05d}", password=password, role="buyer",
              date_joined=now - timedelta(days=rng.uniform(200, 800)))
    buyer_ids = [u.id for u in w.rows[User] if u.role == "buyer"]
    cs_users = [w.add(User, username=f"bench_cs{i:02d}", password=password, role="cs", is_staff=True)
                for i in range(1, TOTAL_CS + 1)]
    merchant_of_shop = {s.id: m.id for s, m in zip(shops, merchants)}

    # Shop sizes: log-normal weights, so a few big shops and a long tail of small ones.
    weights = [rng.lognormvariate(0, 0.8) for _ in shops]
    shop_ids = [s.id for s in shops]
    statuses, status_weights = zip(*STATUS_MIX)

    # Draw every request's shape first, then give ids in creation order, as production would.
    plans = []
    for _ in range(TOTAL_AFTERSALES):
        status = rng.choices(statuses, status_weights)[0]
        if status in ("refunded", "closed", "cancelled"):
            created = now - h(10 * 24, 180 * 24)
        elif status == "awaiting_merchant":
            created = now - h(0.1, 47)
        elif status.startswith("dispute_"):
            created = now - h(4 * 24, 6 * 24)
        else:
            created = now - h(24, 5 * 24)
        plans.append((created, status))
    plans.sort(key=lambda p: p[0])
    shop_draws = rng.choices(shop_ids, weights, k=TOTAL_AFTERSALES)

    for n, ((created, status), shop_id) in enumerate(zip(plans, shop_draws), start=1):
        buyer_id = rng.choice(buyer_ids)
        merchant_id = merchant_of_shop[shop_id]
        cs_id = rng.choice(cs_users).id
        paid_fen = rng.choice([1990, 4900, 9900, 12900, 19900, 29900, 59900, 129900])
        paid_at = created - h(2, 10 * 24)
        order = w.add(Order, order_no=f"BO{paid_at:%Y%m%d}{n:08d}", shop_id=shop_id, buyer_id=buyer_id,
                      paid_fen=paid_fen, paid_at=paid_at, created_at=paid_at)
        w.add(OrderItem, order_id=order.id, sku=f"SKU-{rng.randint(1, 500):04d}", title="压测商品",
              quantity=1, unit_price_fen=paid_fen)
        needs_return = status in ("awaiting_return", "awaiting_receipt") or (
            status == "refunded" and rng.random() < 0.35)
        kind = "return_refund" if needs_return else "refund_only"
        amount = paid_fen if rng.random() < 0.8 else max(1, paid_fen // 2)
        reason = rng.choice(REASONS)
        a = w.add(AfterSale, number=f"AS{created:%Y%m%d}{n:010d}", order_id=order.id, shop_id=shop_id,
                  buyer_id=buyer_id, type=kind, status=status, amount_fen=amount, reason=reason,
                  description="", created_at=created, updated_at=created)
        t = created
        history = []

        def step(kind_, role, actor, after: timedelta, body="", **data):
            nonlocal t
            t = min(t + after, now)
            history.append(dict(kind=kind_, actor_role=role, actor_id=actor, at=t, body=body, data=data))
            return t

        def open_dispute(within: timedelta | None = None):
            """Rejected, then escalated; returns (dispute, escalated_at)."""
            rejected = step("rejected", "merchant", merchant_id, h(1, 40), body="不符合售后条件")
            a.rejection_reason = "不符合售后条件"
            a.escalation_due_at = rejected + timedelta(days=7)
            if within is None:
                escalated = step("escalated", "buyer", buyer_id, h(1, 30), body="商家拒绝,申请平台介入")
            else:  # an open dispute: escalated `within` ago (never before the rejection)
                escalated = max(now - within, rejected + timedelta(hours=1))
                history.append(dict(kind="escalated", actor_role="buyer", actor_id=buyer_id, at=escalated,
                                    body="商家拒绝,申请平台介入", data={}))
            d = w.add(Dispute, aftersale_id=a.id, status="awaiting_evidence", escalation_reason="商家拒绝,申请平台介入",
                      opened_at=escalated, evidence_due_at=escalated + timedelta(hours=24))
            return d, escalated

        def first_evidence(d, escalated, *, submitted: bool):
            nonlocal t
            er = w.add(EvidenceRequest, dispute_id=d.id, party="merchant", initial=True,
                       note="纠纷协商期:商家需在24小时内提交举证或同意售后", requested_at=escalated,
                       due_at=d.evidence_due_at, state="fulfilled" if submitted else "lapsed")
            t = escalated
            if submitted:
                at = step("evidence_submitted", "merchant", merchant_id, h(0.5, 23), body="已按约发货,附物流凭证")
                w.add(Evidence, dispute_id=d.id, request_id=er.id, party="merchant", submitted_by_id=merchant_id,
                      statement="已按约发货,附物流凭证", submitted_at=at)
                d.evidence_submitted_at = at
            else:
                at = d.evidence_due_at
                history.append(dict(kind="evidence_timed_out", actor_role="system", actor_id=None, at=at,
                                    body="", data={}))
                d.timed_out = True
            er.closed_at = at
            d.status, d.review_started_at = "platform_review", at
            t = at
            return at

        def rule(d, outcome, liable, refund_fen):
            at = step("ruled", "cs", cs_id, h(2, 48), body="根据双方凭证判定", outcome=outcome, liable=liable)
            w.add(Ruling, dispute_id=d.id, outcome=outcome, amount_fen=refund_fen, liable=liable,
                  note="根据双方凭证判定", evidence_considered=[], ruled_by_id=cs_id, ruled_at=at)
            d.status, d.outcome, d.liable, d.resolved_at = "resolved", outcome, liable, at
            return at

        def refund(at, source):
            w.add(Refund, aftersale_id=a.id, order_id=order.id, amount_fen=amount, source=source, created_at=at)
            order.refunded_fen = amount
            step("refunded", "system", None, timedelta(0), amount_fen=amount)

        step("created", "buyer", buyer_id, timedelta(0), body=reason, type=kind, amount_fen=amount, reason=reason)
        if status == "awaiting_merchant":
            a.due_at = created + timedelta(hours=48)
        elif status == "awaiting_return":
            a.due_at = step("approved", "merchant", merchant_id, h(1, 24)) + timedelta(days=7)
        elif status == "awaiting_receipt":
            step("approved", "merchant", merchant_id, h(1, 24))
            a.return_carrier, a.return_tracking_no = "顺丰速运", f"SF{rng.randint(10**11, 10**12 - 1)}"
            a.due_at = step("return_shipped", "buyer", buyer_id, h(2, 48),
                            carrier="顺丰速运", tracking_no=a.return_tracking_no) + timedelta(days=10)
        elif status == "merchant_rejected":
            open_at = step("rejected", "merchant", merchant_id, h(1, 40), body="不符合售后条件")
            a.rejection_reason = "不符合售后条件"
            a.escalation_due_at = a.due_at = open_at + timedelta(days=7)
        elif status == "dispute_awaiting_evidence":
            # Escalated within the last 23 h: the merchant's 24 h evidence window is still open.
            d, escalated = open_dispute(within=h(0.2, 23))
            w.add(EvidenceRequest, dispute_id=d.id, party="merchant", initial=True,
                  note="纠纷协商期:商家需在24小时内提交举证或同意售后", requested_at=escalated,
                  due_at=d.evidence_due_at, state="open")
            a.due_at = d.evidence_due_at
            if rng.random() < 0.3:
                history.append(dict(kind="message", actor_role="buyer", actor_id=buyer_id,
                                    at=min(escalated + h(0.1, 1), now), body="请尽快处理", data={}))
        elif status == "dispute_platform_review":
            d, escalated = open_dispute(within=h(30, 96))
            first_evidence(d, escalated, submitted=rng.random() < 0.8)
        elif status == "dispute_awaiting_supplement":
            d, escalated = open_dispute(within=h(30, 96))
            first_evidence(d, escalated, submitted=True)
            party = "merchant" if rng.random() < 0.5 else "buyer"
            asked = now - h(0.5, 20)
            due = asked + timedelta(hours=24)
            w.add(EvidenceRequest, dispute_id=d.id, party=party, initial=False, note="请补充物流签收凭证",
                  requested_by_id=cs_id, requested_at=asked, due_at=due, state="open")
            history.append(dict(kind="evidence_requested", actor_role="cs", actor_id=cs_id, at=asked,
                                body="请补充物流签收凭证", data={"party": party, "due_at": due.isoformat()}))
            d.status, a.due_at = "awaiting_supplement", due
        elif status == "refunded":
            if rng.random() < 0.05:
                d, escalated = open_dispute()
                first_evidence(d, escalated, submitted=rng.random() < 0.7)
                refund(rule(d, "refund", "merchant", amount), "ruling")
            elif kind == "return_refund":
                step("approved", "merchant", merchant_id, h(1, 24))
                step("return_shipped", "buyer", buyer_id, h(2, 72), carrier="中通快递", tracking_no=f"ZT{n:010d}")
                refund(step("receipt_confirmed", "merchant", merchant_id, h(12, 120)), "receipt_confirmed")
            elif rng.random() < 0.1:
                refund(step("auto_approved", "system", None, timedelta(hours=48)), "auto_approved")
            else:
                refund(step("approved", "merchant", merchant_id, h(0.2, 30)), "merchant_approved")
        elif status == "closed":
            if rng.random() < 0.3:
                d, escalated = open_dispute()
                first_evidence(d, escalated, submitted=True)
                rule(d, "no_refund", "buyer", 0)
            else:
                rejected = step("rejected", "merchant", merchant_id, h(1, 40), body="不符合售后条件")
                a.rejection_reason = "不符合售后条件"
                a.escalation_due_at = rejected + timedelta(days=7)
                t = a.escalation_due_at
                history.append(dict(kind="escalation_window_closed", actor_role="system", actor_id=None,
                                    at=t, body="", data={}))
        elif status == "cancelled":
            if rng.random() < 0.15:
                d, escalated = open_dispute()
                er = w.add(EvidenceRequest, dispute_id=d.id, party="merchant", initial=True, note="",
                           requested_at=escalated, due_at=d.evidence_due_at, state="withdrawn")
                at = step("cancelled", "buyer", buyer_id, h(0.5, 20))
                er.closed_at = d.resolved_at = at
                d.status = "cancelled"
            else:
                step("cancelled", "buyer", buyer_id, h(0.5, 40))

        last = max(e["at"] for e in history)
        a.updated_at = last
        if status in ("refunded", "closed", "cancelled"):
            a.closed_at = last
        for e in sorted(history, key=lambda e: e["at"]):
            w.add(HistoryEntry, aftersale_id=a.id, at=e["at"], actor_id=e["actor_id"], actor_role=e["actor_role"],
                  kind=e["kind"], body=e["body"], data=e["data"], visibility="all")
    return w


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (same seed, same data)")
    args = parser.parse_args()
    name = common.check_name(args.database)

    started = time.perf_counter()
    recreate_database(name)
    common.setup_django(name)
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from sellerdesk.core import clock

    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()

    world = build(random.Random(args.seed), clock.now())
    built = time.perf_counter()

    counts = {}
    with transaction.atomic():
        # Parents before children; the model order of insertion is the dict's.
        for model, objs in world.rows.items():
            counts[model._meta.label] = copy_instances(model, objs)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(world.rows)):
                cursor.execute(statement)
    copied = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyzed = time.perf_counter()

    for label, count in counts.items():
        print(f"{label:32} {count:>9,}")
    from sellerdesk.aftersales.models import AfterSale
    from django.db.models import Count

    print("\nafter-sales by status:")
    for row in AfterSale.objects.values("status").annotate(n=Count("id")).order_by("-n"):
        print(f"  {row['status']:30} {row['n']:>7,}")
    print(f"\nseeded {name} in {analyzed - started:.1f} s "
          f"(create + migrate {migrated - started:.1f} s, build rows {built - migrated:.1f} s, "
          f"COPY {copied - built:.1f} s, ANALYZE {analyzed - copied:.1f} s)")


if __name__ == "__main__":
    main()
