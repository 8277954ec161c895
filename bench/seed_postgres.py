"""Seed a PostgreSQL database for the benchmarks.

    .venv/bin/python bench/seed_postgres.py --database sellerdesk_bench [--aftersales 1000000]
    .venv/bin/python bench/seed_postgres.py --database sqlite:///var/bench/sd_bench_100k.sqlite3 --aftersales 100000

Drops and recreates the database on 127.0.0.1:5432 (user postgres, trust auth), runs the
migrations into it, then writes --aftersales paid orders and after-sales requests (default
100,000) with their disputes, evidence requests, evidence, rulings, refunds and negotiation
history, in --shops shops (default one per 100 requests, each with an enterprise subject and a
merchant who owns it) and for --buyers buyers (default one per 5 requests), and ANALYZEs. The
platform grows by shops, so a shop's size follows the same curve at every scale.

This is a benchmark fixture, not product code: rows are written directly with COPY, bypassing the
actions (which would take hours for 100,000 requests and fire tasks and outbox events nobody
reads here). The rows are shaped like what the actions write (same statuses, due times, open
evidence requests, history kinds), so the read side sees what production would. Every column a
row does not set gets its field's default, as a model instance would; ids are assigned here and
the sequences reset afterwards.

Memory stays bounded at any size: rows are generated and COPYed --chunk requests at a time, and
only the compact plan of every request (creation time and status, 8 bytes each) is kept whole.
Foreign-key triggers are off while loading (session_replication_role = replica; the rows are
consistent by construction) and the run reports its time and peak memory.

On SQLite (the embedded default; `--database sqlite:///file.sqlite3`) the file and its -wal/-shm
are deleted and re-created, the same rows go in by executemany INSERTs, one transaction per chunk,
with foreign keys off and synchronous=OFF while loading, then ANALYZE. Values are converted once
per field as Django's SQLite backend stores them (datetimes as naive UTC text, JSON as text).

The mix (per 100 requests): 55 refunded, 17 closed, 8 cancelled (together 80 final), 5 awaiting
the merchant, 2 awaiting the buyer's return, 1.5 awaiting receipt, 2 rejected by the merchant,
5 disputes awaiting the merchant's evidence (the 纠纷待处理 list), 2.5 in platform review and 2
awaiting supplementary evidence (half asked of the merchant, half of the buyer). Shop sizes
follow a log-normal curve (most shops ~60-100 requests, the largest ~1,000), as real shops do.
"""

import argparse
import gc
import random
import resource
import sys
import time
from array import array
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TOTAL_CS = 10
NICKNAME, NICKNAMES = "压测昵称", 1000  # buyers' nicknames (first_name): NICKNAME + 000..999
PASSWORD = "sellerdesk-bench"

STATUS_MIX = [  # (status, weight per 1000)
    ("refunded", 550),
    ("closed", 170),
    ("cancelled", 80),
    ("awaiting_merchant", 50),
    ("awaiting_return", 20),
    ("awaiting_receipt", 15),
    ("merchant_rejected", 20),
    ("dispute_awaiting_evidence", 50),
    ("dispute_platform_review", 25),
    ("dispute_awaiting_supplement", 20),
]
REASONS = ["商品质量问题", "与描述不符", "少件/漏发", "不想要了", "尺码不合适", "收到商品破损", "发错货"]


def recreate_database(name: str) -> None:
    if common.is_sqlite(name):
        path = common.sqlite_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    if name in common.PROTECTED:
        sys.exit(f"refusing to drop the database {name!r}")
    with psycopg.connect(
        host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Row:
    """One row to COPY: the columns it sets, by attribute (the rest take the field's default)."""

    def __init__(self, **values):
        self.__dict__.update(values)


class Writer:
    """Buffers rows per table and COPYs them on flush(); the buffers are emptied each time."""

    def __init__(self):
        self.rows: dict[type, list[Row]] = {}
        self.counts: dict[str, int] = {}
        self.next_id: dict[type, int] = {}
        self._layout: dict[type, tuple] = {}

    def add(self, model, **values) -> Row:
        pk = self.next_id.get(model, 1)
        self.next_id[model] = pk + 1
        row = Row(id=pk, **values)
        self.rows.setdefault(model, []).append(row)
        return row

    def add_instance(self, obj) -> Row:
        """For the few models whose values come through a property setter (Subject's encrypted id)."""
        model = type(obj)
        row = self.add(model)
        obj.id = row.id
        row.__dict__.update({f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields})
        return row

    def sqlite_layout(self, model):
        """The INSERT and one converter per column: the value Django's SQLite backend would store."""
        if model not in self._layout:
            import json

            from django.db import connection, models

            fields = list(model._meta.concrete_fields)
            defaults = [
                (
                    f.attname,
                    f.default if f.has_default() and callable(f.default) else None,
                    None if f.has_default() and callable(f.default) else f.get_default(),
                )
                for f in fields
            ]
            plain = (
                models.CharField,
                models.TextField,
                models.IntegerField,
                models.BooleanField,
                models.ForeignKey,
                models.OneToOneField,
                models.AutoField,
                models.BigAutoField,
            )

            def converter(f):
                if isinstance(f, models.JSONField):
                    return lambda v: None if v is None else json.dumps(v)
                if isinstance(f, models.DateTimeField):
                    return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)
                if type(f) in plain or isinstance(f, (models.ForeignKey, models.BooleanField)):
                    return None
                return lambda v, f=f: f.get_db_prep_save(v, connection)

            converters = [converter(f) for f in fields]
            statement = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
                model._meta.db_table, ", ".join(f'"{f.column}"' for f in fields), ", ".join("?" * len(fields))
            )
            self._layout[model] = (defaults, converters, statement)
        return self._layout[model]

    def flush_sqlite(self) -> None:
        from django.db import connection, transaction

        with transaction.atomic():
            raw = connection.connection  # the sqlite3 connection: executemany without Django's per-row work
            for model, rows in self.rows.items():
                if not rows:
                    continue
                defaults, converters, statement = self.sqlite_layout(model)
                out = []
                for r in rows:
                    values = r.__dict__
                    row = [
                        values[name] if name in values else (make() if make else const)
                        for name, make, const in defaults
                    ]
                    out.append([v if c is None else c(v) for v, c in zip(row, converters)])
                raw.executemany(statement, out)
                label = model._meta.label
                self.counts[label] = self.counts.get(label, 0) + len(rows)
                rows.clear()

    def layout(self, model):
        if model not in self._layout:
            from django.db import models
            from psycopg import sql

            fields = list(model._meta.concrete_fields)
            # Callable defaults (dict, list, clock.now) per row; constants once.
            defaults = [
                (
                    f.attname,
                    f.default if f.has_default() and callable(f.default) else None,
                    None if f.has_default() and callable(f.default) else f.get_default(),
                )
                for f in fields
            ]
            json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
            )
            self._layout[model] = (defaults, json_at, statement)
        return self._layout[model]

    def flush(self) -> None:
        from django.db import connection, transaction

        if connection.vendor == "sqlite":
            return self.flush_sqlite()
        from psycopg.types.json import Jsonb

        with transaction.atomic(), connection.cursor() as cursor:
            for model, rows in self.rows.items():  # parents first: the order models were first added
                if not rows:
                    continue
                defaults, json_at, statement = self.layout(model)
                with cursor.cursor.copy(statement) as copy:
                    for r in rows:
                        values = r.__dict__
                        row = [
                            values[name] if name in values else (make() if make else const)
                            for name, make, const in defaults
                        ]
                        for i in json_at:
                            row[i] = Jsonb(row[i])
                        copy.write_row(row)
                label = model._meta.label
                self.counts[label] = self.counts.get(label, 0) + len(rows)
                rows.clear()

    def reset_sequences(self) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(self.rows)):
                cursor.execute(statement)


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
    """Random draws and the writer; timedelta helpers for the shapes below."""

    def __init__(self, rng: random.Random, now, writer: Writer):
        self.rng, self.now, self.writer = rng, now, writer
        self.add = writer.add

    def hours(self, lo: float, hi: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(lo, hi) * 3600))


def build(rng: random.Random, now, *, aftersales: int, shops: int, buyers: int, chunk: int) -> Writer:
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

    writer = Writer()
    w = World(rng, now, writer)
    h = w.hours
    password = make_password(PASSWORD)  # hashed once: a PBKDF2 run per user would take minutes

    for i in range(1, shops + 1):
        subject = writer.add_instance(
            Subject(
                kind="enterprise",
                legal_name=f"压测商贸{i:05d}有限公司",
                id_number=credit_code(i),
                verified_at=now - timedelta(days=400),
            )
        )
        shop = w.add(Shop, name=f"压测店铺{i:05d}", subject_id=subject.id)
        merchant = w.add(
            User,
            username=f"bench_merchant{i:05d}",
            password=password,
            role="merchant",
            date_joined=now - timedelta(days=400),
        )
        assert merchant.id == shop.id == i  # merchant of shop i is user i (used below, without a dict)
        w.add(User.shops.through, user_id=merchant.id, shop_id=shop.id, is_owner=True)
        if i % chunk == 0:
            writer.flush()
    first_buyer = shops + 1
    for i in range(1, buyers + 1):
        w.add(
            User,
            username=f"bench_buyer{i:06d}",
            # Half the buyers have a nickname, the list's display name (the others show as 买家NNNN).
            # A nickname is shared as on a real platform: one per buyer at 10k requests, ~100 at 1M.
            first_name=f"{NICKNAME}{(i // 2) % NICKNAMES:03d}" if i % 2 == 0 else "",
            password=password,
            role="buyer",
            date_joined=now - timedelta(days=rng.uniform(200, 800)),
        )
        if i % (chunk * 4) == 0:
            writer.flush()
    buyer_ids = range(first_buyer, first_buyer + buyers)
    cs_ids = [
        w.add(User, username=f"bench_cs{i:02d}", password=password, role="cs", is_staff=True).id
        for i in range(1, TOTAL_CS + 1)
    ]
    writer.flush()

    # Shop sizes: log-normal weights, so a few big shops and a long tail of small ones.
    shop_ids = range(1, shops + 1)
    cum_weights, total = [], 0.0
    for _ in shop_ids:
        total += rng.lognormvariate(0, 0.8)
        cum_weights.append(total)
    statuses, status_weights = zip(*STATUS_MIX)

    # Draw every request's shape first, then give ids in creation order, as production would. Each
    # plan is one int (seconds before now * 16 + status index), so a million take 8 MB, not 150.
    plans = array("q")
    for _ in range(aftersales):
        k = rng.choices(range(len(statuses)), status_weights)[0]
        status = statuses[k]
        if status in ("refunded", "closed", "cancelled"):
            ago = h(10 * 24, 180 * 24)
        elif status == "awaiting_merchant":
            ago = h(0.1, 47)
        elif status.startswith("dispute_"):
            ago = h(4 * 24, 6 * 24)
        else:
            ago = h(24, 5 * 24)
        plans.append(-int(ago.total_seconds()) * 16 + k)
    plans = array("q", sorted(plans))

    def requests():
        for start in range(0, aftersales, chunk):
            draws = rng.choices(shop_ids, cum_weights=cum_weights, k=min(chunk, aftersales - start))
            for j, shop_id in enumerate(draws):
                key = plans[start + j]
                yield start + j + 1, now + timedelta(seconds=key // 16), statuses[key % 16], shop_id
            writer.flush()

    for n, created, status, shop_id in requests():
        buyer_id = rng.choice(buyer_ids)
        merchant_id = shop_id
        cs_id = rng.choice(cs_ids)
        paid_fen = rng.choice([1990, 4900, 9900, 12900, 19900, 29900, 59900, 129900])
        paid_at = created - h(2, 10 * 24)
        order = w.add(
            Order,
            order_no=f"BO{paid_at:%Y%m%d}{n:08d}",
            shop_id=shop_id,
            buyer_id=buyer_id,
            paid_fen=paid_fen,
            paid_at=paid_at,
            created_at=paid_at,
        )
        w.add(
            OrderItem,
            order_id=order.id,
            sku=f"SKU-{rng.randint(1, 500):04d}",
            title="压测商品",
            quantity=1,
            unit_price_fen=paid_fen,
            paid_fen=paid_fen,
        )
        needs_return = status in ("awaiting_return", "awaiting_receipt") or (
            status == "refunded" and rng.random() < 0.35
        )
        kind = "return_refund" if needs_return else "refund_only"
        amount = paid_fen if rng.random() < 0.8 else max(1, paid_fen // 2)
        reason = rng.choice(REASONS)
        a = w.add(
            AfterSale,
            number=f"AS{created:%Y%m%d}{n:010d}",
            order_id=order.id,
            order_no=order.order_no,
            shop_id=shop_id,
            buyer_id=buyer_id,
            type=kind,
            status=status,
            amount_fen=amount,
            reason=reason,
            description="",
            created_at=created,
            updated_at=created,
        )
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
                history.append(
                    dict(
                        kind="escalated",
                        actor_role="buyer",
                        actor_id=buyer_id,
                        at=escalated,
                        body="商家拒绝,申请平台介入",
                        data={},
                    )
                )
            d = w.add(
                Dispute,
                aftersale_id=a.id,
                status="awaiting_evidence",
                escalation_reason="商家拒绝,申请平台介入",
                opened_at=escalated,
                evidence_due_at=escalated + timedelta(hours=24),
            )
            a.dispute_id = d.id  # the current (here the only) round
            return d, escalated

        def first_evidence(d, escalated, *, submitted: bool):
            nonlocal t
            er = w.add(
                EvidenceRequest,
                dispute_id=d.id,
                party="merchant",
                initial=True,
                note="纠纷协商期:商家需在24小时内提交举证或同意售后",
                requested_at=escalated,
                due_at=d.evidence_due_at,
                state="fulfilled" if submitted else "lapsed",
            )
            t = escalated
            if submitted:
                at = step("evidence_submitted", "merchant", merchant_id, h(0.5, 23), body="已按约发货,附物流凭证")
                w.add(
                    Evidence,
                    dispute_id=d.id,
                    request_id=er.id,
                    party="merchant",
                    submitted_by_id=merchant_id,
                    statement="已按约发货,附物流凭证",
                    submitted_at=at,
                )
                d.evidence_submitted_at = at
            else:
                at = d.evidence_due_at
                history.append(
                    dict(kind="evidence_timed_out", actor_role="system", actor_id=None, at=at, body="", data={})
                )
                d.timed_out = True
            er.closed_at = at
            d.status, d.review_started_at = "platform_review", at
            t = at
            return at

        def rule(d, outcome, liable, refund_fen):
            at = step("ruled", "cs", cs_id, h(2, 48), body="根据双方凭证判定", outcome=outcome, liable=liable)
            w.add(
                Ruling,
                dispute_id=d.id,
                outcome=outcome,
                amount_fen=refund_fen,
                liable=liable,
                note="根据双方凭证判定",
                evidence_considered=[],
                ruled_by_id=cs_id,
                ruled_at=at,
            )
            d.status, d.outcome, d.liable, d.resolved_at = "resolved", outcome, liable, at
            return at

        def refund(at, source):
            w.add(
                Refund,
                aftersale_id=a.id,
                order_id=order.id,
                amount_fen=amount,
                source=source,
                created_at=at,
                status="succeeded",
                succeeded_at=at,
                reference=f"refund-{a.number}",
            )
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
            a.due_at = step(
                "return_shipped", "buyer", buyer_id, h(2, 48), carrier="顺丰速运", tracking_no=a.return_tracking_no
            ) + timedelta(days=10)
        elif status == "merchant_rejected":
            open_at = step("rejected", "merchant", merchant_id, h(1, 40), body="不符合售后条件")
            a.rejection_reason = "不符合售后条件"
            a.escalation_due_at = a.due_at = open_at + timedelta(days=7)
        elif status == "dispute_awaiting_evidence":
            # Escalated within the last 23 h: the merchant's 24 h evidence window is still open.
            d, escalated = open_dispute(within=h(0.2, 23))
            w.add(
                EvidenceRequest,
                dispute_id=d.id,
                party="merchant",
                initial=True,
                note="纠纷协商期:商家需在24小时内提交举证或同意售后",
                requested_at=escalated,
                due_at=d.evidence_due_at,
                state="open",
            )
            a.due_at = d.evidence_due_at
            if rng.random() < 0.3:
                history.append(
                    dict(
                        kind="message",
                        actor_role="buyer",
                        actor_id=buyer_id,
                        at=min(escalated + h(0.1, 1), now),
                        body="请尽快处理",
                        data={},
                    )
                )
        elif status == "dispute_platform_review":
            d, escalated = open_dispute(within=h(30, 96))
            first_evidence(d, escalated, submitted=rng.random() < 0.8)
        elif status == "dispute_awaiting_supplement":
            d, escalated = open_dispute(within=h(30, 96))
            first_evidence(d, escalated, submitted=True)
            party = "merchant" if rng.random() < 0.5 else "buyer"
            asked = now - h(0.5, 20)
            due = asked + timedelta(hours=24)
            w.add(
                EvidenceRequest,
                dispute_id=d.id,
                party=party,
                initial=False,
                note="请补充物流签收凭证",
                requested_by_id=cs_id,
                requested_at=asked,
                due_at=due,
                state="open",
            )
            history.append(
                dict(
                    kind="evidence_requested",
                    actor_role="cs",
                    actor_id=cs_id,
                    at=asked,
                    body="请补充物流签收凭证",
                    data={"party": party, "due_at": due.isoformat()},
                )
            )
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
                history.append(
                    dict(kind="escalation_window_closed", actor_role="system", actor_id=None, at=t, body="", data={})
                )
        elif status == "cancelled":
            if rng.random() < 0.15:
                d, escalated = open_dispute()
                er = w.add(
                    EvidenceRequest,
                    dispute_id=d.id,
                    party="merchant",
                    initial=True,
                    note="",
                    requested_at=escalated,
                    due_at=d.evidence_due_at,
                    state="withdrawn",
                )
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
            w.add(
                HistoryEntry,
                aftersale_id=a.id,
                at=e["at"],
                actor_id=e["actor_id"],
                actor_role=e["actor_role"],
                kind=e["kind"],
                body=e["body"],
                data=e["data"],
                visibility="all",
            )
    writer.flush()
    return writer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=common.DEFAULT_DATABASE)
    parser.add_argument("--aftersales", type=int, default=100_000, help="paid orders and after-sales requests")
    parser.add_argument("--shops", type=int, help="default: one per 100 requests (at least 10)")
    parser.add_argument("--buyers", type=int, help="default: one per 5 requests (at least 100)")
    parser.add_argument("--chunk", type=int, default=5_000, help="requests generated and COPYed at a time")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (same seed, same data)")
    args = parser.parse_args()
    name = common.check_name(args.database)
    shops = args.shops or max(10, args.aftersales // 100)
    buyers = args.buyers or max(100, args.aftersales // 5)
    if not (
        1 <= args.aftersales <= 5_000_000
        and 1 <= shops <= 99_999
        and 1 <= buyers <= 999_999
        and 100 <= args.chunk <= 100_000
    ):
        raise SystemExit("keep --aftersales ≤ 5,000,000, --shops < 100,000, --buyers < 1,000,000, --chunk 100..100,000")

    started = time.perf_counter()
    recreate_database(name)
    common.setup_django(name)
    from django.core.management import call_command
    from django.db import connection

    from sellerdesk.core import clock

    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()

    # Bench data, consistent by construction: skip the per-row foreign-key triggers while loading.
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if sqlite:  # outside a transaction, or SQLite ignores it
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
        else:
            cursor.execute("SET session_replication_role = replica")
    gc.freeze()  # Django's own objects never need collecting; the chunks are freed by refcount
    copy_seconds = [0.0]
    flush = Writer.flush

    def timed_flush(self):
        t = time.perf_counter()
        flush(self)
        copy_seconds[0] += time.perf_counter() - t

    Writer.flush = timed_flush
    writer = build(
        random.Random(args.seed), clock.now(), aftersales=args.aftersales, shops=shops, buyers=buyers, chunk=args.chunk
    )
    writer.reset_sequences()
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA foreign_key_check")  # consistent by construction: check it
            broken = cursor.fetchmany(5)
            if broken:
                raise SystemExit(f"foreign keys broken in the seeded rows: {broken}")
        else:
            cursor.execute("SET session_replication_role = origin")
    loaded = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with connection.cursor() as cursor:
        # the visibility map too, so counts can be index-only; SQLite: statistics for its planner
        cursor.execute("ANALYZE" if sqlite else "VACUUM (ANALYZE)")
    analyzed = time.perf_counter()

    for label, count in writer.counts.items():
        print(f"{label:32} {count:>10,}")
    from django.db.models import Count

    from sellerdesk.aftersales.models import AfterSale

    print("\nafter-sales by status:")
    for row in AfterSale.objects.values("status").annotate(n=Count("id")).order_by("-n"):
        print(f"  {row['status']:30} {row['n']:>9,}")
    load = " / ".join(f"{x:.2f}" for x in __import__("os").getloadavg())
    print(
        f"\nseeded {name} with {args.aftersales:,} requests, {shops:,} shops, {buyers:,} buyers in "
        f"{analyzed - started:.1f} s (create + migrate {migrated - started:.1f} s, generate + COPY "
        f"{loaded - migrated:.1f} s of which {'INSERT' if sqlite else 'COPY'} {copy_seconds[0]:.1f} s, {'ANALYZE' if sqlite else 'VACUUM ANALYZE'} {analyzed - loaded:.1f} s); "
        f"peak RSS {peak_mb:.0f} MB; load average {load}"
    )


if __name__ == "__main__":
    main()
