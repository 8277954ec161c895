"""售后申诉: the party a ruling went against appeals once; another CS agent upholds or overturns.

An overturn never claws money back from the buyer. In the buyer's favour it refunds the
difference the ruling withheld (a second refund, `Refund.Source.APPEAL`); in the merchant's favour
it takes the liability off the merchant (the dispute's `liable`, which 纠纷商责率 counts) and may
credit a platform compensation, at most what the buyer keeps beyond the new outcome, to the
merchant's 安心钱包.
"""

from django.db import IntegrityError, transaction
from django.db.models import Sum

from sellerdesk.core.errors import Conflict, InvalidInput
from sellerdesk.payouts.actions.credits import compensation_wallet, credit_wallet
from sellerdesk.payouts.models import WalletCredit

from .. import policy
from ..error_codes import AfterSaleErrorCode as Code
from ..files import check_files
from ..models import Appeal, Dispute, HistoryKind, Liable, Party, Refund, Status
from ..states import Action, _refusal, appeal_of, appeal_window_ends_at, ruling_of
from .adjudication import check_reason_code, check_ruling
from .common import begin, make_refund, publish, record, set_status, store_files, touch
from .opening import check_text


def appeal_eligibility(aftersale, *, party, now) -> dict:
    """`can_appeal` for this party now, the window's end and, when not allowed, why (the table's
    refusal, as for escalation)."""
    ruling = ruling_of(aftersale)
    if ruling is None or party not in (Party.MERCHANT, Party.BUYER):
        refusal = None if ruling is None else _refusal(aftersale, Action.APPEAL, party, now)
        return {
            "can_appeal": False,
            "appeal_window_ends_at": None if ruling is None else appeal_window_ends_at(ruling),
            "appeal_blocked_reason": None if refusal is None else refusal.code,
        }
    refusal = _refusal(aftersale, Action.APPEAL, party, now)
    return {
        "can_appeal": refusal is None,
        "appeal_window_ends_at": appeal_window_ends_at(ruling),
        "appeal_blocked_reason": None if refusal is None else refusal.code,
    }


@transaction.atomic
def do_appeal(aftersale_id: int, *, reason: str, uploads=(), acting_user, now) -> Appeal:
    aftersale, party = begin(aftersale_id, Action.APPEAL, acting_user=acting_user, now=now)
    reason = check_text(reason, field="reason", max_chars=policy.MAX_APPEAL_REASON_CHARS)
    checked = check_files(list(uploads))
    ruling = ruling_of(aftersale)
    try:
        with transaction.atomic():  # the row lock serialises appeals; the unique key is the backstop
            appeal = Appeal.objects.create(
                aftersale=aftersale, ruling=ruling, appellant=party, filed_by=acting_user, reason=reason, filed_at=now
            )
    except IntegrityError as exc:
        raise Conflict(Code.ALREADY_APPEALED) from exc
    aftersale.appeal = appeal
    touch(aftersale, now=now)
    entry = record(
        aftersale,
        HistoryKind.APPEALED,
        actor=acting_user,
        party=party,
        now=now,
        body=reason,
        data={"appeal_id": appeal.pk, "ruling": _ruling_data(ruling)},
    )
    attachments = store_files(aftersale, checked, uploaded_by=acting_user, now=now, entry=entry)
    publish(aftersale, "dispute.appealed", party=party, appeal_id=appeal.pk, files=len(attachments))
    return appeal


def _ruling_data(ruling) -> dict:
    return {"outcome": ruling.outcome, "amount_fen": ruling.amount_fen, "liable": ruling.liable}


def _refunded_fen(aftersale) -> int:
    return Refund.objects.filter(aftersale=aftersale).aggregate(total=Sum("amount_fen"))["total"] or 0


@transaction.atomic
def do_decide_appeal(
    aftersale_id: int,
    *,
    decision: str,
    note: str,
    outcome: str | None = None,
    amount_fen: int | None = None,
    liable: str | None = None,
    compensation_fen: int = 0,
    reason_code: str | None = None,
    acting_user,
    now,
) -> Appeal:
    aftersale, party = begin(aftersale_id, Action.DECIDE_APPEAL, acting_user=acting_user, now=now)
    appeal = appeal_of(aftersale)
    if decision not in Appeal.Decision.values:
        raise InvalidInput(Code.INVALID_DECISION, details={"allowed": Appeal.Decision.values})
    if decision == Appeal.Decision.UPHOLD:
        note = check_text(note, field="note", max_chars=policy.MAX_NOTE_CHARS)
        return _uphold(aftersale, appeal, note=note, acting_user=acting_user, now=now)
    ruling = appeal.ruling
    refunded = _refunded_fen(aftersale)
    total, note = check_ruling(
        aftersale, outcome=outcome, amount_fen=amount_fen, liable=liable, note=note, refunded_fen=refunded
    )
    reason_code = check_reason_code(outcome, liable, reason_code)
    if (outcome, total, liable) == (ruling.outcome, ruling.amount_fen, ruling.liable):
        raise InvalidInput(Code.OVERTURN_SAME_AS_RULING, details=_ruling_data(ruling))
    top_up = max(total - refunded, 0)
    kept_by_buyer = max(refunded - total, 0)  # never clawed back
    if not isinstance(compensation_fen, int) or not 0 <= compensation_fen <= kept_by_buyer:
        raise InvalidInput(Code.INVALID_COMPENSATION, details={"field": "compensation_fen", "max_fen": kept_by_buyer})
    wallet = None
    if compensation_fen:
        wallet = compensation_wallet(aftersale.shop.subject, lock=True)
        if wallet is None:
            raise Conflict(Code.NO_COMPENSATION_WALLET)
    Appeal.objects.filter(pk=appeal.pk).update(
        status=Appeal.Status.DECIDED,
        decision=Appeal.Decision.OVERTURN,
        decided_by=acting_user,
        decided_at=now,
        note=note,
        outcome=outcome,
        amount_fen=total,
        liable=liable,
        reason_code=reason_code,
        compensation_fen=compensation_fen,
    )
    # What holds now: the figures (纠纷商责率) read the dispute's outcome and liability.
    Dispute.objects.filter(pk=aftersale.dispute_id).update(outcome=outcome, liable=liable)
    record(
        aftersale,
        HistoryKind.APPEAL_OVERTURNED,
        actor=acting_user,
        party=party,
        now=now,
        body=note,
        data={
            "appeal_id": appeal.pk,
            "outcome": outcome,
            "amount_fen": total,
            "liable": liable,
            "ruling": _ruling_data(ruling),
            "refund_added_fen": top_up,
            "kept_by_buyer_fen": kept_by_buyer,
            "compensation_fen": compensation_fen,
        },
    )
    if top_up and aftersale.status == Status.CLOSED:
        set_status(aftersale, Status.REFUNDED, action=Action.DECIDE_APPEAL, now=now)
    else:
        touch(aftersale, now=now)
    if top_up:
        make_refund(aftersale, top_up, Refund.Source.APPEAL, now=now, actor=acting_user, party=party)
    if compensation_fen:
        _compensate(aftersale, wallet, compensation_fen, acting_user=acting_user, now=now)
    publish(
        aftersale,
        "dispute.appeal_decided",
        decision=Appeal.Decision.OVERTURN,
        outcome=outcome,
        amount_fen=total,
        liable=liable,
        merchant_liable=liable == Liable.MERCHANT,
        refund_added_fen=top_up,
        compensation_fen=compensation_fen,
    )
    appeal.refresh_from_db()
    return appeal


def _uphold(aftersale, appeal, *, note, acting_user, now) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(
        status=Appeal.Status.DECIDED,
        decision=Appeal.Decision.UPHOLD,
        decided_by=acting_user,
        decided_at=now,
        note=note,
    )
    touch(aftersale, now=now)
    record(
        aftersale,
        HistoryKind.APPEAL_UPHELD,
        actor=acting_user,
        party=Party.CS,
        now=now,
        body=note,
        data={"appeal_id": appeal.pk, "ruling": _ruling_data(appeal.ruling)},
    )
    publish(aftersale, "dispute.appeal_decided", decision=Appeal.Decision.UPHOLD)
    appeal.refresh_from_db()
    return appeal


def _compensate(aftersale, wallet, amount_fen: int, *, acting_user, now) -> None:
    reference = f"appeal-compensation-{aftersale.number}"
    credit_wallet(
        wallet,
        amount_fen,
        kind=WalletCredit.Kind.APPEAL_COMPENSATION,
        reference=reference,
        note=f"售后单 {aftersale.number} 申诉改判补偿",
        actor=acting_user,
        now=now,
    )
    record(
        aftersale,
        HistoryKind.COMPENSATED,
        actor=acting_user,
        party=Party.CS,
        now=now,
        body=f"补偿 ¥{amount_fen / 100:.2f}",
        data={"amount_fen": amount_fen, "wallet": "anxin", "reference": reference},
    )
