"""Pieces every action uses: the status compare-and-set, history, outbox, refunds, files.

Callers hold the after-sale's row lock (access_aftersale(lock=True)) inside one transaction.
"""

import logging
import weakref

from django.db import IntegrityError, transaction
from django.db.models import F

from sellerdesk.core.errors import CodedError, Conflict
from sellerdesk.core.money import split_in_proportion
from sellerdesk.events.outbox import emit
from sellerdesk.orders.models import Order, OrderItem

from ..access import access_aftersale, party_of
from ..error_codes import AfterSaleErrorCode as Code
from ..models import (
    FINAL_STATUSES,
    AfterSale,
    Attachment,
    ClaimLine,
    Dispute,
    DisputeStatus,
    EvidenceRequest,
    HistoryEntry,
    HistoryKind,
    Offer,
    Party,
    Refund,
    Visibility,
)
from ..states import TIMED_STATUSES, Action, check_target, check_transition

logger = logging.getLogger(__name__)


def begin(aftersale_id: int, action, *, acting_user, now):
    """Every action's first step: lock the after-sale (404 if the user may not see it) and check
    the table allows `action` by this user now. Returns (aftersale, the user's party)."""
    aftersale = access_aftersale(acting_user, aftersale_id, lock=True)
    party = party_of(acting_user, aftersale)
    check_transition(aftersale, action, party=party, now=now, user=acting_user)
    return aftersale, party


def set_status(aftersale: AfterSale, status, *, action: Action, now, due_at=None) -> None:
    """Move the after-sale to `status` by `action`, which the transition table must list for its
    current state; compare-and-set on (id, version): 0 rows means someone else changed it first.

    A state that ends by itself needs its alarm: go through deadlines.set_timed_status."""
    check_target(aftersale.status, action, status)
    if (status in TIMED_STATUSES) != (due_at is not None):
        raise ValueError(f"{status} {'needs' if status in TIMED_STATUSES else 'has no'} due_at")
    fields = {"status": status, "due_at": due_at, "updated_at": now, "version": F("version") + 1}
    if status in FINAL_STATUSES:
        fields["closed_at"] = now
    updated = AfterSale.objects.filter(pk=aftersale.pk, version=aftersale.version).update(**fields)
    if updated != 1:
        raise Conflict(Code.CONCURRENT_UPDATE)
    aftersale.status, aftersale.due_at, aftersale.updated_at = status, due_at, now
    aftersale.version += 1
    if status in FINAL_STATUSES:
        aftersale.closed_at = now


def touch(aftersale: AfterSale, *, now) -> None:
    """A change of the request that keeps its state (an appeal): still compare-and-set on version,
    so that clients holding the old version see that it changed."""
    updated = AfterSale.objects.filter(pk=aftersale.pk, version=aftersale.version).update(
        updated_at=now, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict(Code.CONCURRENT_UPDATE)
    aftersale.updated_at = now
    aftersale.version += 1


def record(
    aftersale: AfterSale,
    kind: HistoryKind,
    *,
    actor,
    party,
    now,
    body: str = "",
    data: dict | None = None,
    visibility=Visibility.ALL,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        aftersale=aftersale,
        at=now,
        actor=actor,
        actor_role=party,
        kind=kind,
        body=body,
        data=data or {},
        visibility=visibility,
    )


def publish(aftersale: AfterSale, topic: str, **payload) -> None:
    emit(
        topic,
        aggregate_type="aftersale",
        aggregate_id=aftersale.pk,
        payload={
            "aftersale_id": aftersale.pk,
            "number": aftersale.number,
            "status": aftersale.status,
            "shop_id": aftersale.shop_id,
            "buyer_id": aftersale.buyer_id,
            **payload,
        },
    )


def store_files(
    aftersale: AfterSale, checked_files, *, uploaded_by, now, entry=None, evidence=None
) -> list[Attachment]:
    """Write the files and their Attachment rows, inside the caller's transaction.

    All or nothing: a store that cannot take a file (full, read-only, unreachable) is
    503 file_store_unavailable, and every file this call wrote is deleted again unless the
    transaction around it commits (a later refusal in the same action, a 5xx that rolls back the
    request). A process killed before commit can still leave files behind, which no row names."""
    from django.core.files.base import ContentFile

    storage = Attachment._meta.get_field("file").storage
    attachments, written = [], []
    try:
        for checked in checked_files:
            attachment = Attachment(
                aftersale=aftersale,
                evidence=evidence,
                history_entry=entry,
                uploaded_by=uploaded_by,
                content_type=checked.content_type,
                extension=checked.extension,
                size=checked.size,
                sha256=checked.sha256,
                original_name=checked.original_name,
                uploaded_at=now,
            )
            attachment.file.save("upload", ContentFile(checked.content), save=False)
            written.append(attachment.file.name)
            attachment.save()
            attachments.append(attachment)
    except _STORE_ERRORS as exc:
        _delete_files(storage, written)
        raise CodedError(Code.FILE_STORE_UNAVAILABLE, status=503) from exc
    except BaseException:
        _delete_files(storage, written)
        raise
    if written:
        transaction.on_commit(_KeepOnCommit(storage, written))
    return attachments


def _store_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    try:  # S3 in production (django-storages) fails with botocore's errors, not OSError
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        pass
    else:
        errors += [BotoCoreError, ClientError]
    return tuple(errors)


_STORE_ERRORS = _store_errors()


def _delete_files(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # best effort: the original failure is what the caller must see
            logger.warning("could not delete uploaded file %s after a rollback", name, exc_info=True)


class _KeepOnCommit:
    """An on_commit callback that deletes its files when Django drops it instead of calling it.

    Django has no on_rollback; but it discards the callbacks of a transaction (or savepoint) that
    rolls back, and CPython frees the dropped object at once, which runs the finalizer. On commit
    the callback runs first and detaches the finalizer, so the files stay."""

    def __init__(self, storage, names):
        self._finalizer = weakref.finalize(self, _delete_files, storage, list(names))

    def __call__(self):
        self._finalizer.detach()


def make_refund(aftersale: AfterSale, amount_fen: int, source, *, now, actor=None, party=Party.SYSTEM) -> Refund:
    """Refund `amount_fen` of the order. Locks the order row (after the after-sale's lock);
    never exceeds what is refundable, and the one-refund-per-request rule is a database constraint.

    The refund starts `pending`: its rail instruction is written here, in the caller's transaction,
    and the worker sends it after commit (actions.refunds records the rail's answer)."""
    from sellerdesk.payouts.actions.instructions import order_instruction
    from sellerdesk.payouts.models import InstructionKind

    order = Order.objects.select_for_update().get(pk=aftersale.order_id)
    if amount_fen <= 0 or amount_fen > order.refundable_fen:
        raise Conflict(
            Code.REFUND_EXCEEDS_REFUNDABLE, details={"refundable_fen": order.refundable_fen, "amount_fen": amount_fen}
        )
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the refusal
            refund = Refund.objects.create(
                aftersale=aftersale,
                order=order,
                amount_fen=amount_fen,
                source=source,
                created_at=now,
                reference=Refund.reference_for(aftersale, source),
            )
    except IntegrityError as exc:
        raise Conflict(Code.ALREADY_REFUNDED) from exc
    _refund_claim_lines(aftersale, refund, now=now)
    Order.objects.filter(pk=order.pk).update(refunded_fen=F("refunded_fen") + amount_fen)
    order_instruction(
        InstructionKind.REFUND, reference=refund.reference, amount_fen=amount_fen, order=order, refund=refund, now=now
    )
    record(
        aftersale,
        HistoryKind.REFUNDED,
        actor=actor,
        party=party,
        now=now,
        body=f"退款 ¥{amount_fen / 100:.2f}",
        data={"amount_fen": amount_fen, "source": source, "reference": refund.reference},
    )
    publish(aftersale, "aftersale.refunded", amount_fen=amount_fen, source=source, reference=refund.reference)
    return refund


def _refund_claim_lines(aftersale: AfterSale, refund: Refund, *, now) -> None:
    """A claim on some lines: share the refund across them in proportion to what each still
    claims, and count the claimed units refunded with the request's first refund (a partial refund
    settles them too). The lines' own balances refuse a second refund of a unit or of money the
    line no longer has (a later request on the line was refunded first): 409, nothing written.
    Runs under the order's row lock, so the lines' balances cannot move meanwhile."""
    lines = list(ClaimLine.objects.filter(aftersale=aftersale).order_by("id"))
    if not lines:
        return
    first = not Refund.objects.filter(aftersale=aftersale).exclude(pk=refund.pk).exists()
    shares = split_in_proportion(refund.amount_fen, [line.amount_fen - line.refunded_fen for line in lines])
    items = {i.pk: i for i in OrderItem.objects.filter(pk__in=[line.order_item_id for line in lines])}
    for line, share in zip(lines, shares, strict=True):
        item = items[line.order_item_id]
        units = line.quantity if first else 0
        if share > item.refundable_fen or units > item.refundable_quantity:
            raise Conflict(
                Code.CLAIM_EXCEEDS_LINE,
                details={
                    "order_item_id": item.pk,
                    "title": item.title,
                    "refundable_quantity": item.refundable_quantity,
                    "refundable_fen": item.refundable_fen,
                },
            )
        ClaimLine.objects.filter(pk=line.pk).update(refunded_fen=F("refunded_fen") + share)
        OrderItem.objects.filter(pk=item.pk).update(
            refunded_fen=F("refunded_fen") + share, refunded_quantity=F("refunded_quantity") + units
        )


def close_open_evidence_request(aftersale: AfterSale, *, now, state=EvidenceRequest.State.WITHDRAWN) -> None:
    EvidenceRequest.objects.open().of(aftersale).update(state=state, closed_at=now)


def close_open_offers(aftersale: AfterSale, *, now, state=Offer.State.LAPSED) -> None:
    """End the open offer, if there is one, and say so in the history, so that it tells the whole
    negotiation: a new offer superseded it, or the request moved on without an answer (lapsed)."""
    offer = Offer.objects.filter(aftersale=aftersale, state=Offer.State.OPEN).only("id", "amount_fen").first()
    if offer is None:
        return
    Offer.objects.filter(pk=offer.pk).update(state=state, answered_at=now)
    record(
        aftersale,
        HistoryKind.OFFER_SUPERSEDED if state == Offer.State.SUPERSEDED else HistoryKind.OFFER_LAPSED,
        actor=None,
        party=Party.SYSTEM,
        now=now,
        data={"offer_id": offer.pk, "amount_fen": offer.amount_fen},
    )


def finish_dispute(aftersale: AfterSale, *, now, status=DisputeStatus.RESOLVED, outcome="", liable="") -> None:
    """End the current round of the dispute of `aftersale` if it is open (no-op otherwise)."""
    if aftersale.dispute_id is None:
        return
    open_states = [DisputeStatus.AWAITING_EVIDENCE, DisputeStatus.PLATFORM_REVIEW, DisputeStatus.AWAITING_SUPPLEMENT]
    updated = Dispute.objects.filter(pk=aftersale.dispute_id, status__in=open_states).update(
        status=status, outcome=outcome, liable=liable, resolved_at=now
    )
    if updated:
        close_open_evidence_request(aftersale, now=now)
        topic = "dispute.cancelled" if status == DisputeStatus.CANCELLED else "dispute.resolved"
        publish(aftersale, topic, outcome=outcome, liable=liable)
