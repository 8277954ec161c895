from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from sellerdesk.core.fields import InputSchema, JsonInt, fen
from sellerdesk.core.text import text_field
from sellerdesk.orders.api import OrderOut

from . import policy
from .models.enums import AfterSaleType, Liable, Outcome, Party, RulingReason, status_label
from .queries import PREFIX_MATCH_CAP


def _choice(values, description: str):
    """One of `values`; listed in the OpenAPI document, refused with the domain's own code."""
    return Field(description=description, json_schema_extra={"enum": list(values)})


class ClaimLineIn(InputSchema):
    order_item_id: JsonInt = Field(description="An `id` of the order's `items`")
    quantity: JsonInt = Field(gt=0, le=1_000_000)
    amount_fen: JsonInt = fen("At most what the line can still refund for these units")


class AfterSaleIn(InputSchema):
    """On the whole order (`amount_fen`) or on some of its lines (`items`, whose total is the amount)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "title": "On the whole order",
                    "required": ["amount_fen"],
                    "properties": {"amount_fen": {"type": "integer"}},
                },
                {
                    "title": "On some lines",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "minItems": 1}},
                },
            ]
        }
    )

    order_id: JsonInt
    type: str = _choice(AfterSaleType.values, "refund_only (仅退款) or return_refund (退货退款)")
    amount_fen: JsonInt | None = fen(
        "At most the order's refundable_fen. With `items`, their total (may be left out)", default=None
    )
    items: list[ClaimLineIn] = Field(
        default_factory=list,
        max_length=200,
        description="A claim on some lines: each order line at most once, within its refundable balance",
    )
    reason: str = text_field(policy.MAX_REASON_CHARS)
    description: str = text_field(policy.MAX_DESCRIPTION_CHARS, required=False)


class ReasonIn(InputSchema):
    reason: str = text_field(500)


class ReturnShipmentIn(InputSchema):
    carrier: str = text_field(60)
    tracking_no: str = text_field(60)


class MessageIn(InputSchema):
    body: str = text_field(policy.MAX_MESSAGE_CHARS)


class OfferIn(InputSchema):
    amount_fen: JsonInt = fen("Less than the requested amount")
    note: str = text_field(500, required=False)


class EvidenceRequestIn(InputSchema):
    party: str = _choice([Party.MERCHANT.value, Party.BUYER.value], "merchant or buyer")
    note: str = text_field(policy.MAX_NOTE_CHARS)
    due_hours: JsonInt | None = Field(
        None,
        description="Default SELLERDESK_SUPPLEMENT_SECONDS",
        json_schema_extra={"minimum": 1, "maximum": policy.MAX_SUPPLEMENT_HOURS},
    )


REASON_CODE_HELP = (
    "Required when the outcome and the liability disagree, empty otherwise: platform_guarantee or "
    "no_reason_return for a refund with the buyer liable; no_loss_to_buyer for no refund with the merchant liable"
)


class AppealIn(InputSchema):
    reason: str = text_field(policy.MAX_APPEAL_REASON_CHARS, description="Why the ruling is wrong (申诉理由)")


class AppealDecisionIn(InputSchema):
    decision: str = _choice(["uphold", "overturn"], "uphold (维持原判) or overturn (改判)")
    note: str = text_field(policy.MAX_NOTE_CHARS, description="The reason for the decision, seen by both parties")
    outcome: str | None = Field(
        None, description="Overturn: refund, partial_refund or no_refund", json_schema_extra={"enum": Outcome.values}
    )
    amount_fen: JsonInt | None = fen("Overturn to partial_refund: the request's refund in total", default=None)
    liable: str | None = Field(
        None, description="Overturn: merchant, buyer or none", json_schema_extra={"enum": Liable.values}
    )
    reason_code: str | None = Field(None, description=REASON_CODE_HELP, json_schema_extra={"enum": RulingReason.values})
    compensation_fen: JsonInt = fen(
        "Overturn in the merchant's favour: the platform's compensation to its 安心钱包, at most what the buyer keeps",
        default=0,
        minimum=0,
    )


class RulingIn(InputSchema):
    outcome: str = _choice(Outcome.values, "refund, partial_refund or no_refund")
    amount_fen: JsonInt | None = fen("Required for partial_refund", default=None)
    liable: str = _choice(Liable.values, "merchant, buyer or none")
    note: str = text_field(policy.MAX_NOTE_CHARS)
    reason_code: str | None = Field(None, description=REASON_CODE_HELP, json_schema_extra={"enum": RulingReason.values})


class CsNoteIn(InputSchema):
    body: str = text_field(policy.MAX_NOTE_CHARS, description="The internal note; only CS sees it")


class ExtendDeadlineIn(InputSchema):
    hours: JsonInt = Field(
        description="How much later the open evidence deadline becomes (never earlier)",
        json_schema_extra={"minimum": 1, "maximum": policy.MAX_EXTEND_HOURS},
    )
    reason: str = text_field(500, description="Why, seen by both parties")


class AttachmentOut(Schema):
    id: int
    name: str = Field(alias="original_name")
    content_type: str
    size: int
    sha256: str = Field(description="SHA-256 of the stored bytes, recorded at upload (hex)")
    url: str

    @staticmethod
    def resolve_url(obj):
        return f"/api/v1/attachments/{obj.id}"


class IntegrityOut(Schema):
    attachment_id: int
    recorded_sha256: str = Field(description="Recorded when the file was uploaded")
    stored_sha256: str | None = Field(description="Of the bytes stored now; null when the store has no file")
    matches: bool = Field(description="The stored bytes are the ones uploaded")
    checked_at: datetime


class DisputeSummaryOut(Schema):
    round: int = Field(
        description="1, or 2 when the buyer escalated again after the merchant agreed in round 1 and then "
        "refused the returned goods; this object is the current round, every round is in the history"
    )
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
    search_capped: bool = Field(
        False,
        description=f"`q` matched the beginning of more than {PREFIX_MATCH_CAP} after-sales or order numbers:"
        f" only the {PREFIX_MATCH_CAP} highest of each (the newest: numbers begin with their date) are in"
        " the list. Send more of the number to see the others.",
    )


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
    reason_code: str = Field(description="Why outcome and liability disagree; empty when they agree")
    note: str
    evidence_considered: list[int]
    ruled_by: str
    ruled_at: datetime


class AppealOut(Schema):
    status: str = Field(description="pending (待复核) → decided (已复核)")
    appellant: str = Field(description="merchant or buyer: the party the ruling went against")
    reason: str
    filed_at: datetime
    decided_by: str | None = Field(description="The deciding agent's display name (平台客服 + number)")
    decision: str | None = Field(description="uphold (维持原判) or overturn (改判); null while pending")
    decided_at: datetime | None
    note: str
    outcome: str | None = Field(description="On overturn: the outcome that now holds")
    amount_fen: int | None = Field(description="On overturn: the request's refund in total after the appeal")
    liable: str | None = Field(description="On overturn: who is liable now")
    compensation_fen: int = Field(description="The platform's compensation credited to the merchant's 安心钱包")


class DisputeOut(DisputeSummaryOut):
    escalation_reason: str
    evidence_requests: list[EvidenceRequestOut]
    evidence: list[EvidenceOut]
    ruling: RulingOut | None
    appeal: AppealOut | None
    claimed_by: str | None = Field(description="CS only: the agent who claimed the case (认领), by display name")
    claimed_at: datetime | None = Field(description="CS only: when it was claimed")
    can_appeal: bool = Field(description="Whether the caller may appeal the ruling now (POST …/appeal)")
    appeal_window_ends_at: datetime | None = Field(
        description="The last moment an appeal is accepted (the ruling + SELLERDESK_APPEAL_WINDOW_SECONDS); null before a ruling"
    )
    appeal_blocked_reason: str | None = Field(
        description="Why the caller cannot appeal (the error code POST …/appeal would answer), when a ruling exists"
    )


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


class ClaimLineOut(Schema):
    order_item_id: int
    sku: str
    title: str
    quantity: int
    amount_fen: int
    refunded_fen: int = Field(description="What this request's refunds gave the line")


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
    items: list[ClaimLineOut] = Field(description="The lines claimed; empty for a claim on the whole order")
    attachments: list[AttachmentOut]
    dispute: DisputeOut | None
    offers: list[OfferOut]
    refund: RefundOut | None = Field(description="The refund the request's decision made")
    refunds: list[RefundOut] = Field(
        description="Every refund of the request, oldest first: the decision's, then an appeal's top-up"
    )
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
