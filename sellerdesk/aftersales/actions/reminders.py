"""证据即将到期: remind the party asked for evidence 4 h and 1 h before its window closes.

Not a state change, so no history entry. Each reminder is sent at most once per evidence
request: which marks were sent is kept on the request itself (`reminders_sent`), checked and
written under the after-sale's row lock; a reminder for a request that was answered, lapsed or
superseded by a later request is a no-op, and costs no lock.
"""

from django.db import transaction

from ..models import AfterSale, EvidenceRequest
from .common import publish

TOPIC = "dispute.evidence_due_soon"


def _is_due(request, hours_left: int, now) -> bool:
    """Still open, its deadline not passed, this mark not sent yet."""
    return (
        request.state == EvidenceRequest.State.OPEN
        and now <= request.due_at
        and hours_left not in request.reminders_sent
    )


def remind_evidence_due(evidence_request_id: int, hours_left: int, *, now) -> bool:
    """Send the `hours_left` reminder of this evidence request if it is still open and due."""
    # Checked first without a lock: after an outage most reminders are for requests that lapsed
    # or were answered, and they must not queue behind (or block) the after-sale's row lock.
    request = (
        EvidenceRequest.objects.filter(pk=evidence_request_id)
        .only("state", "due_at", "reminders_sent", "dispute__aftersale_id")
        .select_related("dispute")
        .first()
    )
    if request is None or not _is_due(request, hours_left, now):
        return False
    return _remind_locked(evidence_request_id, request.dispute.aftersale_id, hours_left, now=now)


@transaction.atomic
def _remind_locked(evidence_request_id: int, aftersale_id: int, hours_left: int, *, now) -> bool:
    aftersale = AfterSale.objects.select_for_update().get(pk=aftersale_id)
    request = EvidenceRequest.objects.get(pk=evidence_request_id)
    if not _is_due(request, hours_left, now):
        return False
    request.reminders_sent = [*request.reminders_sent, hours_left]
    request.save(update_fields=["reminders_sent"])
    publish(
        aftersale,
        TOPIC,
        hours_left=hours_left,
        due_at=request.due_at.isoformat(),
        party=request.party,
        evidence_request_id=request.pk,
    )
    return True
