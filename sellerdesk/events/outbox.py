import functools

from django.apps import apps
from django.db import transaction

from .models import OutboxEvent

_SCOPE = ("aftersale_id", "shop_id", "buyer_id", "subject_id")


def emit(topic: str, *, aggregate_type: str, aggregate_id, payload: dict | None = None) -> OutboxEvent:
    """Write an outbox row and the notifications it asks for. Must run inside the transaction of
    the change it reports: a rollback takes both away, and the dispatcher sends only what committed.

    On PostgreSQL both are one statement when the notices go to the parties of an after-sale
    (notices.fan_out_statement: the recipients are selected inside the INSERT); otherwise, and on
    SQLite, the event is inserted and notices.fan_out writes the notifications after it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction that makes the change")
    payload = dict(payload or {})
    if aggregate_type == "wallet" and "subject_id" not in payload:
        wallet = (
            apps.get_model("payouts", "Wallet")
            .objects.values("subject_id", "holder_role", "channel")
            .get(pk=aggregate_id)
        )
        payload.setdefault("subject_id", wallet["subject_id"])
        payload.setdefault("holder_role", wallet["holder_role"])
        payload.setdefault("channel", wallet["channel"])
    event = OutboxEvent(
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
        holder_role=payload.get("holder_role") or "",
        **{k: payload.get(k) for k in _SCOPE},
    )
    from .notices import fan_out, fan_out_statement

    connection = transaction.get_connection()
    statement = fan_out_statement(event) if connection.vendor == "postgresql" else None
    if statement is None:
        event.save(force_insert=True)
        fan_out(event)
    else:
        _insert(connection, event, *statement)
    return event


@functools.cache
def _event_insert() -> tuple[str, tuple]:
    from django.db import connection

    fields = tuple(f for f in OutboxEvent._meta.concrete_fields if not f.primary_key)
    qn = connection.ops.quote_name
    return (
        f"INSERT INTO {qn(OutboxEvent._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn('id')}"
    ), fields


def _insert(connection, event: OutboxEvent, notifications: str, params: list) -> None:
    """PostgreSQL: the event and its notifications (notices.fan_out_statement) in one statement."""
    insert, fields = _event_insert()
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    sql = f"WITH ev AS ({insert})" + (f", n AS ({notifications})" if notifications else "") + " SELECT id FROM ev"
    with connection.cursor() as cursor:
        cursor.execute(sql, values + params)
        (event.pk,) = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias
