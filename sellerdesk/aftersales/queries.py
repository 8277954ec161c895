"""Read side: the workbench filters and the detail view, shared by the API and the pages."""
from datetime import datetime

from django.db.models import Prefetch, Q

from sellerdesk.core.errors import InvalidInput

from . import names, policy
from .access import aftersales_visible_to, party_of
from .actions.escalation import escalation_eligibility
from .models import Evidence, EvidenceRequest, Party, Refund, Status
from .models.enums import status_label
from .states import allowed_actions

QUICK_FILTERS = ("disputes_pending", "evidence_due_soon")


def _supplement_asked_of(user, party) -> Q:
    # A subquery bounded by the caller's own requests: a correlated EXISTS made PostgreSQL hash every
    # open evidence request on the platform for the largest shops (docs/benchmarks.md).
    asked = EvidenceRequest.objects.filter(
        state=EvidenceRequest.State.OPEN, party=party,
        dispute__aftersale__in=aftersales_visible_to(user).filter(status=Status.DISPUTE_AWAITING_SUPPLEMENT),
    ).values("dispute__aftersale_id")
    return Q(status=Status.DISPUTE_AWAITING_SUPPLEMENT, pk__in=asked)


def disputes_pending_q(user) -> Q:
    """纠纷待处理: disputes waiting for the caller's side to act."""
    if user.role == "merchant":
        return Q(status=Status.DISPUTE_AWAITING_EVIDENCE) | _supplement_asked_of(user, Party.MERCHANT)
    if user.role == "buyer":
        return _supplement_asked_of(user, Party.BUYER)
    return Q(status=Status.DISPUTE_PLATFORM_REVIEW)


def filter_aftersales(user, *, statuses=(), quick: str | None = None, q: str | None = None,
                      created_from: datetime | None = None, created_to: datetime | None = None, now=None):
    qs = aftersales_visible_to(user)
    bad = [s for s in statuses if s not in Status.values]
    if bad:
        raise InvalidInput(f"Unknown status {', '.join(bad)}.", code="invalid_status",
                           details={"allowed": Status.values})
    if statuses:
        qs = qs.filter(status__in=statuses)
    if quick:
        if quick not in QUICK_FILTERS:
            raise InvalidInput(f"quick must be one of {', '.join(QUICK_FILTERS)}.", code="invalid_quick_filter")
        qs = qs.filter(disputes_pending_q(user))
        if quick == "evidence_due_soon":
            qs = qs.filter(due_at__gte=now, due_at__lte=now + policy.evidence_due_soon())
    if q:
        q = q.strip()
        qs = qs.filter(Q(number=q) | Q(order__order_no=q) | Q(buyer__username=q) | Q(buyer__first_name=q))
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lte=created_to)
    return qs.select_related("order", "buyer", "dispute")


def detail(aftersale, user, now) -> dict:
    """Everything the refund detail page (退款详情页) and GET /aftersales/{id} show."""
    party = party_of(user, aftersale)
    order = aftersale.order
    dispute = getattr(aftersale, "dispute", None)
    dispute_out = None
    if dispute is not None:
        ruling = getattr(dispute, "ruling", None)
        evidence = Evidence.objects.filter(dispute=dispute).prefetch_related("attachments").order_by("id")
        dispute_out = {
            **{f: getattr(dispute, f) for f in ("status", "opened_at", "evidence_due_at", "evidence_submitted_at",
                                                "timed_out", "outcome", "liable", "resolved_at",
                                                "escalation_reason")},
            "evidence_requests": list(dispute.evidence_requests.order_by("id")),
            "evidence": [{"id": e.id, "party": e.party, "statement": e.statement, "submitted_at": e.submitted_at,
                          "attachments": list(e.attachments.all())} for e in evidence],
            "ruling": None if ruling is None else {
                "outcome": ruling.outcome, "amount_fen": ruling.amount_fen, "liable": ruling.liable,
                "note": ruling.note, "evidence_considered": ruling.evidence_considered,
                "ruled_by": names.cs_name(ruling.ruled_by), "ruled_at": ruling.ruled_at},
        }
    return {
        **{f: getattr(aftersale, f) for f in ("id", "number", "type", "status", "amount_fen", "reason",
                                              "description", "rejection_reason", "return_carrier",
                                              "return_tracking_no", "created_at", "updated_at", "due_at",
                                              "version", "buyer_id")},
        "status_label": status_label(aftersale.status),
        "buyer_name": names.buyer_name(aftersale.buyer),
        "order": order,
        "attachments": list(aftersale.attachments.filter(evidence__isnull=True, history_entry__kind="created")),
        "dispute": dispute_out,
        "offers": list(aftersale.offers.order_by("id")),
        "refund": getattr(aftersale, "refund", None),
        "escalation": escalation_eligibility(aftersale, party=party, now=now),
        "allowed_actions": allowed_actions(aftersale, party=party, now=now),
    }


def load_for_detail(qs):
    return qs.select_related("order__shop", "buyer", "dispute__ruling__ruled_by", "refund").prefetch_related(
        "order__items", Prefetch("offers"))


def failed_refunds():
    """The CS console's refund cases: every failed refund (with or without a dispute), oldest first."""
    return (Refund.objects.filter(status=Refund.Status.FAILED)
            .select_related("aftersale__order__shop", "aftersale__buyer", "aftersale__dispute", "rail_instruction")
            .order_by("failed_at", "id"))
