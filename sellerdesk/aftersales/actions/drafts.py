"""凭证草稿: evidence drafted over several visits, then submitted as evidence.

Only the party asked for evidence may draft (the transition table's Action.SUBMIT_EVIDENCE, as for
submitting), and a draft is its author's alone: one per (evidence request, author). Every action
here holds the after-sale's row lock (begin / access_aftersale(lock=True)), like every writer of
its evidence requests, so a draft never races its request's closing. Submitting goes through
evidence.record_evidence, so the rules, history entry, outbox event and state change are those of
the one-step submission; a draft whose request closed (timeout, agreement, cancellation, ruling,
another submission) is refused with the reason.
"""

import hashlib

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import Conflict, ErrorCode, InvalidInput, NotFound

from ..access import access_aftersale, party_of
from ..files import MAX_FILES, MAX_STATEMENT_CHARS, CheckedFile, check_files, check_statement
from ..models import DisputeStatus, EvidenceDraft, EvidenceDraftFile, EvidenceRequest, Ruling, Status
from ..states import Action, check_transition
from .common import _STORE_ERRORS, _delete_files, _KeepOnCommit, begin
from .evidence import record_evidence

# Why a draft's request is no longer open: the `reason` of evidence_draft_closed.
CLOSED_REASONS = {
    "timed_out": _("举证期限已过，已按超时未举证转平台处理"),
    "answered": _("这次举证已经提交过凭证"),
    "agreed": _("买卖双方已达成一致"),
    "cancelled": _("买家已撤销售后申请"),
    "ruled": _("平台客服已判责"),
    "closed": _("这次举证已结束"),
}


class DraftErrorCode(ErrorCode):
    """The refusals of the draft actions (the rest are the evidence rules' own codes)."""

    DRAFT_NOT_FOUND = "not_found:evidence_draft", _("您还没有保存凭证草稿。")
    DRAFT_FILE_NOT_FOUND = "not_found:evidence_draft_file", _("草稿中没有这个文件。")
    DRAFT_CLOSED = "evidence_draft_closed", _("%(reason_label)s，这份凭证草稿不能再提交。")
    TOO_MANY_FILES = (
        "too_many_files:draft",
        _("凭证最多 %(limit_files)s 个文件：草稿已有 %(saved)s 个，本次又选择了 %(added)s 个。"),
    )
    DRAFT_FILE_CHANGED = (
        "draft_file_changed",
        _("草稿中的文件“%(file)s”已无法读取或已被改动，请删除后重新上传。"),
    )

    def params(self, details: dict) -> dict:
        shown = super().params(details)
        if details.get("reason") in CLOSED_REASONS:
            shown["reason_label"] = str(CLOSED_REASONS[details["reason"]])
        return shown


Code = DraftErrorCode


def _storage():
    return EvidenceDraftFile._meta.get_field("file").storage


def latest_draft(aftersale, user) -> EvidenceDraft | None:
    """The author's draft of this request's open evidence request if there is one, else their
    latest (whose request has closed), else None."""
    drafts = EvidenceDraft.objects.filter(aftersale=aftersale, author=user).select_related("request")
    open_draft = drafts.filter(request__state=EvidenceRequest.State.OPEN).first()
    return open_draft or drafts.order_by("-id").first()


def closed_reason(draft: EvidenceDraft) -> str | None:
    """None while the draft's request is open; otherwise a key of CLOSED_REASONS."""
    request = draft.request
    if request.state == EvidenceRequest.State.OPEN:
        return None
    if request.state == EvidenceRequest.State.LAPSED:
        return "timed_out"
    if request.state == EvidenceRequest.State.FULFILLED:
        return "answered"
    aftersale = draft.aftersale
    if aftersale.status == Status.CANCELLED:
        return "cancelled"
    if Ruling.objects.filter(dispute_id=request.dispute_id).exists():
        return "ruled"
    if request.dispute.status == DisputeStatus.RESOLVED:  # 同意售后 or an accepted offer: no ruling
        return "agreed"
    return "closed"


def _closed(draft: EvidenceDraft) -> Conflict:
    reason = closed_reason(draft)
    return Conflict(
        Code.DRAFT_CLOSED,
        details={
            "reason": reason,
            "request_state": draft.request.state,
            "closed_at": draft.request.closed_at.isoformat() if draft.request.closed_at else None,
        },
    )


def _open_draft_of(aftersale, party, user, *, now, create: bool) -> EvidenceDraft | None:
    """The author's draft of the open evidence request (the caller passed begin()), made if asked."""
    request = EvidenceRequest.objects.open().get(dispute_id=aftersale.dispute_id)
    draft = EvidenceDraft.objects.filter(request=request, author=user).select_related("request").first()
    if draft is None and create:
        draft = EvidenceDraft.objects.create(
            aftersale=aftersale, request=request, author=user, party=party, created_at=now, updated_at=now
        )
        draft.request = request
    return draft


@transaction.atomic
def do_save_draft(aftersale_id: int, *, statement: str | None, uploads=(), acting_user, now) -> EvidenceDraft:
    """保存草稿: set the statement (None keeps the saved one; at most MAX_STATEMENT_CHARS, refused
    beyond, never cut; it may be empty until submission) and add files, checked as evidence files
    are; the draft holds at most MAX_FILES in all."""
    aftersale, party = begin(aftersale_id, Action.SUBMIT_EVIDENCE, acting_user=acting_user, now=now)
    cleaned = None if statement is None else check_statement(statement, required=False)
    uploads = list(uploads)
    draft = _open_draft_of(aftersale, party, acting_user, now=now, create=True)
    saved = draft.files.count()
    if saved + len(uploads) > MAX_FILES:
        raise InvalidInput(
            Code.TOO_MANY_FILES,
            details={"count": saved + len(uploads), "saved": saved, "added": len(uploads), "limit_files": MAX_FILES},
        )
    checked = check_files(uploads)
    changes = {"updated_at": now}
    if cleaned is not None:
        changes["statement"] = cleaned
    EvidenceDraft.objects.filter(pk=draft.pk).update(**changes)
    _store_draft_files(draft, checked, now=now)
    draft.refresh_from_db()
    return draft


def _store_draft_files(draft: EvidenceDraft, checked_files, *, now) -> None:
    """As common.store_files: all or nothing, 503 when the store cannot take them, and the files
    written are deleted again unless the transaction commits."""
    from django.core.files.base import ContentFile

    from sellerdesk.core.errors import CodedError

    from ..error_codes import AfterSaleErrorCode

    storage, written = _storage(), []
    try:
        for checked in checked_files:
            row = EvidenceDraftFile(
                draft=draft,
                content_type=checked.content_type,
                extension=checked.extension,
                size=checked.size,
                sha256=checked.sha256,
                original_name=checked.original_name,
                uploaded_at=now,
            )
            row.file.save("upload", ContentFile(checked.content), save=False)
            written.append(row.file.name)
            row.save()
    except _STORE_ERRORS as exc:
        _delete_files(storage, written)
        raise CodedError(AfterSaleErrorCode.FILE_STORE_UNAVAILABLE, status=503) from exc
    except BaseException:
        _delete_files(storage, written)
        raise
    if written:
        transaction.on_commit(_KeepOnCommit(storage, written))


def _delete_after_commit(names) -> None:
    names = [n for n in names if n]
    if names:
        storage = _storage()
        transaction.on_commit(lambda: _delete_files(storage, names))


@transaction.atomic
def do_remove_draft_file(aftersale_id: int, file_id: int, *, acting_user, now) -> EvidenceDraft:
    """删除草稿中的一个文件 (its stored bytes go after commit)."""
    aftersale, party = begin(aftersale_id, Action.SUBMIT_EVIDENCE, acting_user=acting_user, now=now)
    draft = _open_draft_of(aftersale, party, acting_user, now=now, create=False)
    if draft is None:
        raise NotFound(Code.DRAFT_NOT_FOUND)
    row = EvidenceDraftFile.objects.filter(draft=draft, pk=file_id).first()
    if row is None:
        raise NotFound(Code.DRAFT_FILE_NOT_FOUND, details={"file_id": file_id})
    name = row.file.name
    row.delete()
    EvidenceDraft.objects.filter(pk=draft.pk).update(updated_at=now)
    _delete_after_commit([name])
    draft.refresh_from_db()
    return draft


def _as_checked(row: EvidenceDraftFile) -> CheckedFile:
    """A draft file as the checked file it was when saved; its bytes must still be those."""
    try:
        with row.file.open("rb") as fh:
            content = fh.read()
    except (OSError, ValueError) as exc:
        raise Conflict(Code.DRAFT_FILE_CHANGED, details={"file": row.original_name, "file_id": row.pk}) from exc
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise Conflict(Code.DRAFT_FILE_CHANGED, details={"file": row.original_name, "file_id": row.pk})
    return CheckedFile(
        content=content,
        content_type=row.content_type,
        extension=row.extension,
        original_name=row.original_name,
        size=len(content),
        sha256=row.sha256,
    )


@transaction.atomic
def do_submit_draft(aftersale_id: int, *, acting_user, now):
    """提交凭证 from the draft: exactly what do_submit_evidence does with its statement and files
    (which become the evidence's Attachments), then the draft is gone. A draft of a closed request
    is 409 evidence_draft_closed with the reason; no draft is 404."""
    aftersale = access_aftersale(acting_user, aftersale_id, lock=True)
    draft = latest_draft(aftersale, acting_user)
    if draft is None:
        raise NotFound(Code.DRAFT_NOT_FOUND)
    draft.aftersale = aftersale
    if draft.request.state != EvidenceRequest.State.OPEN:
        raise _closed(draft)
    party = party_of(acting_user, aftersale)
    check_transition(aftersale, Action.SUBMIT_EVIDENCE, party=party, now=now, user=acting_user)
    statement = check_statement(draft.statement)
    rows = list(draft.files.order_by("id"))
    checked = [_as_checked(row) for row in rows]
    record_evidence(aftersale, party, statement=statement, checked=checked, acting_user=acting_user, now=now)
    names = [row.file.name for row in rows]
    draft.delete()
    _delete_after_commit(names)
    return aftersale


def access_draft_file(user, aftersale_id: int, file_id: int) -> EvidenceDraftFile:
    """A file of the caller's own draft of this request (404 for anyone else, its author only)."""
    aftersale = access_aftersale(user, aftersale_id)
    row = (
        EvidenceDraftFile.objects.filter(pk=file_id, draft__aftersale=aftersale, draft__author=user)
        .select_related("draft")
        .first()
    )
    if row is None:
        raise NotFound(Code.DRAFT_FILE_NOT_FOUND, details={"file_id": file_id})
    return row


def draft_file_url(aftersale_id: int, file_id: int) -> str:
    return f"/api/v1/aftersales/{aftersale_id}/evidence-draft/files/{file_id}"


def describe_draft(draft: EvidenceDraft) -> dict:
    """The draft as the API and the dialog show it."""
    reason = closed_reason(draft)
    return {
        "aftersale_id": draft.aftersale_id,
        "evidence_request_id": draft.request_id,
        "party": draft.party,
        "statement": draft.statement,
        "statement_chars": len(draft.statement),
        "max_statement_chars": MAX_STATEMENT_CHARS,
        "max_files": MAX_FILES,
        "files": [
            {
                "id": f.pk,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "original_name": f.original_name,
                "uploaded_at": f.uploaded_at,
                "is_image": f.is_image,
                "url": draft_file_url(draft.aftersale_id, f.pk),
            }
            for f in draft.files.order_by("id")
        ],
        "due_at": draft.request.due_at,
        "submittable": reason is None,
        "closed_reason": reason,
        "closed_reason_label": str(CLOSED_REASONS[reason]) if reason else None,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def get_draft(user, aftersale_id: int) -> EvidenceDraft:
    """The caller's draft of this request (latest_draft), or 404."""
    aftersale = access_aftersale(user, aftersale_id)
    draft = latest_draft(aftersale, user)
    if draft is None:
        raise NotFound(Code.DRAFT_NOT_FOUND)
    draft.aftersale = aftersale
    return draft
