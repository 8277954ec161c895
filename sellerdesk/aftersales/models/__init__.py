from .aftersale import AfterSale, ClaimLine
from .dispute import Appeal, Dispute, EvidenceRequest, Ruling
from .drafts import EvidenceDraft, EvidenceDraftFile
from .enums import (
    DISPUTE_STATUSES,
    FINAL_STATUSES,
    MERCHANT_PENDING_STATUSES,
    AfterSaleType,
    DisputeStatus,
    HistoryKind,
    Liable,
    Outcome,
    Party,
    RulingReason,
    Status,
    Visibility,
)
from .evidence import Attachment, Evidence
from .history import AppendOnlyError, HistoryEntry
from .offer import Offer, Refund

__all__ = [
    "AfterSale",
    "ClaimLine",
    "Appeal",
    "Dispute",
    "EvidenceRequest",
    "Ruling",
    "Attachment",
    "EvidenceDraft",
    "EvidenceDraftFile",
    "Evidence",
    "HistoryEntry",
    "AppendOnlyError",
    "Offer",
    "Refund",
    "DISPUTE_STATUSES",
    "MERCHANT_PENDING_STATUSES",
    "FINAL_STATUSES",
    "AfterSaleType",
    "DisputeStatus",
    "HistoryKind",
    "Liable",
    "Outcome",
    "Party",
    "RulingReason",
    "Status",
    "Visibility",
]
