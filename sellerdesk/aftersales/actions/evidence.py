"""举证: evidence from the merchant in the negotiation period, or from whoever CS asked."""

from django.db import transaction

from ..files import check_files, check_statement
from ..models import Dispute, DisputeStatus, Evidence, EvidenceRequest, HistoryKind, Party, Status
from ..states import Action
from .common import begin, publish, record, set_status, store_files


@transaction.atomic
def do_submit_evidence(aftersale_id: int, *, statement: str, uploads=(), acting_user, now):
    """Evidence closes the open evidence request and sends the dispute to platform review."""
    aftersale, party = begin(aftersale_id, Action.SUBMIT_EVIDENCE, acting_user=acting_user, now=now)
    statement = check_statement(statement)
    checked = check_files(list(uploads))
    return record_evidence(aftersale, party, statement=statement, checked=checked, acting_user=acting_user, now=now)


def record_evidence(aftersale, party, *, statement: str, checked, acting_user, now):
    """What a submission does once begin() allowed it and its statement and files were checked:
    the Evidence, the request fulfilled, platform review, the history entry, the files and the
    outbox event. Shared by the one-step form and the draft's submission (actions/drafts.py)."""
    dispute = aftersale.dispute
    request = EvidenceRequest.objects.open().get(dispute=dispute)
    evidence = Evidence.objects.create(
        dispute=dispute, request=request, party=party, submitted_by=acting_user, statement=statement, submitted_at=now
    )
    EvidenceRequest.objects.filter(pk=request.pk).update(state=EvidenceRequest.State.FULFILLED, closed_at=now)
    changes = {"status": DisputeStatus.PLATFORM_REVIEW}
    if party == Party.MERCHANT and dispute.evidence_submitted_at is None:
        changes["evidence_submitted_at"] = now
    if dispute.review_started_at is None:
        changes["review_started_at"] = now
    Dispute.objects.filter(pk=dispute.pk).update(**changes)
    set_status(aftersale, Status.DISPUTE_PLATFORM_REVIEW, action=Action.SUBMIT_EVIDENCE, now=now)
    entry = record(
        aftersale,
        HistoryKind.EVIDENCE_SUBMITTED,
        actor=acting_user,
        party=party,
        now=now,
        body=statement,
        data={"evidence_id": evidence.pk, "supplement": not request.initial},
    )
    attachments = store_files(aftersale, checked, uploaded_by=acting_user, now=now, entry=entry, evidence=evidence)
    publish(aftersale, "dispute.evidence_submitted", party=party, files=len(attachments))
    return aftersale
