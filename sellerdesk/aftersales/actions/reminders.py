"""证据即将到期: remind the party asked for evidence a few hours before the window closes.

Not a state change, so no history entry; the outbox event and the in-app notification are
written once per evidence window (checked under the after-sale's row lock)."""
from django.db import transaction

from sellerdesk.events.models import OutboxEvent
from sellerdesk.events.outbox import notify
from sellerdesk.identity.models import User

from ..models import AfterSale, EvidenceRequest, Party, Status
from .common import publish

TOPIC = "dispute.evidence_due_soon"


@transaction.atomic
def remind_evidence_due(aftersale_id: int, *, now) -> bool:
    aftersale = AfterSale.objects.select_for_update().filter(pk=aftersale_id).first()
    if aftersale is None or aftersale.status not in (Status.DISPUTE_AWAITING_EVIDENCE,
                                                     Status.DISPUTE_AWAITING_SUPPLEMENT):
        return False
    if aftersale.due_at is None or now > aftersale.due_at:
        return False
    due = aftersale.due_at.isoformat()
    if OutboxEvent.objects.filter(topic=TOPIC, aggregate_id=str(aftersale.pk), payload__due_at=due).exists():
        return False
    request = EvidenceRequest.objects.filter(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN).first()
    party = request.party if request else Party.MERCHANT
    publish(aftersale, TOPIC, due_at=due, party=party)
    users = (User.objects.filter(shops=aftersale.shop_id, is_active=True) if party == Party.MERCHANT
             else User.objects.filter(pk=aftersale.buyer_id))
    link = (f"/workbench/aftersales/{aftersale.pk}/" if party == Party.MERCHANT
            else f"/buyer/aftersales/{aftersale.pk}/")
    notify(users, topic=TOPIC, title=f"售后单 {aftersale.number} 的凭证即将到期",
           body="请在截止时间前提交凭证,超时未举证将由平台直接判责。", link=link)
    return True
