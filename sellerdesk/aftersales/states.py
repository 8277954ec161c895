"""The transition table: for each action and state, who may act, by which deadline, and where it leads.

`check_transition` enforces it, `allowed_actions` reads it and `set_status` refuses any transition it
does not list, so the API's `allowed_actions`, the page buttons, the refusals and the writes can
never disagree. Timeouts are rows of the same table (Action.TIME_OUT, by the system).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import Conflict, Forbidden

from . import policy
from .error_codes import AfterSaleErrorCode as Code
from .models import (
    FINAL_STATUSES,
    AfterSale,
    AfterSaleType,
    Appeal,
    EvidenceRequest,
    Liable,
    Offer,
    Outcome,
    Party,
    Ruling,
    Status,
)
from .names import cs_name

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
    APPEAL = "appeal"
    DECIDE_APPEAL = "decide_appeal"
    CLAIM = "claim"
    RELEASE = "release"
    CS_NOTE = "cs_note"
    EXTEND_DEADLINE = "extend_deadline"
    TIME_OUT = "time_out"  # the worker, when a state's deadline passes


class Choice(StrEnum):
    """Where an action leads when the target depends on the after-sale, decided by `resolve` only."""

    # 同意售后 and its timeout: a refund now, or, for 退货退款 whose goods have not been sent back
    # yet, the wait for them (待买家退货).
    REFUND_OR_AWAIT_RETURN = "refund_or_await_return"
    # 判责: a ruling that refunds (all or part) ends refunded, one that refunds nothing closed.
    RULING_OUTCOME = "ruling_outcome"


CHOICES: dict[Choice, tuple[Status, ...]] = {
    Choice.REFUND_OR_AWAIT_RETURN: (S.REFUNDED, S.AWAITING_RETURN),
    Choice.RULING_OUTCOME: (S.REFUNDED, S.CLOSED),
}


@dataclass(frozen=True)
class Rule:
    parties: frozenset
    # Where the action leads: a state, a Choice between states, or None (the state stays).
    leads_to: "Status | Choice | None" = None
    # True: refused with `deadline_passed` once the state's due_at is behind `now`,
    # whether or not a worker has applied the timeout yet.
    by_deadline: bool = False

    @property
    def targets(self) -> tuple[Status, ...]:
        if self.leads_to is None:
            return ()
        return CHOICES[self.leads_to] if isinstance(self.leads_to, Choice) else (self.leads_to,)


def _r(*parties, to=None, by_deadline=False):
    return Rule(frozenset(parties), to, by_deadline)


M, B, CS, SYSTEM = Party.MERCHANT, Party.BUYER, Party.CS, Party.SYSTEM
DISPUTE_OPEN = (S.DISPUTE_AWAITING_EVIDENCE, S.DISPUTE_PLATFORM_REVIEW, S.DISPUTE_AWAITING_SUPPLEMENT)
NEGOTIABLE = (S.MERCHANT_REJECTED, *DISPUTE_OPEN)
NON_FINAL = tuple(s for s in Status if s not in FINAL_STATUSES)
REFUND = Choice.REFUND_OR_AWAIT_RETURN

TABLE: dict[Action, dict[Status, Rule]] = {
    Action.APPROVE: {
        S.AWAITING_MERCHANT: _r(M, to=REFUND, by_deadline=True),
        S.MERCHANT_REJECTED: _r(M, to=REFUND, by_deadline=True),
        # 同意售后 during the dispute completes it (the article), also once CS has taken over.
        **{s: _r(M, to=REFUND) for s in DISPUTE_OPEN},
    },
    Action.REJECT: {S.AWAITING_MERCHANT: _r(M, to=S.MERCHANT_REJECTED, by_deadline=True)},
    Action.RETURN_SHIPMENT: {S.AWAITING_RETURN: _r(B, to=S.AWAITING_RECEIPT, by_deadline=True)},
    Action.CONFIRM_RECEIPT: {S.AWAITING_RECEIPT: _r(M, to=S.REFUNDED, by_deadline=True)},
    Action.REJECT_RECEIPT: {S.AWAITING_RECEIPT: _r(M, to=S.MERCHANT_REJECTED, by_deadline=True)},
    Action.ESCALATE: {S.MERCHANT_REJECTED: _r(B, to=S.DISPUTE_AWAITING_EVIDENCE, by_deadline=True)},
    Action.SUBMIT_EVIDENCE: {
        S.DISPUTE_AWAITING_EVIDENCE: _r(M, to=S.DISPUTE_PLATFORM_REVIEW, by_deadline=True),
        # Only the party CS asked; checked against the open evidence request below.
        S.DISPUTE_AWAITING_SUPPLEMENT: _r(M, B, to=S.DISPUTE_PLATFORM_REVIEW, by_deadline=True),
    },
    Action.MESSAGE: {s: _r(M, B) for s in NON_FINAL},
    # Before a dispute, the escalation window's end closes the request: an offer made or answered
    # after it is late even if the worker has not closed it yet. In a dispute the negotiation
    # outlives the evidence deadline (CS takes over; the parties may still agree).
    Action.MAKE_OFFER: {S.MERCHANT_REJECTED: _r(M, by_deadline=True), **{s: _r(M) for s in DISPUTE_OPEN}},
    Action.ACCEPT_OFFER: {
        S.MERCHANT_REJECTED: _r(B, to=S.REFUNDED, by_deadline=True),
        **{s: _r(B, to=S.REFUNDED) for s in DISPUTE_OPEN},
    },
    Action.DECLINE_OFFER: {S.MERCHANT_REJECTED: _r(B, by_deadline=True), **{s: _r(B) for s in DISPUTE_OPEN}},
    Action.CANCEL: {
        S.AWAITING_MERCHANT: _r(B, to=S.CANCELLED, by_deadline=True),
        S.AWAITING_RETURN: _r(B, to=S.CANCELLED, by_deadline=True),
        S.AWAITING_RECEIPT: _r(B, to=S.CANCELLED, by_deadline=True),
        S.MERCHANT_REJECTED: _r(B, to=S.CANCELLED, by_deadline=True),
        # "The buyer can cancel at any moment of the dispute": no deadline applies.
        **{s: _r(B, to=S.CANCELLED) for s in DISPUTE_OPEN},
    },
    Action.REQUEST_EVIDENCE: {S.DISPUTE_PLATFORM_REVIEW: _r(CS, to=S.DISPUTE_AWAITING_SUPPLEMENT)},
    Action.RULE: {
        S.DISPUTE_PLATFORM_REVIEW: _r(CS, to=Choice.RULING_OUTCOME),
        S.DISPUTE_AWAITING_SUPPLEMENT: _r(CS, to=Choice.RULING_OUTCOME),
    },
    # 售后申诉: after a ruling, by the party it went against, within the appeal window (checked
    # below); the request's state stays, except that an overturn may refund a closed request.
    Action.APPEAL: {S.REFUNDED: _r(M, B), S.CLOSED: _r(M, B)},
    # A closed request ends refunded when the overturn refunds; any other decision leaves the state.
    Action.DECIDE_APPEAL: {S.REFUNDED: _r(CS), S.CLOSED: _r(CS, to=S.REFUNDED)},
    # CS tools: an agent takes a case (认领) while its dispute is open; internal notes at any time;
    # an open evidence deadline moved later, before it passes.
    Action.CLAIM: {s: _r(CS) for s in DISPUTE_OPEN},
    Action.RELEASE: {s: _r(CS) for s in DISPUTE_OPEN},
    Action.CS_NOTE: {s: _r(CS) for s in Status},
    Action.EXTEND_DEADLINE: {
        S.DISPUTE_AWAITING_EVIDENCE: _r(CS, by_deadline=True),
        S.DISPUTE_AWAITING_SUPPLEMENT: _r(CS, by_deadline=True),
    },
    # The states that end by themselves at due_at, applied by the worker (actions.deadlines).
    Action.TIME_OUT: {
        S.AWAITING_MERCHANT: _r(SYSTEM, to=REFUND),  # 超时自动同意
        S.AWAITING_RETURN: _r(SYSTEM, to=S.CLOSED),  # 买家超时未退货
        S.AWAITING_RECEIPT: _r(SYSTEM, to=S.REFUNDED),  # 超时自动确认收货
        S.MERCHANT_REJECTED: _r(SYSTEM, to=S.CLOSED),  # 逾期未申请平台介入
        S.DISPUTE_AWAITING_EVIDENCE: _r(SYSTEM, to=S.DISPUTE_PLATFORM_REVIEW),  # 超时未举证
        S.DISPUTE_AWAITING_SUPPLEMENT: _r(SYSTEM, to=S.DISPUTE_PLATFORM_REVIEW),  # 超时未补充凭证
    },
}

TIMED_STATUSES = tuple(TABLE[Action.TIME_OUT])
# The actions a person takes (the API's allowed_actions, the page buttons); timeouts are the worker's.
PERSON_ACTIONS = tuple(a for a in Action if a != Action.TIME_OUT)


def resolve(choice: Choice, aftersale: AfterSale, *, refunds: bool | None = None) -> Status:
    """The one place each Choice is decided. `refunds`: whether the ruling refunds anything."""
    if choice == Choice.REFUND_OR_AWAIT_RETURN:
        awaits_goods = aftersale.type == AfterSaleType.RETURN_REFUND and not aftersale.return_tracking_no
        return S.AWAITING_RETURN if awaits_goods else S.REFUNDED
    if refunds is None:
        raise ValueError("a ruling's target needs to know whether it refunds")
    return S.REFUNDED if refunds else S.CLOSED


def target_of(aftersale: AfterSale, action: Action, **choice_args) -> Status | None:
    """Where `action` from the after-sale's current state leads (None: it stays)."""
    leads_to = TABLE[action][aftersale.status].leads_to
    return resolve(leads_to, aftersale, **choice_args) if isinstance(leads_to, Choice) else leads_to


def check_target(from_status: Status, action: Action, to_status: Status) -> None:
    """set_status's guard: a transition the table does not list is a bug, never a silent write."""
    rule = TABLE.get(action, {}).get(from_status)
    if rule is None or to_status not in rule.targets:
        raise TransitionNotInTable(f"{action}: {from_status} -> {to_status} is not in the transition table")


class TransitionNotInTable(AssertionError):
    pass


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
    Action.APPEAL: _("申诉"),
    Action.DECIDE_APPEAL: _("复核申诉"),
    Action.CLAIM: _("认领"),
    Action.RELEASE: _("释放"),
    Action.CS_NOTE: _("内部备注"),
    Action.EXTEND_DEADLINE: _("延长期限"),
}


def deadline_passed(aftersale: AfterSale, now) -> bool:
    """A deadline is met at due_at exactly and missed one second later."""
    return aftersale.due_at is not None and now > aftersale.due_at


def _open_request(aftersale: AfterSale):
    return EvidenceRequest.objects.open().of(aftersale).first()


def _open_offer_exists(aftersale: AfterSale) -> bool:
    return Offer.objects.filter(aftersale=aftersale, state=Offer.State.OPEN).exists()


def appeal_window_ends_at(ruling: Ruling):
    return ruling.ruled_at + policy.appeal_window()


def ruled_against(ruling: Ruling) -> frozenset:
    """The parties a ruling went against, who may appeal it: the buyer unless refunded in full and
    not held liable; the merchant unless nothing is refunded and it is not held liable."""
    parties = set()
    if ruling.outcome != Outcome.REFUND or ruling.liable == Liable.BUYER:
        parties.add(B)
    if ruling.outcome != Outcome.NO_REFUND or ruling.liable == Liable.MERCHANT:
        parties.add(M)
    return frozenset(parties)


def ruling_of(aftersale: AfterSale) -> Ruling | None:
    """The ruling of the request's current dispute round, if CS ruled it."""
    if aftersale.dispute_id is None:
        return None
    return Ruling.objects.filter(dispute_id=aftersale.dispute_id).first()


def appeal_of(aftersale: AfterSale) -> Appeal | None:
    return getattr(aftersale, "appeal", None)


def _appeal_refusal(aftersale: AfterSale, party, now):
    ruling = ruling_of(aftersale)
    if ruling is None:
        return Conflict(Code.NOT_APPEALABLE)
    if appeal_of(aftersale) is not None:
        return Conflict(Code.ALREADY_APPEALED)
    if party not in ruled_against(ruling):
        return Conflict(Code.RULING_NOT_AGAINST_YOU, details={"reason": "not_against_you"})
    ends_at = appeal_window_ends_at(ruling)
    if now > ends_at:  # allowed at the window's end exactly, refused one second later
        return Conflict(Code.APPEAL_WINDOW_CLOSED, details={"window_ends_at": ends_at.isoformat()})
    return None


def _decide_appeal_refusal(aftersale: AfterSale, user):
    appeal = appeal_of(aftersale)
    if appeal is None or appeal.status != Appeal.Status.PENDING:
        return Conflict(Code.NO_PENDING_APPEAL)
    if user is not None and appeal.ruling.ruled_by_id == user.pk:
        return Forbidden(Code.SAME_AGENT_RULED)
    return None


# What another agent's claim blocks: the case's decisions and deadlines stay with the claimer.
CLAIMED_ACTIONS = frozenset(
    {Action.RULE, Action.REQUEST_EVIDENCE, Action.EXTEND_DEADLINE, Action.DECIDE_APPEAL, Action.CLAIM}
)


def _claim_refusal(aftersale: AfterSale, action: Action, user):
    dispute = aftersale.dispute if aftersale.dispute_id else None
    claimer = dispute.claimed_by_id if dispute else None
    if action == Action.RELEASE:
        if claimer is None:
            return Conflict(Code.CASE_NOT_CLAIMED)
        if user is not None and claimer != user.pk and user.role != "admin":
            return Conflict(Code.CASE_CLAIMED, details=_claim_details(dispute, user))
        return None
    if claimer is None or user is None:
        return None
    if claimer != user.pk or action == Action.CLAIM:
        return Conflict(Code.CASE_CLAIMED, details=_claim_details(dispute, user))
    return None


def _claim_details(dispute, user) -> dict:
    return {
        "claimed_by": cs_name(dispute.claimed_by),
        "claimed_at": dispute.claimed_at.isoformat(),
        "by_you": user is not None and dispute.claimed_by_id == user.pk,
    }


def _refusal(aftersale: AfterSale, action: Action, party, now, user=None):
    """The error that refuses `action` by `party` (the person `user`, when known) now, or None when
    it is allowed."""
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
    if action in CLAIMED_ACTIONS or action == Action.RELEASE:
        refusal = _claim_refusal(aftersale, action, user)
        if refusal is not None:
            return refusal
    if action == Action.APPEAL:
        return _appeal_refusal(aftersale, party, now)
    if action == Action.DECIDE_APPEAL:
        return _decide_appeal_refusal(aftersale, user)
    return None


def check_transition(aftersale: AfterSale, action: Action, *, party, now, user=None) -> None:
    refusal = _refusal(aftersale, action, party, now, user)
    if refusal is not None:
        raise refusal


def allowed_actions(aftersale: AfterSale, *, party, now, user=None) -> list[str]:
    if party is None:
        return []
    return [a.value for a in PERSON_ACTIONS if _refusal(aftersale, a, party, now, user) is None]
