"""证据即将到期: remind the party asked for evidence 4 h and 1 h before its window closes.

Not a state change, so no history entry. Each reminder is sent at most once per evidence
request: which marks were sent is kept on the request itself (`reminders_sent`), checked and
written under the after-sale's row lock; a reminder for a request that was answered, lapsed or
superseded by a later request is a no-op.
"""
from django.db import transaction

from ..models import AfterSale, EvidenceRequest
from .common import publish

TOPIC = "dispute.evidence_due_soon"


@transaction.atomic
def remind_evidence_due(evidence_request_id: int, hours_left: int, *, now) -> bool:
    """Send the `hours_left` reminder of this evidence request if it is still open and due."""
    request = EvidenceRequest.objects.filter(pk=evidence_request_id).values("dispute__aftersale_id").first()
    if request is None:
        return False
    aftersale = AfterSale.objects.select_for_update().get(pk=request["dispute__aftersale_id"])
    request = EvidenceRequest.objects.get(pk=evidence_request_id)
    if request.state != EvidenceRequest.State.OPEN or now > request.due_at or hours_left in request.reminders_sent:
        return False
    request.reminders_sent = [*request.reminders_sent, hours_left]
    request.save(update_fields=["reminders_sent"])
    publish(aftersale, TOPIC, hours_left=hours_left, due_at=request.due_at.isoformat(), party=request.party,
            evidence_request_id=request.pk)
    return True
