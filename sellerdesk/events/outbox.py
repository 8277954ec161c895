from django.apps import apps
from django.db import transaction

from .models import OutboxEvent

_SCOPE = ("aftersale_id", "shop_id", "buyer_id", "subject_id")


def emit(topic: str, *, aggregate_type: str, aggregate_id, payload: dict | None = None) -> OutboxEvent:
    """Write an outbox row and the notifications it asks for. Must run inside the transaction of
    the change it reports: a rollback takes both away, and the dispatcher sends only what committed."""
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
    event = OutboxEvent.objects.create(
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
        holder_role=payload.get("holder_role") or "",
        **{k: payload.get(k) for k in _SCOPE},
    )
    from .notices import fan_out

    fan_out(event)
    return event
