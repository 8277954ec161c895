"""撤销: the buyer withdraws the request. During a dispute, the dispute is cancelled with no ruling
(买家取消的订单，平台不会判责处理), so the merchant is never penalised for it."""

from django.db import transaction

from ..models import DisputeStatus, HistoryKind, Status
from ..states import Action
from .common import begin, close_open_offers, finish_dispute, publish, record, set_status


@transaction.atomic
def do_cancel(aftersale_id: int, *, acting_user, now):
    aftersale, party = begin(aftersale_id, Action.CANCEL, acting_user=acting_user, now=now)
    previous = aftersale.status
    finish_dispute(aftersale, now=now, status=DisputeStatus.CANCELLED)
    set_status(aftersale, Status.CANCELLED, action=Action.CANCEL, now=now)
    record(
        aftersale, HistoryKind.CANCELLED, actor=acting_user, party=party, now=now, data={"previous_status": previous}
    )
    close_open_offers(aftersale, now=now)
    publish(aftersale, "aftersale.cancelled", previous_status=previous)
    return aftersale
