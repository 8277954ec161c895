from django.db import transaction

from .models import Notification, OutboxEvent


def emit(topic: str, *, aggregate_type: str, aggregate_id, payload: dict | None = None) -> OutboxEvent:
    """Write an outbox row. Must run inside the transaction of the change it reports."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction that makes the change")
    return OutboxEvent.objects.create(
        topic=topic, aggregate_type=aggregate_type, aggregate_id=str(aggregate_id), payload=payload or {}
    )


def notify(users, *, topic: str, title: str, body: str = "", link: str = "") -> None:
    Notification.objects.bulk_create(
        [Notification(user=u, topic=topic, title=title, body=body, link=link) for u in users]
    )
