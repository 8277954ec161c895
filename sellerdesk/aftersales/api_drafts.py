"""Evidence drafts (凭证草稿) over the API: thin endpoints over actions/drafts.py.

Multipart follows aftersales/api.py (its `_FILES` part, its encoding, its refusal of `files` sent
as text, the `uploads` rate limit for a request with files), imported rather than copied."""

import json
from datetime import datetime

from django.http import FileResponse
from ninja import Field, Router, Schema

from sellerdesk.core import clock, ratelimit

from .actions import drafts
from .api import _FILES, _FILES_ENCODING, _act, _is_json, _json_text, _refuse_files_that_are_not_files
from .files import MAX_STATEMENT_CHARS
from .schemas import AfterSaleDetail

router = Router(tags=["evidence drafts"])


class DraftFileOut(Schema):
    id: int
    name: str = Field(alias="original_name")
    content_type: str
    size: int
    sha256: str = Field(description="SHA-256 of the stored bytes, recorded at upload (hex)")
    url: str = Field(description="The file, to the draft's author only")
    uploaded_at: datetime


class EvidenceDraftOut(Schema):
    aftersale_id: int
    evidence_request_id: int
    party: str
    statement: str
    statement_chars: int = Field(description="Characters of the statement, as the limit counts them")
    max_statement_chars: int
    max_files: int = Field(description="Files a draft (and so the evidence) may hold in all")
    files: list[DraftFileOut]
    due_at: datetime = Field(description="The evidence request's deadline")
    submittable: bool = Field(description="False once the evidence request closed; closed_reason says why")
    closed_reason: str | None = Field(
        description="`timed_out`, `answered`, `agreed`, `cancelled`, `ruled` or `closed`; null while open"
    )
    closed_reason_label: str | None
    created_at: datetime
    updated_at: datetime


_STATEMENT = {
    "type": "string",
    "maxLength": MAX_STATEMENT_CHARS,
    "description": "举证说明 so far; replaces the saved one (absent: kept). It may be empty until submitted; "
    "longer than the limit is 400 statement_too_long, never cut",
}
_DRAFT_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "properties": {"statement": _STATEMENT}}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"statement": _STATEMENT, "files": _FILES}},
                "encoding": _FILES_ENCODING,
            },
        },
    }
}


def _json_statement(request) -> str | None:
    """The JSON body's `statement`, or None when it has none (the saved one is kept)."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None  # _json_text refuses it as malformed_json
    if isinstance(data, dict) and "statement" not in data:
        return None
    return _json_text(request, "statement")


def _out(draft):
    return drafts.describe_draft(draft)


def _multipart(request) -> tuple[str | None, list]:
    """`statement` and `files` of a multipart PUT. Django parses a body into POST and FILES only
    for POST (its ticket 12635); this does what ninja's fix_request_files_middleware does, for
    this view alone. Limits and parse errors are Django's, answered by sellerdesk/api.py."""
    method = request.method
    request.method = request.META["REQUEST_METHOD"] = "POST"
    try:
        request._load_post_and_files()
    finally:
        request.method = request.META["REQUEST_METHOD"] = method
    _refuse_files_that_are_not_files(request)
    return request.POST.get("statement"), [f for f in request.FILES.getlist("files") if f is not None]


@router.put("/aftersales/{aftersale_id}/evidence-draft", response=EvidenceDraftOut, openapi_extra=_DRAFT_REQUEST)
def save_evidence_draft(request, aftersale_id: int):
    """The party asked for evidence: save the draft (保存草稿). JSON `{"statement"}`, or multipart
    with `statement` and `files` to add (checked as evidence files; at most 9 in the draft). Only
    its author ever sees it. Rate-limited per user (`SELLERDESK_RATE_UPLOADS`) when it carries files."""
    if _is_json(request):
        statement, files = _json_statement(request), []
    else:
        statement, files = _multipart(request)
    if files:
        ratelimit.enforce(request, "uploads")
    draft = drafts.do_save_draft(
        aftersale_id, statement=statement, uploads=files, acting_user=request.auth, now=clock.now()
    )
    return _out(draft)


@router.get("/aftersales/{aftersale_id}/evidence-draft", response=EvidenceDraftOut)
def get_evidence_draft(request, aftersale_id: int):
    """The caller's own draft (of the open evidence request, else their latest); 404 when none."""
    return _out(drafts.get_draft(request.auth, aftersale_id))


@router.delete("/aftersales/{aftersale_id}/evidence-draft/files/{file_id}", response=EvidenceDraftOut)
def remove_evidence_draft_file(request, aftersale_id: int, file_id: int):
    """Remove one file from the caller's draft."""
    draft = drafts.do_remove_draft_file(aftersale_id, file_id, acting_user=request.auth, now=clock.now())
    return _out(draft)


@router.get("/aftersales/{aftersale_id}/evidence-draft/files/{file_id}")
def download_evidence_draft_file(request, aftersale_id: int, file_id: int):
    """A file of the caller's own draft (404 for anyone else)."""
    row = drafts.access_draft_file(request.auth, aftersale_id, file_id)
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=f"draft-{row.pk}{row.extension}",
        content_type=row.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/aftersales/{aftersale_id}/evidence-draft/submit", response=AfterSaleDetail)
def submit_evidence_draft(request, aftersale_id: int):
    """Submit the draft as evidence (提交凭证): what `POST /aftersales/{id}/evidence` does with the
    draft's statement and files; the case goes to platform review and the draft is gone. A draft
    whose evidence request closed is 409 `evidence_draft_closed` with `details.reason`."""
    return _act(request, aftersale_id, drafts.do_submit_draft)
