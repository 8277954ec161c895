"""Every change of an after-sale goes through one of these do_* functions."""

from .adjudication import do_request_evidence, do_rule
from .appeals import appeal_eligibility, do_appeal, do_decide_appeal
from .cancelling import do_cancel
from .cs_tools import do_add_cs_note, do_claim, do_extend_deadline, do_release
from .deadlines import apply_timeout, sweep
from .escalation import do_escalate, escalation_eligibility
from .evidence import do_submit_evidence
from .merchant import do_approve, do_confirm_receipt, do_reject, do_reject_receipt, do_submit_return
from .negotiation import do_accept_offer, do_decline_offer, do_make_offer, do_post_message
from .opening import do_open_aftersale

__all__ = [
    "do_request_evidence",
    "do_rule",
    "appeal_eligibility",
    "do_appeal",
    "do_decide_appeal",
    "do_cancel",
    "do_add_cs_note",
    "do_claim",
    "do_extend_deadline",
    "do_release",
    "apply_timeout",
    "sweep",
    "do_escalate",
    "escalation_eligibility",
    "do_submit_evidence",
    "do_approve",
    "do_confirm_receipt",
    "do_reject",
    "do_reject_receipt",
    "do_submit_return",
    "do_accept_offer",
    "do_decline_offer",
    "do_make_offer",
    "do_post_message",
    "do_open_aftersale",
]
