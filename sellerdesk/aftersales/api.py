"""Thin endpoints: parse, call an action or a query, shape the answer."""

import json
from datetime import datetime

from django.http import FileResponse, JsonResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from sellerdesk.core import clock, ratelimit
from sellerdesk.core.error_codes import CoreErrorCode as CoreCode
from sellerdesk.core.errors import Forbidden, InvalidInput, NotFound
from sellerdesk.core.fields import IsoDatetime
from sellerdesk.core.pagination import LIMIT, check_cursor
from sellerdesk.core.text import PRINTABLE
from sellerdesk.identity.models import Role

from . import actions, names, policy
from .access import access_aftersale, access_attachment, aftersales_visible_to, party_of, visible_history
from .error_codes import AfterSaleErrorCode as Code
from .files import ALLOWED, MAX_FILES, MAX_STATEMENT_CHARS, check_integrity
from .models.enums import Status as AfterSaleStatus
from .models.enums import history_label, status_label
from .queries import (
    DEFAULT_ORDERING,
    ORDERINGS,
    QUEUE_DISPUTE_STATUSES,
    QUICK_FILTERS,
    QueueFilter,
    cs_queue,
    detail,
    listing,
    load_for_detail,
)
from .schemas import (
    AfterSaleDetail,
    AfterSaleIn,
    AfterSaleListItem,
    AfterSalePage,
    AppealDecisionIn,
    CsNoteIn,
    EvidenceRequestIn,
    EvidenceRequestOut,
    ExtendDeadlineIn,
    HistoryOut,
    IntegrityOut,
    OfferIn,
    OfferOut,
    ReasonIn,
    ReturnShipmentIn,
    RulingIn,
)

router = Router(tags=["aftersales"])

LIST_FIELDS = (
    "id",
    "number",
    "order_id",
    "shop_id",
    "buyer_id",
    "type",
    "status",
    "amount_fen",
    "reason",
    "created_at",
    "due_at",
)
DISPUTE_FIELDS = (
    "round",
    "status",
    "opened_at",
    "evidence_due_at",
    "evidence_submitted_at",
    "timed_out",
    "outcome",
    "liable",
    "resolved_at",
)
LIST_VALUES = (
    *LIST_FIELDS,
    "order__order_no",
    "buyer__first_name",
    "dispute__id",
    *(f"dispute__{f}" for f in DISPUTE_FIELDS),
)


# `q` of GET /aftersales: an order number, an after-sales number or a buyer, so 100 characters is
# plenty. The document's maxLength (x-param-max-lengths, core/openapi.py) and check_search say the
# same, measured as JSON Schema measures: characters as sent. Beyond it: 400 q_too_long.
MAX_SEARCH_CHARS = 100
SEARCH = Query(
    None,
    description=f"Order no. or after-sales no., whole or its beginning; or the buyer's display name as lists show "
    f"it, or login; at most {MAX_SEARCH_CHARS} characters",
)
ORDERING = Query(
    None,
    description=f"Sort by `created_at` (申请时间), `amount_fen` (申请金额) or `due_at` (the current deadline; "
    f"requests without one last), ascending, or descending with a leading `-`; then by id. "
    f"Default `{DEFAULT_ORDERING}`. Pass `next_cursor` back with the same ordering.",
)


def check_search(q: str | None) -> str | None:
    if q is not None and len(q) > MAX_SEARCH_CHARS:
        raise InvalidInput(Code.Q_TOO_LONG, details={"field": "q", "length": len(q), "max_chars": MAX_SEARCH_CHARS})
    return q


def _list_item(row: dict) -> dict:
    item = {f: row[f] for f in LIST_FIELDS}
    item["order_no"] = row["order__order_no"]
    item["buyer_name"] = names.buyer_label(row["buyer__first_name"], row["buyer_id"])
    item["status_label"] = status_label(row["status"])
    item["dispute"] = None if row["dispute__id"] is None else {f: row[f"dispute__{f}"] for f in DISPUTE_FIELDS}
    return item


def _detail(request, aftersale_id: int):
    aftersale = load_for_detail(aftersales_visible_to(request.auth)).filter(pk=aftersale_id).first()
    if aftersale is None:
        raise NotFound(Code.NOT_FOUND)
    return detail(aftersale, request.auth, clock.now())


@router.post("/aftersales", response={201: AfterSaleDetail})
def open_aftersale(request, payload: AfterSaleIn):
    """Buyer: open an after-sales request (售后申请). `amount_fen` ≤ the order's `refundable_fen`;
    one open request per order."""
    aftersale = actions.do_open_aftersale(**payload.dict(), acting_user=request.auth, now=clock.now())
    return Status(201, _detail(request, aftersale.pk))


@router.get(
    "/aftersales",
    response=AfterSalePage,
    openapi_extra={
        "x-param-enums": {"status": AfterSaleStatus.values, "quick": QUICK_FILTERS, "ordering": list(ORDERINGS)},
        "x-param-max-lengths": {"q": MAX_SEARCH_CHARS},
        "x-error-statuses": ["422"],  # invalid_date_range
    },
)
def list_aftersales(
    request,
    status: list[str] = Query(None),
    quick: str | None = None,
    q: str | None = SEARCH,
    created_from: IsoDatetime | None = None,
    created_to: IsoDatetime | None = None,
    ordering: str | None = ORDERING,
    limit: int | None = LIMIT,
    cursor: str | None = None,
):
    """What the caller may see, newest first unless `ordering` says otherwise.
    `quick=disputes_pending` is 纠纷待处理; `status=dispute_awaiting_evidence` is 待商家提供凭证.
    `created_from` later than `created_to` is 422 `invalid_date_range`, never an empty list."""
    found = listing(
        request.auth,
        statuses=status or (),
        quick=quick,
        q=check_search(q),
        created_from=created_from,
        created_to=created_to,
        now=clock.now(),
    )
    # The workbench's hottest read: plain rows and one JSON encode, without a model instance or a
    # schema validation per row (half the request's CPU; docs/benchmarks.md). The declared response
    # schema stays the contract, and test_api_contract checks the output against it.
    rows, next_cursor = found.page(ordering=ordering, cursor=cursor, limit=limit, values=LIST_VALUES)
    return JsonResponse(
        {"items": [_list_item(r) for r in rows], "next_cursor": next_cursor, "search_capped": found.search_capped}
    )


class CsQueueItem(AfterSaleListItem):
    review_started_at: datetime | None = Field(None, description="When the dispute reached the platform.")


class CsQueuePage(Schema):
    items: list[CsQueueItem]
    next_cursor: str | None
    prev_cursor: str | None


@router.get(
    "/cs/queue",
    response=CsQueuePage,
    openapi_extra={
        "x-param-enums": {"status": list(QUEUE_DISPUTE_STATUSES), "claimed": list(QueueFilter.CLAIMED)},
        "x-param-max-lengths": {"q": MAX_SEARCH_CHARS},
    },
)
def list_cs_queue(
    request,
    limit: int | None = LIMIT,
    cursor: str | None = None,
    status: str | None = Query(None, description="platform_review (平台处理中) or awaiting_supplement (待补充凭证)"),
    claimed: str | None = Query(None, description="me, none (unclaimed) or others (claimed by another agent)"),
    older_than_hours: int | None = Query(
        None, ge=0, le=24 * 365, description="Waiting on the platform at least this long, in hours"
    ),
    shop_id: int | None = Query(None, ge=1, le=2**63 - 1, description="One shop's disputes"),
    q: str | None = SEARCH,
):
    """CS: disputes awaiting a ruling (平台处理中 and 待补充凭证), oldest first by when they reached
    the platform, optionally filtered. Keyset pages: pass `next_cursor` (or `prev_cursor`) back as
    `cursor` with the same filters."""
    if request.auth.role not in (Role.CS, Role.ADMIN):
        raise Forbidden(Code.FORBIDDEN_ROLE, details={"role": request.auth.role})
    filters = QueueFilter(
        status=status or "",
        claimed=claimed or "",
        older_than_hours=older_than_hours,
        shop_id=shop_id,
        q=check_search(q) or "",
    )
    disputes, next_cursor, prev_cursor = cs_queue(
        request.auth, cursor=check_cursor(cursor), limit=limit, default_limit=20, filters=filters, now=clock.now()
    )
    items = []
    for d in disputes:
        a = d.aftersale
        row = {f: getattr(a, f) for f in LIST_FIELDS}
        row.update(
            {
                "order__order_no": a.order.order_no,
                "buyer__first_name": a.buyer.first_name,
                "dispute__id": d.id,
                **{f"dispute__{f}": getattr(d, f) for f in DISPUTE_FIELDS},
            }
        )
        items.append({**_list_item(row), "review_started_at": d.review_started_at})
    # Encoded once, as the workbench list is; CsQueuePage stays the documented contract.
    return JsonResponse({"items": items, "next_cursor": next_cursor, "prev_cursor": prev_cursor})


@router.get("/aftersales/{aftersale_id}", response=AfterSaleDetail)
def get_aftersale(request, aftersale_id: int):
    return _detail(request, aftersale_id)


def _act(request, aftersale_id: int, action, **kwargs):
    action(aftersale_id, acting_user=request.auth, now=clock.now(), **kwargs)
    return _detail(request, aftersale_id)


@router.post("/aftersales/{aftersale_id}/approve", response=AfterSaleDetail)
def approve(request, aftersale_id: int):
    """Merchant: agree (同意售后); during a dispute this completes it."""
    return _act(request, aftersale_id, actions.do_approve)


@router.post("/aftersales/{aftersale_id}/reject", response=AfterSaleDetail)
def reject(request, aftersale_id: int, payload: ReasonIn):
    return _act(request, aftersale_id, actions.do_reject, reason=payload.reason)


@router.post("/aftersales/{aftersale_id}/return-shipment", response=AfterSaleDetail)
def return_shipment(request, aftersale_id: int, payload: ReturnShipmentIn):
    return _act(
        request, aftersale_id, actions.do_submit_return, carrier=payload.carrier, tracking_no=payload.tracking_no
    )


@router.post("/aftersales/{aftersale_id}/confirm-receipt", response=AfterSaleDetail)
def confirm_receipt(request, aftersale_id: int):
    return _act(request, aftersale_id, actions.do_confirm_receipt)


@router.post("/aftersales/{aftersale_id}/reject-receipt", response=AfterSaleDetail)
def reject_receipt(request, aftersale_id: int, payload: ReasonIn):
    return _act(request, aftersale_id, actions.do_reject_receipt, reason=payload.reason)


@router.post("/aftersales/{aftersale_id}/escalate", response=AfterSaleDetail)
def escalate(request, aftersale_id: int, payload: ReasonIn):
    """Buyer: request platform intervention (申请平台介入); opens the dispute, evidence due in 24 h."""
    return _act(request, aftersale_id, actions.do_escalate, reason=payload.reason)


_FILES = {
    "type": "array",
    "maxItems": MAX_FILES,
    "items": {"type": "string", "format": "binary"},
    "description": "JPEG/PNG/WebP/PDF ≤ 10 MB, MP4 ≤ 50 MB; the type is decided by content",
}
# The types files.py accepts (decided by the content's magic bytes; the part's Content-Type is not
# read): any other content is 415 unsupported_file_type. OpenAPI's encoding says so per part.
FILE_CONTENT_TYPES = ", ".join(ALLOWED)
_FILES_ENCODING = {"files": {"contentType": FILE_CONTENT_TYPES}}


def _text(max_chars: int, description: str) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_chars, "pattern": PRINTABLE, "description": description}


def _text_and_files(field: str, text: dict) -> dict:
    """The body of an endpoint that takes one text field as JSON, or it and `files` as multipart."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object", "required": [field], "properties": {field: text}}},
                "multipart/form-data": {
                    "schema": {"type": "object", "required": [field], "properties": {field: text, "files": _FILES}},
                    "encoding": _FILES_ENCODING,
                },
            },
        }
    }


_MESSAGE_REQUEST = _text_and_files("body", _text(policy.MAX_MESSAGE_CHARS, "The message (协商留言)"))
_EVIDENCE_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["statement"],
                    "properties": {
                        "statement": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_STATEMENT_CHARS,
                            "pattern": PRINTABLE,
                            "description": "What the files prove (举证说明)",
                        },
                        "files": _FILES,
                    },
                },
                "encoding": _FILES_ENCODING,
            },
        },
    }
}


def _refuse_files_that_are_not_files(request) -> None:
    """A `files` part without a filename is a text field to Django, never seen by File(): refused
    (the document says binary parts), not posted as if no file had been sent (fuzz finding)."""
    if "files" in request.POST:
        raise InvalidInput(
            CoreCode.INVALID_INPUT,
            details={"field": "files", "summary": "files: must be file parts (with a filename), not text fields"},
        )


@router.post("/aftersales/{aftersale_id}/evidence", response=AfterSaleDetail, openapi_extra=_EVIDENCE_REQUEST)
def submit_evidence(request, aftersale_id: int, statement: str = Form(""), files: list[UploadedFile] = File(None)):
    """Multipart: `statement` (1–2000 chars) and up to 9 `files` (JPEG/PNG/WebP/PDF ≤ 10 MB, MP4 ≤ 50 MB;
    type decided by content). Rate-limited per user (`SELLERDESK_RATE_UPLOADS`) when it carries files."""
    _refuse_files_that_are_not_files(request)
    if files:
        ratelimit.enforce(request, "uploads")
    return _act(request, aftersale_id, actions.do_submit_evidence, statement=statement, uploads=files or [])


def _json_text(request, field: str) -> str:
    """The one text field of a JSON body that could also have come as multipart with files."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise InvalidInput(CoreCode.MALFORMED_JSON) from None
    if not isinstance(data, dict) or not isinstance(data.get(field, ""), str):
        raise InvalidInput(CoreCode.INVALID_INPUT, details={"field": field, "summary": f"{field}: must be a string"})
    return data.get(field, "")


def _is_json(request) -> bool:
    return (request.content_type or "").startswith("application/json")


@router.post("/aftersales/{aftersale_id}/messages", response={201: HistoryOut}, openapi_extra=_MESSAGE_REQUEST)
def post_message(request, aftersale_id: int, body: str = Form(""), files: list[UploadedFile] = File(None)):
    """JSON `{"body"}` (≤ 2000 chars), or multipart with `body` and optional `files` (pictures).
    Rate-limited per user: `SELLERDESK_RATE_MESSAGES`, and `SELLERDESK_RATE_UPLOADS` with files."""
    if _is_json(request):
        body, files = _json_text(request, "body"), []
    else:
        _refuse_files_that_are_not_files(request)
    ratelimit.enforce(request, "messages")
    if files:
        ratelimit.enforce(request, "uploads")
    entry = actions.do_post_message(
        aftersale_id, body=body, uploads=files or [], acting_user=request.auth, now=clock.now()
    )
    return Status(201, _history_item(entry, entry.aftersale))


@router.post("/aftersales/{aftersale_id}/offers", response={201: OfferOut})
def make_offer(request, aftersale_id: int, payload: OfferIn):
    """Merchant: offer a partial refund (部分退款方案). Rate-limited per user (`SELLERDESK_RATE_OFFERS`)."""
    ratelimit.enforce(request, "offers")
    offer = actions.do_make_offer(
        aftersale_id, amount_fen=payload.amount_fen, note=payload.note, acting_user=request.auth, now=clock.now()
    )
    return Status(201, offer)


@router.post("/aftersales/{aftersale_id}/offers/{offer_id}/accept", response=AfterSaleDetail)
def accept_offer(request, aftersale_id: int, offer_id: int):
    actions.do_accept_offer(aftersale_id, offer_id, acting_user=request.auth, now=clock.now())
    return _detail(request, aftersale_id)


@router.post("/aftersales/{aftersale_id}/offers/{offer_id}/decline", response=AfterSaleDetail)
def decline_offer(request, aftersale_id: int, offer_id: int):
    actions.do_decline_offer(aftersale_id, offer_id, acting_user=request.auth, now=clock.now())
    return _detail(request, aftersale_id)


@router.post("/aftersales/{aftersale_id}/cancel", response=AfterSaleDetail)
def cancel(request, aftersale_id: int):
    """Buyer: withdraw the request (撤销). During a dispute: no ruling, no merchant liability."""
    return _act(request, aftersale_id, actions.do_cancel)


@router.post("/aftersales/{aftersale_id}/request-evidence", response={201: EvidenceRequestOut})
def request_evidence(request, aftersale_id: int, payload: EvidenceRequestIn):
    evidence_request = actions.do_request_evidence(
        aftersale_id,
        party=payload.party,
        note=payload.note,
        due_hours=payload.due_hours,
        acting_user=request.auth,
        now=clock.now(),
    )
    return Status(201, evidence_request)


@router.post("/aftersales/{aftersale_id}/rule", response=AfterSaleDetail)
def rule(request, aftersale_id: int, payload: RulingIn):
    """CS: rule (判责). Outcome refund / partial_refund (with amount_fen) / no_refund; liable party; reason."""
    return _act(
        request,
        aftersale_id,
        actions.do_rule,
        outcome=payload.outcome,
        amount_fen=payload.amount_fen,
        liable=payload.liable,
        note=payload.note,
        reason_code=payload.reason_code,
    )


@router.post("/aftersales/{aftersale_id}/claim", response=AfterSaleDetail)
def claim(request, aftersale_id: int):
    """CS: take the case (认领). While it is claimed, another agent's `rule`, `request-evidence`,
    `extend-deadline` and `decide-appeal` are `409 case_claimed`."""
    return _act(request, aftersale_id, actions.do_claim)


@router.post("/aftersales/{aftersale_id}/release", response=AfterSaleDetail)
def release(request, aftersale_id: int):
    """CS: give the case back (释放); only the agent who claimed it (or an admin)."""
    return _act(request, aftersale_id, actions.do_release)


@router.post("/aftersales/{aftersale_id}/cs-notes", response={201: HistoryOut})
def add_cs_note(request, aftersale_id: int, payload: CsNoteIn):
    """CS: an internal note (内部备注), a history entry only CS sees."""
    entry = actions.do_add_cs_note(aftersale_id, body=payload.body, acting_user=request.auth, now=clock.now())
    return Status(201, _history_item(entry, entry.aftersale))


@router.post("/aftersales/{aftersale_id}/extend-deadline", response=AfterSaleDetail)
def extend_deadline(request, aftersale_id: int, payload: ExtendDeadlineIn):
    """CS: move the open evidence deadline `hours` later (never earlier), with a `reason` both
    parties see in the history; the deadline's alarm and reminders move with it."""
    return _act(request, aftersale_id, actions.do_extend_deadline, hours=payload.hours, reason=payload.reason)


_APPEAL_REQUEST = _text_and_files("reason", _text(policy.MAX_APPEAL_REASON_CHARS, "Why the ruling is wrong (申诉理由)"))


@router.post("/aftersales/{aftersale_id}/appeal", response=AfterSaleDetail, openapi_extra=_APPEAL_REQUEST)
def appeal(request, aftersale_id: int, reason: str = Form(""), files: list[UploadedFile] = File(None)):
    """The party the ruling went against: appeal it (售后申诉), once per request, within
    `SELLERDESK_APPEAL_WINDOW_SECONDS` of the ruling. JSON `{"reason"}`, or multipart with `reason`
    and up to 9 `files`. Another CS agent decides; the dispute's `appeal` shows where it stands."""
    if _is_json(request):
        reason, files = _json_text(request, "reason"), []
    else:
        _refuse_files_that_are_not_files(request)
    if files:
        ratelimit.enforce(request, "uploads")
    return _act(request, aftersale_id, actions.do_appeal, reason=reason, uploads=files or [])


@router.post("/aftersales/{aftersale_id}/decide-appeal", response=AfterSaleDetail)
def decide_appeal(request, aftersale_id: int, payload: AppealDecisionIn):
    """CS, not the agent who ruled: uphold the ruling, or overturn it with the outcome, amount and
    liability that hold now. An overturn never takes money back from the buyer: in the buyer's
    favour it refunds the difference; in the merchant's favour it may credit `compensation_fen`
    (at most what the buyer keeps) to the merchant's 安心钱包."""
    return _act(
        request,
        aftersale_id,
        actions.do_decide_appeal,
        decision=payload.decision,
        note=payload.note,
        outcome=payload.outcome,
        amount_fen=payload.amount_fen,
        liable=payload.liable,
        compensation_fen=payload.compensation_fen,
        reason_code=payload.reason_code,
    )


def _history_item(entry, aftersale):
    return {
        "id": entry.id,
        "at": entry.at,
        "actor_role": entry.actor_role,
        "actor_name": names.actor_name(entry, aftersale),
        "kind": entry.kind,
        "kind_label": history_label(entry.kind),
        "body": entry.body,
        "attachments": list(entry.attachments.all()),
        "data": entry.data,
    }


@router.get("/aftersales/{aftersale_id}/history", response=list[HistoryOut])
def history(request, aftersale_id: int):
    """The negotiation history (协商历史), oldest first."""
    aftersale = access_aftersale(request.auth, aftersale_id)
    return [_history_item(e, aftersale) for e in visible_history(aftersale, party_of(request.auth, aftersale))]


@router.get("/attachments/{attachment_id}/integrity", response=IntegrityOut)
def attachment_integrity(request, attachment_id: int):
    """CS: hash the stored file again and say whether it is still the one uploaded (防篡改校验)."""
    return check_integrity(request.auth, attachment_id, now=clock.now())


@router.get("/attachments/{attachment_id}")
def download_attachment(request, attachment_id: int):
    """The file, to the parties of its request and CS only (404 for anyone else)."""
    attachment = access_attachment(request.auth, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=f"{attachment.pk}{attachment.extension}",
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
