"""Evidence drafts (凭证草稿, product.md "Evidence"; api.md "More on after-sales"): a statement and
files saved over several visits, seen only by their author, submitted explicitly with exactly the
effects of the one-step submission; nothing is cut; a closed request's draft says why."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sellerdesk.aftersales.actions import do_approve, do_cancel, do_request_evidence, do_submit_evidence
from sellerdesk.aftersales.actions.deadlines import apply_timeout
from sellerdesk.aftersales.actions.drafts import (
    do_remove_draft_file,
    do_save_draft,
    do_submit_draft,
    get_draft,
    latest_draft,
)
from sellerdesk.aftersales.actions.reminders import remind
from sellerdesk.aftersales.files import MAX_FILES, MAX_STATEMENT_CHARS
from sellerdesk.aftersales.models import (
    Attachment,
    Evidence,
    EvidenceDraft,
    EvidenceDraftFile,
    EvidenceRequest,
    HistoryEntry,
    Status,
)
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.events.notices import render
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import HOUR, fresh, kinds, reach, refused, snapshot, topics

S = Status


def image(name="proof.png", color=(255, 0, 0), fmt="PNG") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, format=fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def escalated(w):
    return reach(w, S.DISPUTE_AWAITING_EVIDENCE)


def payload_of(event) -> dict:
    """An event's payload without what differs between two runs (ids, the evidence's own id)."""
    return {k: v for k, v in event.payload.items() if k not in ("aftersale_id", "number", "buyer_id", "shop_id")}


# ------------------------------------------------------------------------------------------- saving


def test_a_draft_keeps_the_statement_and_files_saved_over_several_visits(world):
    aftersale, t = escalated(world)

    do_save_draft(aftersale.pk, statement="第一稿", uploads=[image("a.png")], acting_user=world.merchant, now=t + HOUR)
    do_save_draft(aftersale.pk, statement=None, uploads=[image("b.png")], acting_user=world.merchant, now=t + 2 * HOUR)
    draft = do_save_draft(aftersale.pk, statement="  第二稿  ", acting_user=world.merchant, now=t + 3 * HOUR)

    assert draft.statement == "第二稿"
    assert list(draft.files.order_by("id").values_list("original_name", flat=True)) == ["a.png", "b.png"]
    assert (draft.created_at, draft.updated_at) == (t + HOUR, t + 3 * HOUR)
    assert EvidenceDraft.objects.count() == 1
    # still waiting for evidence: a draft changes nothing of the request, the history or the outbox
    a = fresh(aftersale)
    assert a.status == S.DISPUTE_AWAITING_EVIDENCE
    assert "evidence_submitted" not in kinds(a)
    assert "dispute.evidence_submitted" not in topics(a)
    assert Attachment.objects.filter(aftersale=aftersale).count() == 0


def test_only_its_author_sees_a_draft(world):
    aftersale, t = escalated(world)
    colleague = f.make_merchant(world.shop, "m1-staff")
    do_save_draft(aftersale.pk, statement="我的草稿", uploads=[image()], acting_user=world.merchant, now=t + HOUR)

    assert get_draft(world.merchant, aftersale.pk).statement == "我的草稿"
    for other in (colleague, world.buyer, world.cs, world.admin):
        refused(lambda u=other: get_draft(u, aftersale.pk), "not_found")
    # the colleague's own draft is another one; neither sees the other's
    do_save_draft(aftersale.pk, statement="同事的草稿", acting_user=colleague, now=t + 2 * HOUR)
    assert get_draft(colleague, aftersale.pk).statement == "同事的草稿"
    assert get_draft(world.merchant, aftersale.pk).statement == "我的草稿"


def test_only_the_party_asked_for_evidence_may_draft(world):
    aftersale, t = escalated(world)

    refused(
        lambda: do_save_draft(aftersale.pk, statement="买家", acting_user=world.buyer, now=t + HOUR),
        "invalid_transition",
    )
    refused(
        lambda: do_save_draft(aftersale.pk, statement="别家", acting_user=world.other_merchant, now=t + HOUR),
        "not_found",
    )
    assert EvidenceDraft.objects.count() == 0


def test_the_buyer_drafts_when_cs_asked_the_buyer_for_a_supplement(world):
    aftersale, t = escalated(world)
    do_submit_evidence(aftersale.pk, statement="商家凭证", acting_user=world.merchant, now=t + HOUR)
    do_request_evidence(
        aftersale.pk, party="buyer", note="请补充开箱视频", due_hours=24, acting_user=world.cs, now=t + 2 * HOUR
    )

    refused(
        lambda: do_save_draft(aftersale.pk, statement="商家", acting_user=world.merchant, now=t + 3 * HOUR),
        "invalid_transition",
    )
    draft = do_save_draft(aftersale.pk, statement="开箱视频", acting_user=world.buyer, now=t + 3 * HOUR)
    assert (draft.party, draft.request.initial) == ("buyer", False)


def test_a_statement_over_the_limit_is_refused_not_cut_and_the_saved_one_stays(world):
    aftersale, t = escalated(world)
    do_save_draft(aftersale.pk, statement="已保存", acting_user=world.merchant, now=t + HOUR)

    error = refused(
        lambda: do_save_draft(
            aftersale.pk, statement="长" * (MAX_STATEMENT_CHARS + 1), acting_user=world.merchant, now=t + 2 * HOUR
        ),
        "statement_too_long",
    )

    assert error.details == {
        "field": "statement",
        "length": MAX_STATEMENT_CHARS + 1,
        "limit_chars": MAX_STATEMENT_CHARS,
    }
    assert get_draft(world.merchant, aftersale.pk).statement == "已保存"
    # exactly the limit is kept whole
    draft = do_save_draft(
        aftersale.pk, statement="满" * MAX_STATEMENT_CHARS, acting_user=world.merchant, now=t + 3 * HOUR
    )
    assert len(draft.statement) == MAX_STATEMENT_CHARS


def test_files_are_checked_as_evidence_files_and_a_refused_one_adds_nothing(world):
    aftersale, t = escalated(world)
    do_save_draft(aftersale.pk, statement="说明", uploads=[image("ok.png")], acting_user=world.merchant, now=t + HOUR)
    fake = SimpleUploadedFile("fake.jpg", b"GIF89a not really", content_type="image/jpeg")

    refused(
        lambda: do_save_draft(
            aftersale.pk,
            statement="新说明",
            uploads=[image("b.png"), fake],
            acting_user=world.merchant,
            now=t + 2 * HOUR,
        ),
        "unsupported_file_type",
    )

    draft = get_draft(world.merchant, aftersale.pk)
    assert draft.statement == "说明"
    assert list(draft.files.values_list("original_name", flat=True)) == ["ok.png"]


def test_a_draft_holds_at_most_nine_files_in_all(world):
    aftersale, t = escalated(world)
    do_save_draft(
        aftersale.pk, statement="", uploads=[image(f"{i}.png") for i in range(8)], acting_user=world.merchant, now=t
    )

    error = refused(
        lambda: do_save_draft(
            aftersale.pk, statement=None, uploads=[image("x.png"), image("y.png")], acting_user=world.merchant, now=t
        ),
        "too_many_files",
    )

    assert error.details == {"count": 10, "saved": 8, "added": 2, "limit_files": MAX_FILES}
    assert EvidenceDraftFile.objects.count() == 8


def test_removing_one_file_keeps_the_others(world, django_capture_on_commit_callbacks):
    aftersale, t = escalated(world)
    draft = do_save_draft(
        aftersale.pk, statement="说明", uploads=[image("a.png"), image("b.png")], acting_user=world.merchant, now=t
    )
    first = draft.files.order_by("id").first()
    storage = first.file.storage
    name = first.file.name

    with django_capture_on_commit_callbacks(execute=True):
        draft = do_remove_draft_file(aftersale.pk, first.pk, acting_user=world.merchant, now=t + HOUR)

    assert list(draft.files.values_list("original_name", flat=True)) == ["b.png"]
    assert not storage.exists(name)
    refused(lambda: do_remove_draft_file(aftersale.pk, first.pk, acting_user=world.merchant, now=t + HOUR), "not_found")
    colleague = f.make_merchant(world.shop, "m1-staff")
    other = draft.files.get()
    refused(lambda: do_remove_draft_file(aftersale.pk, other.pk, acting_user=colleague, now=t + HOUR), "not_found")


# ----------------------------------------------------------------------------------------- submitting


def test_submitting_a_draft_does_what_one_step_evidence_does(world, django_capture_on_commit_callbacks):
    one_step, t1 = escalated(world)
    drafted, t2 = escalated(world)
    do_submit_evidence(
        one_step.pk,
        statement="发货视频见附件",
        uploads=[image("a.png"), image("b.png")],
        acting_user=world.merchant,
        now=t1 + HOUR,
    )
    do_save_draft(drafted.pk, statement="发货视频", uploads=[image("a.png")], acting_user=world.merchant, now=t2 + HOUR)
    do_save_draft(
        drafted.pk, statement="发货视频见附件", uploads=[image("b.png")], acting_user=world.merchant, now=t2 + HOUR
    )
    draft_files = list(EvidenceDraftFile.objects.filter(draft__aftersale=drafted).order_by("id"))

    with django_capture_on_commit_callbacks(execute=True):
        do_submit_draft(drafted.pk, acting_user=world.merchant, now=t2 + HOUR)

    a, b = fresh(one_step), fresh(drafted)
    assert (b.status, b.due_at) == (S.DISPUTE_PLATFORM_REVIEW, None) == (a.status, a.due_at)
    assert (b.dispute.status, b.dispute.evidence_submitted_at, b.dispute.review_started_at) == (
        "platform_review",
        t2 + HOUR,
        t2 + HOUR,
    )
    assert kinds(b) == kinds(a)
    entry_a, entry_b = (HistoryEntry.objects.filter(aftersale=x, kind="evidence_submitted").get() for x in (a, b))
    assert (entry_b.body, entry_b.actor_id, entry_b.actor_role, entry_b.data["supplement"]) == (
        entry_a.body,
        entry_a.actor_id,
        entry_a.actor_role,
        entry_a.data["supplement"],
    )
    assert topics(b) == topics(a)
    event_a, event_b = (
        OutboxEvent.objects.filter(aggregate_id=str(x.pk), topic="dispute.evidence_submitted").get() for x in (a, b)
    )
    assert (
        payload_of(event_b)
        == payload_of(event_a)
        == {"status": "dispute_platform_review", "party": "merchant", "files": 2}
    )
    evidence = Evidence.objects.get(dispute=b.dispute)
    assert (evidence.statement, evidence.party, evidence.submitted_at) == ("发货视频见附件", "merchant", t2 + HOUR)
    attachments = list(evidence.attachments.order_by("id"))
    assert [(x.original_name, x.sha256, x.history_entry_id) for x in attachments] == [
        (d.original_name, d.sha256, entry_b.pk) for d in draft_files
    ]
    assert all(x.file.storage.exists(x.file.name) for x in attachments)
    assert EvidenceRequest.objects.get(dispute=b.dispute).state == "fulfilled"
    # the draft and its files are gone
    assert not EvidenceDraft.objects.filter(aftersale=b).exists()
    assert not any(d.file.storage.exists(d.file.name) for d in draft_files)


def test_a_draft_without_a_statement_cannot_be_submitted(world):
    aftersale, t = escalated(world)
    do_save_draft(aftersale.pk, statement="  ", uploads=[image()], acting_user=world.merchant, now=t)
    before = snapshot(aftersale)

    refused(lambda: do_submit_draft(aftersale.pk, acting_user=world.merchant, now=t + HOUR), "empty_statement")

    assert snapshot(aftersale) == before
    assert EvidenceDraftFile.objects.count() == 1


def test_no_draft_is_404(world):
    aftersale, t = escalated(world)
    refused(lambda: do_submit_draft(aftersale.pk, acting_user=world.merchant, now=t), "not_found")


def test_a_draft_cannot_be_submitted_after_the_deadline_even_before_the_timeout_is_applied(world):
    aftersale, t = escalated(world)
    do_save_draft(aftersale.pk, statement="说明", acting_user=world.merchant, now=t)
    due = fresh(aftersale).due_at

    refused(lambda: do_submit_draft(aftersale.pk, acting_user=world.merchant, now=due + HOUR / 3600), "deadline_passed")


@pytest.mark.parametrize("how", ["timed_out", "agreed", "cancelled", "answered"])
def test_a_draft_of_a_closed_request_cannot_be_submitted_and_says_why(world, how):
    aftersale, t = escalated(world)
    colleague = f.make_merchant(world.shop, "m1-staff")
    do_save_draft(aftersale.pk, statement="说明", uploads=[image()], acting_user=world.merchant, now=t)
    due = fresh(aftersale).due_at
    if how == "timed_out":
        apply_timeout(aftersale.pk, now=due + HOUR)
    elif how == "agreed":
        do_approve(aftersale.pk, acting_user=world.merchant, now=t + HOUR)
    elif how == "cancelled":
        do_cancel(aftersale.pk, acting_user=world.buyer, now=t + HOUR)
    else:
        do_submit_evidence(aftersale.pk, statement="同事提交的凭证", acting_user=colleague, now=t + HOUR)
    before = snapshot(aftersale)

    error = refused(
        lambda: do_submit_draft(aftersale.pk, acting_user=world.merchant, now=due + 2 * HOUR), "evidence_draft_closed"
    )

    assert error.status == 409
    assert error.details["reason"] == how
    assert snapshot(aftersale) == before
    shown = get_draft(world.merchant, aftersale.pk)
    assert shown.statement == "说明"  # kept, not lost
    from sellerdesk.aftersales.actions.drafts import describe_draft

    described = describe_draft(shown)
    assert (described["submittable"], described["closed_reason"]) == (False, how)


# ----------------------------------------------------------------------------------------- reminders


def test_the_due_soon_reminder_tells_the_author_of_an_unsubmitted_draft(world):
    aftersale, t = escalated(world)
    colleague = f.make_merchant(world.shop, "m1-staff")
    do_save_draft(aftersale.pk, statement="说明", acting_user=world.merchant, now=t)
    request = EvidenceRequest.objects.get(dispute=fresh(aftersale).dispute)

    assert remind(request.pk, 4, now=request.due_at - 4 * HOUR)

    event = OutboxEvent.objects.get(topic="dispute.evidence_due_soon")
    assert event.payload["draft_author_ids"] == [world.merchant.pk]
    mine = Notification.objects.get(event=event, user=world.merchant)
    theirs = Notification.objects.get(event=event, user=colleague)
    assert "您有未提交的凭证草稿" in render(mine)[1]
    assert "草稿" not in render(theirs)[1]


def test_the_due_soon_reminder_without_a_draft_says_nothing_of_one(world):
    aftersale, t = escalated(world)
    request = EvidenceRequest.objects.get(dispute=fresh(aftersale).dispute)

    assert remind(request.pk, 4, now=request.due_at - 4 * HOUR)

    event = OutboxEvent.objects.get(topic="dispute.evidence_due_soon")
    assert event.payload["draft_author_ids"] == []
    assert "草稿" not in render(Notification.objects.get(event=event, user=world.merchant))[1]


def test_latest_draft_prefers_the_open_requests(world):
    aftersale, t = escalated(world)
    do_save_draft(aftersale.pk, statement="第一轮", acting_user=world.merchant, now=t)
    apply_timeout(aftersale.pk, now=fresh(aftersale).due_at + HOUR)
    do_request_evidence(
        aftersale.pk, party="merchant", note="补充", due_hours=24, acting_user=world.cs, now=t + 30 * HOUR
    )

    do_save_draft(aftersale.pk, statement="补充凭证", acting_user=world.merchant, now=t + 31 * HOUR)

    assert latest_draft(fresh(aftersale), world.merchant).statement == "补充凭证"
    assert EvidenceDraft.objects.filter(aftersale=aftersale).count() == 2
