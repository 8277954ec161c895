"""Negotiation during the period: messages, the merchant's partial-refund offer, the buyer's answer."""

from django.db import transaction

from sellerdesk.core.errors import Conflict, InvalidInput, NotFound

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..files import check_files
from ..models import HistoryKind, Offer, Outcome, Refund, Status
from ..states import Action
from .common import begin, close_open_offers, finish_dispute, make_refund, publish, record, set_status, store_files
from .opening import check_text


@transaction.atomic
def do_post_message(aftersale_id: int, *, body: str, uploads=(), acting_user, now):
    aftersale, party = begin(aftersale_id, Action.MESSAGE, acting_user=acting_user, now=now)
    body = check_text(body, field="body", max_chars=policy.MAX_MESSAGE_CHARS)
    checked = check_files(list(uploads))
    entry = record(aftersale, HistoryKind.MESSAGE, actor=acting_user, party=party, now=now, body=body)
    attachments = store_files(aftersale, checked, uploaded_by=acting_user, now=now, entry=entry)
    publish(aftersale, "aftersale.message_posted", party=party)
    # The entry comes back with what was just written (entry.aftersale, locked with its shop, and
    # entry.attachments.all()), so the answer is built without reading any of it back.
    entry._prefetched_objects_cache = {"attachments": attachments}
    return entry


@transaction.atomic
def do_make_offer(aftersale_id: int, *, amount_fen: int, note: str = "", acting_user, now) -> Offer:
    """A partial-refund offer; it replaces any offer still open."""
    aftersale, party = begin(aftersale_id, Action.MAKE_OFFER, acting_user=acting_user, now=now)
    note = check_text(note, field="note", max_chars=500, required=False)
    refundable = min(aftersale.amount_fen, aftersale.order.refundable_fen)
    if not 0 < amount_fen < aftersale.amount_fen or amount_fen > refundable:
        # A positive amount is refused by what this request asked for and what is left: 409.
        raise (InvalidInput if amount_fen <= 0 else Conflict)(
            Code.INVALID_OFFER_AMOUNT, details={"requested_fen": aftersale.amount_fen, "refundable_fen": refundable}
        )
    close_open_offers(aftersale, now=now, state=Offer.State.SUPERSEDED)
    offer = Offer.objects.create(
        aftersale=aftersale, amount_fen=amount_fen, note=note, made_by=acting_user, made_at=now
    )
    record(
        aftersale,
        HistoryKind.OFFER_MADE,
        actor=acting_user,
        party=party,
        now=now,
        body=note,
        data={"offer_id": offer.pk, "amount_fen": amount_fen},
    )
    publish(aftersale, "aftersale.offer_made", offer_id=offer.pk, amount_fen=amount_fen)
    return offer


def _open_offer(aftersale, offer_id: int) -> Offer:
    offer = Offer.objects.filter(pk=offer_id, aftersale=aftersale).first()
    if offer is None:
        raise NotFound(Code.OFFER_NOT_FOUND)
    if offer.state != Offer.State.OPEN:
        raise Conflict(Code.OFFER_NOT_OPEN, details={"state": offer.state})
    return offer


@transaction.atomic
def do_accept_offer(aftersale_id: int, offer_id: int, *, acting_user, now):
    """The buyer accepts: that amount is refunded and the dispute (if any) completes, nobody liable."""
    aftersale, party = begin(aftersale_id, Action.ACCEPT_OFFER, acting_user=acting_user, now=now)
    offer = _open_offer(aftersale, offer_id)
    Offer.objects.filter(pk=offer.pk).update(state=Offer.State.ACCEPTED, answered_at=now)
    record(
        aftersale,
        HistoryKind.OFFER_ACCEPTED,
        actor=acting_user,
        party=party,
        now=now,
        data={"offer_id": offer.pk, "amount_fen": offer.amount_fen},
    )
    publish(aftersale, "aftersale.offer_accepted", offer_id=offer.pk, amount_fen=offer.amount_fen)
    finish_dispute(aftersale, now=now, outcome=Outcome.PARTIAL_REFUND)
    set_status(aftersale, Status.REFUNDED, action=Action.ACCEPT_OFFER, now=now)
    make_refund(aftersale, offer.amount_fen, Refund.Source.OFFER_ACCEPTED, now=now, actor=acting_user, party=party)
    return aftersale


@transaction.atomic
def do_decline_offer(aftersale_id: int, offer_id: int, *, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.DECLINE_OFFER, acting_user=acting_user, now=now)
    offer = _open_offer(aftersale, offer_id)
    Offer.objects.filter(pk=offer.pk).update(state=Offer.State.DECLINED, answered_at=now)
    record(
        aftersale,
        HistoryKind.OFFER_DECLINED,
        actor=acting_user,
        party=party,
        now=now,
        data={"offer_id": offer.pk, "amount_fen": offer.amount_fen},
    )
    publish(aftersale, "aftersale.offer_declined", offer_id=offer.pk)
    return aftersale
