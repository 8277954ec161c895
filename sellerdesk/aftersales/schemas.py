from datetime import datetime

from ninja import Field, Schema

from sellerdesk.orders.api import OrderOut

from .models.enums import status_label


class AfterSaleIn(Schema):
    order_id: int
    type: str = Field(description="refund_only (仅退款) or return_refund (退货退款)")
    amount_fen: int
    reason: str
    description: str = ""


class ReasonIn(Schema):
    reason: str


class ReturnShipmentIn(Schema):
    carrier: str
    tracking_no: str


class MessageIn(Schema):
    body: str


class OfferIn(Schema):
    amount_fen: int
    note: str = ""


class EvidenceRequestIn(Schema):
    party: str = Field(description="merchant or buyer")
    note: str
    due_hours: int | None = Field(None, description="1–168; default SELLERDESK_SUPPLEMENT_SECONDS")


class RulingIn(Schema):
    outcome: str = Field(description="refund, partial_refund or no_refund")
    amount_fen: int | None = Field(None, description="required for partial_refund")
    liable: str = Field(description="merchant, buyer or none")
    note: str


class AttachmentOut(Schema):
    id: int
    name: str = Field(alias="original_name")
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj):
        return f"/api/v1/attachments/{obj.id}"


class DisputeSummaryOut(Schema):
    status: str
    opened_at: datetime
    evidence_due_at: datetime
    evidence_submitted_at: datetime | None
    timed_out: bool
    outcome: str
    liable: str
    resolved_at: datetime | None


class AfterSaleListItem(Schema):
    id: int
    number: str
    order_id: int
    order_no: str = Field(alias="order.order_no")
    shop_id: int
    buyer_id: int
    buyer_name: str
    type: str
    status: str
    status_label: str
    amount_fen: int
    reason: str
    created_at: datetime
    due_at: datetime | None
    dispute: DisputeSummaryOut | None

    @staticmethod
    def resolve_status_label(obj):
        return status_label(obj.status)

    @staticmethod
    def resolve_dispute(obj):
        return getattr(obj, "dispute", None)


class AfterSalePage(Schema):
    items: list[AfterSaleListItem]
    next_cursor: str | None


class EvidenceRequestOut(Schema):
    id: int
    party: str
    initial: bool
    note: str
    requested_at: datetime
    due_at: datetime
    state: str
    closed_at: datetime | None


class EvidenceOut(Schema):
    id: int
    party: str
    statement: str
    submitted_at: datetime
    attachments: list[AttachmentOut]


class RulingOut(Schema):
    outcome: str
    amount_fen: int
    liable: str
    note: str
    evidence_considered: list[int]
    ruled_by: str
    ruled_at: datetime


class DisputeOut(DisputeSummaryOut):
    escalation_reason: str
    evidence_requests: list[EvidenceRequestOut]
    evidence: list[EvidenceOut]
    ruling: RulingOut | None


class OfferOut(Schema):
    id: int
    amount_fen: int
    note: str
    state: str
    made_at: datetime
    answered_at: datetime | None


class RefundOut(Schema):
    amount_fen: int
    status: str = Field(description="pending (being sent to the payment rail) → succeeded / failed (a CS case)")
    reference: str = Field(description="The payment rail's idempotency key, the same on every retry")
    failed_reason: str | None = Field(None, description="The rail's reason code while failed")
    source: str
    created_at: datetime
    succeeded_at: datetime | None = None

    @staticmethod
    def resolve_failed_reason(obj):
        return obj.failed_reason or None


class EscalationOut(Schema):
    can_escalate: bool
    window_ends_at: datetime | None
    reason: str | None
    message: str | None


class AfterSaleDetail(Schema):
    id: int
    number: str
    type: str
    status: str
    status_label: str
    amount_fen: int
    reason: str
    description: str
    rejection_reason: str
    return_carrier: str
    return_tracking_no: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    version: int
    buyer_id: int
    buyer_name: str
    order: OrderOut
    attachments: list[AttachmentOut]
    dispute: DisputeOut | None
    offers: list[OfferOut]
    refund: RefundOut | None
    escalation: EscalationOut
    allowed_actions: list[str]


class HistoryOut(Schema):
    id: int
    at: datetime
    actor_role: str
    actor_name: str | None
    kind: str
    kind_label: str
    body: str
    attachments: list[AttachmentOut]
    data: dict
