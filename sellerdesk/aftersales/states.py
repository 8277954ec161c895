"""The transition table: which action is allowed from which state, by whom, before which deadline.

`check_transition` enforces it and `allowed_actions` reads it, so the API's `allowed_actions`,
the page buttons and the refusals can never disagree.
"""
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import Conflict, Forbidden

from .error_codes import AfterSaleErrorCode as Code
from .models import FINAL_STATUSES, AfterSale, EvidenceRequest, Offer, Party, Status

S = Status


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN_SHIPMENT = "return_shipment"
    CONFIRM_RECEIPT = "confirm_receipt"
    REJECT_RECEIPT = "reject_receipt"
    ESCALATE = "escalate"
    SUBMIT_EVIDENCE = "submit_evidence"
    MESSAGE = "message"
    MAKE_OFFER = "make_offer"
    ACCEPT_OFFER = "accept_offer"
    DECLINE_OFFER = "decline_offer"
    CANCEL = "cancel"
    REQUEST_EVIDENCE = "request_evidence"
    RULE = "rule"


@dataclass(frozen=True)
class Rule:
    parties: frozenset
    # True: refused with `deadline_passed` once the state's due_at is behind `now`,
    # whether or not a worker has applied the timeout yet.
    by_deadline: bool = False


def _r(*parties, by_deadline=False):
    return Rule(frozenset(parties), by_deadline)


M, B, CS = Party.MERCHANT, Party.BUYER, Party.CS
DISPUTE_OPEN = (S.DISPUTE_AWAITING_EVIDENCE, S.DISPUTE_PLATFORM_REVIEW, S.DISPUTE_AWAITING_SUPPLEMENT)
NEGOTIABLE = (S.MERCHANT_REJECTED, *DISPUTE_OPEN)
NON_FINAL = tuple(s for s in Status if s not in FINAL_STATUSES)

TABLE: dict[Action, dict[Status, Rule]] = {
    Action.APPROVE: {
        S.AWAITING_MERCHANT: _r(M, by_deadline=True),
        S.MERCHANT_REJECTED: _r(M, by_deadline=True),
        # 同意售后 during the dispute completes it (the article), also once CS has taken over.
        **{s: _r(M) for s in DISPUTE_OPEN},
    },
    Action.REJECT: {S.AWAITING_MERCHANT: _r(M, by_deadline=True)},
    Action.RETURN_SHIPMENT: {S.AWAITING_RETURN: _r(B, by_deadline=True)},
    Action.CONFIRM_RECEIPT: {S.AWAITING_RECEIPT: _r(M, by_deadline=True)},
    Action.REJECT_RECEIPT: {S.AWAITING_RECEIPT: _r(M, by_deadline=True)},
    Action.ESCALATE: {S.MERCHANT_REJECTED: _r(B, by_deadline=True)},
    Action.SUBMIT_EVIDENCE: {
        S.DISPUTE_AWAITING_EVIDENCE: _r(M, by_deadline=True),
        # Only the party CS asked; checked against the open evidence request below.
        S.DISPUTE_AWAITING_SUPPLEMENT: _r(M, B, by_deadline=True),
    },
    Action.MESSAGE: {s: _r(M, B) for s in NON_FINAL},
    # Before a dispute, the escalation window's end closes the request: an offer made or answered
    # after it is late even if the worker has not closed it yet. In a dispute the negotiation
    # outlives the evidence deadline (CS takes over; the parties may still agree).
    Action.MAKE_OFFER: {S.MERCHANT_REJECTED: _r(M, by_deadline=True), **{s: _r(M) for s in DISPUTE_OPEN}},
    Action.ACCEPT_OFFER: {S.MERCHANT_REJECTED: _r(B, by_deadline=True), **{s: _r(B) for s in DISPUTE_OPEN}},
    Action.DECLINE_OFFER: {S.MERCHANT_REJECTED: _r(B, by_deadline=True), **{s: _r(B) for s in DISPUTE_OPEN}},
    Action.CANCEL: {
        S.AWAITING_MERCHANT: _r(B, by_deadline=True),
        S.AWAITING_RETURN: _r(B, by_deadline=True),
        S.AWAITING_RECEIPT: _r(B, by_deadline=True),
        S.MERCHANT_REJECTED: _r(B, by_deadline=True),
        # "The buyer can cancel at any moment of the dispute": no deadline applies.
        **{s: _r(B) for s in DISPUTE_OPEN},
    },
    Action.REQUEST_EVIDENCE: {S.DISPUTE_PLATFORM_REVIEW: _r(CS)},
    Action.RULE: {S.DISPUTE_PLATFORM_REVIEW: _r(CS), S.DISPUTE_AWAITING_SUPPLEMENT: _r(CS)},
}

# Which states end by themselves at due_at, and the action that ends them (aftersales.actions.deadlines).
TIMED_STATUSES = (
    S.AWAITING_MERCHANT, S.AWAITING_RETURN, S.AWAITING_RECEIPT, S.MERCHANT_REJECTED,
    S.DISPUTE_AWAITING_EVIDENCE, S.DISPUTE_AWAITING_SUPPLEMENT,
)

ACTION_LABELS = {
    Action.APPROVE: _("同意售后"),
    Action.REJECT: _("拒绝售后"),
    Action.RETURN_SHIPMENT: _("填写退货物流"),
    Action.CONFIRM_RECEIPT: _("确认收货"),
    Action.REJECT_RECEIPT: _("拒绝收货"),
    Action.ESCALATE: _("申请平台介入"),
    Action.SUBMIT_EVIDENCE: _("提交凭证"),
    Action.MESSAGE: _("留言"),
    Action.MAKE_OFFER: _("提出部分退款"),
    Action.ACCEPT_OFFER: _("接受方案"),
    Action.DECLINE_OFFER: _("拒绝方案"),
    Action.CANCEL: _("撤销申请"),
    Action.REQUEST_EVIDENCE: _("要求补充凭证"),
    Action.RULE: _("判责"),
}


def deadline_passed(aftersale: AfterSale, now) -> bool:
    """A deadline is met at due_at exactly and missed one second later."""
    return aftersale.due_at is not None and now > aftersale.due_at


def _open_request(aftersale: AfterSale):
    return EvidenceRequest.objects.filter(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN).first()


def _open_offer_exists(aftersale: AfterSale) -> bool:
    return Offer.objects.filter(aftersale=aftersale, state=Offer.State.OPEN).exists()


def _refusal(aftersale: AfterSale, action: Action, party, now):
    """The error that refuses `action` by `party` now, or None when it is allowed."""
    rules = TABLE[action]
    if not any(party in rule.parties for rule in rules.values()):
        return Forbidden(Code.FORBIDDEN_ROLE, details={"action": action.value})
    rule = rules.get(aftersale.status)
    if rule is None or party not in rule.parties:
        return Conflict(Code.INVALID_TRANSITION, details={"status": aftersale.status, "action": action.value})
    if rule.by_deadline and deadline_passed(aftersale, now):
        return Conflict(Code.DEADLINE_PASSED, details={"due_at": aftersale.due_at.isoformat(), "action": action.value})
    if action == Action.SUBMIT_EVIDENCE and aftersale.status == S.DISPUTE_AWAITING_SUPPLEMENT:
        request = _open_request(aftersale)
        if request is None or request.party != party:
            return Conflict(Code.NOT_ASKED_FOR_EVIDENCE, details={"status": aftersale.status, "action": action.value})
    if action in (Action.ACCEPT_OFFER, Action.DECLINE_OFFER) and not _open_offer_exists(aftersale):
        return Conflict(Code.NO_OPEN_OFFER)
    return None


def check_transition(aftersale: AfterSale, action: Action, *, party, now) -> None:
    refusal = _refusal(aftersale, action, party, now)
    if refusal is not None:
        raise refusal


def allowed_actions(aftersale: AfterSale, *, party, now) -> list[str]:
    if party is None:
        return []
    return [a.value for a in Action if _refusal(aftersale, a, party, now) is None]
