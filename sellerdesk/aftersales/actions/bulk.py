"""Set-based forms of common.set_status / record / publish, for many after-sales in one transaction.

The deadline sweeper applies thousands of timeouts after an outage; doing them row by row cost
4-6 queries per row. These write the same rows as the per-row helpers (same columns, same
payload, same notifications) in a handful of statements per batch. Callers hold the rows' locks.

`publish_many` and `fan_out_many` mirror events.outbox.emit and events.notices.fan_out, which
have no set-based form yet; they reuse those modules' tables (NOTICES, link_for, the scope columns)
so the rules stay in one place. They belong in sellerdesk/events (see the issue 8 report).
"""

from collections import defaultdict

from django.db import connection, models, transaction
from django.db.models import F

from sellerdesk.core.errors import Conflict
from sellerdesk.events import notices
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.events.outbox import _SCOPE

from ..error_codes import AfterSaleErrorCode as Code
from ..models import FINAL_STATUSES, AfterSale, HistoryEntry, HistoryKind, Party, Visibility
from ..states import check_target

# Below this many rows an INSERT is as cheap as a COPY, and one statement fewer.
COPY_FROM = 100


def insert_many(model, objs: list) -> list:
    """bulk_create, and on PostgreSQL a COPY: the same rows (the instances, their defaults, JSON
    adapted by the field), at a fraction of bulk_create's CPU for thousands of rows. Sets the pks."""
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        return model.objects.bulk_create(objs)
    from psycopg import sql

    fields = model._meta.concrete_fields
    is_json = [isinstance(f, models.JSONField) for f in fields]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # Ids from the table's own sequence, as an INSERT would take them: the notifications
        # written next refer to the events by id.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(objs)]
        )
        for obj, (pk,) in zip(objs, cursor.fetchall()):
            obj.pk = pk
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
        )
        with cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row(
                    [
                        f.get_db_prep_save(getattr(obj, f.attname), connection) if j else getattr(obj, f.attname)
                        for f, j in zip(fields, is_json)
                    ]
                )
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def set_status_many(aftersales: list[AfterSale], status, *, action, now) -> None:
    """common.set_status for many rows, to a state without a deadline: the transition table's
    check, then a compare-and-set on (id, version), one UPDATE per distinct version (a batch has
    one or two)."""
    if status in FINAL_STATUSES:
        raise ValueError("set_status_many does not close after-sales")  # closed_at, refunds: per row
    for aftersale in aftersales:
        check_target(aftersale.status, action, status)
    by_version = defaultdict(list)
    for aftersale in aftersales:
        by_version[aftersale.version].append(aftersale.pk)
    updated = 0
    for version, ids in by_version.items():
        updated += AfterSale.objects.filter(pk__in=ids, version=version).update(
            status=status, due_at=None, updated_at=now, version=F("version") + 1
        )
    if updated != len(aftersales):
        raise Conflict(Code.CONCURRENT_UPDATE)
    for aftersale in aftersales:
        aftersale.status, aftersale.due_at, aftersale.updated_at = status, None, now
        aftersale.version += 1


def record_many(
    entries: list[tuple[AfterSale, dict]],
    kind: HistoryKind,
    *,
    actor,
    party: Party,
    now,
    body: str = "",
    visibility=Visibility.ALL,
) -> None:
    """common.record for many after-sales: (aftersale, data) pairs, one INSERT."""
    insert_many(
        HistoryEntry,
        [
            HistoryEntry(
                aftersale_id=aftersale.pk,
                at=now,
                actor=actor,
                actor_role=party,
                kind=kind,
                body=body,
                data=data or {},
                visibility=visibility,
            )
            for aftersale, data in entries
        ],
    )


def publish_many(aftersales: list[AfterSale], topic: str, **payload) -> list[OutboxEvent]:
    """common.publish for many after-sales: one outbox INSERT, then their notifications."""
    return publish_each(topic, [(a, payload) for a in aftersales])


def publish_each(topic: str, events_of: list[tuple[AfterSale, dict]]) -> list[OutboxEvent]:
    """publish_many with a payload of its own for each after-sale."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish_each() must be called inside the transaction that makes the change")
    events = []
    for a, payload in events_of:
        # The payload of common.publish.
        data = {
            "aftersale_id": a.pk,
            "number": a.number,
            "status": a.status,
            "shop_id": a.shop_id,
            "buyer_id": a.buyer_id,
            **payload,
        }
        events.append(
            OutboxEvent(
                topic=topic,
                aggregate_type="aftersale",
                aggregate_id=str(a.pk),
                payload=data,
                holder_role=data.get("holder_role") or "",
                **{k: data.get(k) for k in _SCOPE},
            )
        )
    events = insert_many(OutboxEvent, events)
    fan_out_many(events)
    return events


def fan_out_many(events: list[OutboxEvent]) -> None:
    """notices.fan_out for events of after-sales: the audience's users of all of them in two
    queries, the notifications in one INSERT. Audiences other than merchant/buyer/both go per event."""
    from sellerdesk.identity.models import Role, User

    simple = (notices.MERCHANT, notices.BUYER, notices.BOTH)
    batched = []
    for event in events:
        notice = notices.NOTICES.get(event.topic)
        if notice is None or notice.audience == "owner":
            continue
        if notice.audience in simple:
            batched.append((event, notice))
        else:
            notices.fan_out(event)
    if not batched:
        return
    shop_ids = {e.shop_id for e, n in batched if e.shop_id and n.audience != notices.BUYER}
    buyer_ids = {e.buyer_id for e, n in batched if e.buyer_id and n.audience != notices.MERCHANT}
    merchants = defaultdict(list)  # the same users as notices._users_of, keyed by shop
    if shop_ids:
        for user in (
            User.objects.filter(role=Role.MERCHANT, shops__in=shop_ids, is_active=True)
            .only("id", "role")
            .annotate(shop_key=F("shops"))
            .order_by("pk")
        ):
            merchants[user.shop_key].append(user)
    buyers = (
        {u.pk: u for u in User.objects.filter(pk__in=buyer_ids, is_active=True).only("id", "role")} if buyer_ids else {}
    )  # link_for reads the role; the rest of the user is not needed
    rows = []
    for event, notice in batched:
        users = []
        if notice.audience in (notices.MERCHANT, notices.BOTH) and event.shop_id:
            users += merchants.get(event.shop_id, [])
        if notice.audience in (notices.BUYER, notices.BOTH) and event.buyer_id in buyers:
            users.append(buyers[event.buyer_id])
        email = notice.email(event.payload) if callable(notice.email) else notice.email
        rows += [
            Notification(
                user_id=u.pk,
                topic=event.topic,
                params=event.payload,
                event_id=event.pk,
                aftersale_id=event.aftersale_id,
                link=notices.link_for(u, event),
                created_at=event.created_at,
                email_state=Notification.EmailState.PENDING if email else Notification.EmailState.NONE,
            )
            for u in {u.pk: u for u in users}.values()
        ]
    insert_many(Notification, rows)
