"""举证: evidence from the merchant in the negotiation period, or from whoever CS asked."""
from django.db import transaction

from ..access import access_aftersale, party_of
from ..files import check_files, check_statement
from ..models import Dispute, DisputeStatus, Evidence, EvidenceRequest, HistoryKind, Party, Status
from ..states import Action, check_transition
from .common import publish, record, set_status, store_files


@transaction.atomic
def do_submit_evidence(aftersale_id: int, *, statement: str, uploads=(), acting_user, now):
    """Evidence closes the open evidence request and sends the dispute to platform review."""
    aftersale = access_aftersale(acting_user, aftersale_id, lock=True)
    party = party_of(acting_user, aftersale)
    check_transition(aftersale, Action.SUBMIT_EVIDENCE, party=party, now=now)
    statement = check_statement(statement)
    checked = check_files(list(uploads))
    dispute = Dispute.objects.get(aftersale=aftersale)
    request = EvidenceRequest.objects.get(dispute=dispute, state=EvidenceRequest.State.OPEN)
    evidence = Evidence.objects.create(dispute=dispute, request=request, party=party, submitted_by=acting_user,
                                       statement=statement, submitted_at=now)
    EvidenceRequest.objects.filter(pk=request.pk).update(state=EvidenceRequest.State.FULFILLED, closed_at=now)
    changes = {"status": DisputeStatus.PLATFORM_REVIEW}
    if party == Party.MERCHANT and dispute.evidence_submitted_at is None:
        changes["evidence_submitted_at"] = now
    if dispute.review_started_at is None:
        changes["review_started_at"] = now
    Dispute.objects.filter(pk=dispute.pk).update(**changes)
    set_status(aftersale, Status.DISPUTE_PLATFORM_REVIEW, now=now)
    entry = record(aftersale, HistoryKind.EVIDENCE_SUBMITTED, actor=acting_user, party=party, now=now,
                   body=statement, data={"evidence_id": evidence.pk, "supplement": not request.initial})
    attachments = store_files(aftersale, checked, uploaded_by=acting_user, now=now, entry=entry, evidence=evidence)
    publish(aftersale, "dispute.evidence_submitted", party=party, files=len(attachments))
    return aftersale
