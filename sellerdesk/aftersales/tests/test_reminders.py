"""Evidence due soon: the asked party is reminded once, a few hours before the window closes."""
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales import actions, policy
from sellerdesk.aftersales.actions.reminders import TOPIC, remind_evidence_due
from sellerdesk.core import clock
from sellerdesk.events.models import Notification, OutboxEvent

pytestmark = pytest.mark.django_db


def _dispute(world, now):
    a = actions.do_open_aftersale(order_id=world.order.id, type="refund_only", amount_fen=5000, reason="破损",
                                  acting_user=world.buyer, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    return actions.do_escalate(a.id, reason="申请介入", acting_user=world.buyer, now=now)


def test_opening_a_dispute_queues_the_evidence_reminder_four_hours_before_the_deadline(world):
    now = clock.now()
    aftersale = _dispute(world, now)
    reminder = DBTaskResult.objects.get(task_path="sellerdesk.aftersales.tasks.evidence_due_soon")
    assert reminder.run_after == aftersale.due_at - policy.evidence_due_soon()


def test_the_merchant_is_reminded_once_before_the_evidence_deadline(world):
    now = clock.now()
    aftersale = _dispute(world, now)
    remind_at = aftersale.due_at - timedelta(hours=4)
    assert remind_evidence_due(aftersale.id, now=remind_at) is True
    assert remind_evidence_due(aftersale.id, now=remind_at + timedelta(minutes=1)) is False
    assert OutboxEvent.objects.filter(topic=TOPIC, aggregate_id=str(aftersale.id)).count() == 1
    note = Notification.objects.get(topic=TOPIC)
    assert note.user == world.merchant and note.link == f"/workbench/aftersales/{aftersale.id}/"
    assert not Notification.objects.filter(topic=TOPIC, user=world.other_merchant).exists()


def test_no_reminder_once_the_evidence_is_in(world):
    now = clock.now()
    submitted = _dispute(world, now)
    actions.do_submit_evidence(submitted.id, statement="已发货", acting_user=world.merchant, now=now)
    assert remind_evidence_due(submitted.id, now=now + timedelta(hours=20)) is False
    assert not OutboxEvent.objects.filter(topic=TOPIC).exists()
