"""Evidence due soon: the asked party is reminded 4 h and 1 h before its evidence request's
deadline, each exactly once, and not at all once the request is answered, lapsed or superseded."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.actions.reminders import TOPIC, remind
from sellerdesk.aftersales.models import EvidenceRequest
from sellerdesk.aftersales.tasks import evidence_due_soon
from sellerdesk.core import clock
from sellerdesk.events.models import Notification, OutboxEvent

pytestmark = pytest.mark.django_db
REMINDER_TASK = evidence_due_soon.module_path


def _dispute(world, now):
    a = actions.do_open_aftersale(
        order_id=world.order.id, type="refund_only", amount_fen=5000, reason="破损", acting_user=world.buyer, now=now
    )
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    return actions.do_escalate(a.id, reason="申请介入", acting_user=world.buyer, now=now)


def _open_request(aftersale):
    return EvidenceRequest.objects.get(dispute__aftersale=aftersale, state=EvidenceRequest.State.OPEN)


def _reminders(aftersale):
    return list(
        OutboxEvent.objects.filter(topic=TOPIC, aftersale_id=aftersale.id)
        .order_by("id")
        .values_list("payload__hours_left", flat=True)
    )


def test_opening_a_dispute_queues_reminders_four_hours_and_one_hour_before_the_deadline(world):
    aftersale = _dispute(world, clock.now())
    request = _open_request(aftersale)
    tasks = DBTaskResult.objects.filter(task_path=REMINDER_TASK).order_by("run_after")
    assert [(t.run_after, t.args_kwargs["args"]) for t in tasks] == [
        (aftersale.due_at - timedelta(hours=4), [request.id, 4]),
        (aftersale.due_at - timedelta(hours=1), [request.id, 1]),
    ]


def test_the_merchant_is_reminded_at_four_hours_and_at_one_hour_each_exactly_once(world):
    aftersale = _dispute(world, clock.now())
    request = _open_request(aftersale)
    at_4h, at_1h = aftersale.due_at - timedelta(hours=4), aftersale.due_at - timedelta(hours=1)

    assert remind(request.id, 4, now=at_4h) is True
    assert remind(request.id, 4, now=at_4h + timedelta(minutes=1)) is False
    assert remind(request.id, 1, now=at_1h) is True
    assert remind(request.id, 1, now=at_1h) is False

    assert _reminders(aftersale) == [4, 1]
    notes = Notification.objects.filter(topic=TOPIC).order_by("id")
    assert [n.user for n in notes] == [world.merchant, world.merchant]
    assert notes[0].link == f"/workbench/aftersales/{aftersale.id}/"
    assert notes[0].title == f"售后单 {aftersale.number} 的凭证还有 4 小时到期"
    assert notes[1].title == f"售后单 {aftersale.number} 的凭证还有 1 小时到期"
    assert not Notification.objects.filter(topic=TOPIC, user=world.other_merchant).exists()


def test_no_reminder_once_the_evidence_is_in(world):
    now = clock.now()
    submitted = _dispute(world, now)
    request = _open_request(submitted)
    actions.do_submit_evidence(submitted.id, statement="已发货", acting_user=world.merchant, now=now)
    assert remind(request.id, 4, now=submitted.due_at - timedelta(hours=4)) is False
    assert remind(request.id, 1, now=submitted.due_at - timedelta(hours=1)) is False
    assert _reminders(submitted) == []


def test_no_reminder_after_the_buyer_cancels(world):
    now = clock.now()
    aftersale = _dispute(world, now)
    request = _open_request(aftersale)
    actions.do_cancel(aftersale.id, acting_user=world.buyer, now=now)
    assert remind(request.id, 4, now=aftersale.due_at - timedelta(hours=4)) is False
    assert _reminders(aftersale) == []


def test_a_reminder_of_the_first_window_does_not_fire_or_swallow_the_supplement_windows_own(world):
    """The merchant answers; CS asks the buyer for more with the same hours left; the first
    window's late reminder task must not speak for (or use up) the supplement's."""
    now = clock.now()
    aftersale = _dispute(world, now)
    first = _open_request(aftersale)
    actions.do_submit_evidence(aftersale.id, statement="已发货", acting_user=world.merchant, now=now)
    actions.do_request_evidence(
        aftersale.id, party="buyer", note="请补充开箱视频", due_hours=24, acting_user=world.cs, now=now
    )
    supplement = _open_request(aftersale)
    at_4h = supplement.due_at - timedelta(hours=4)

    assert remind(first.id, 4, now=at_4h) is False
    assert remind(supplement.id, 4, now=at_4h) is True

    event = OutboxEvent.objects.get(topic=TOPIC, aftersale_id=aftersale.id)
    assert event.payload["party"] == "buyer" and event.payload["evidence_request_id"] == supplement.id
    assert Notification.objects.get(topic=TOPIC).user == world.buyer


def test_a_reminder_mark_already_past_when_the_window_opens_is_not_queued(world):
    now = clock.now()
    aftersale = _dispute(world, now)
    actions.do_submit_evidence(aftersale.id, statement="已发货", acting_user=world.merchant, now=now)
    DBTaskResult.objects.filter(task_path=REMINDER_TASK).delete()
    actions.do_request_evidence(aftersale.id, party="buyer", note="补充", due_hours=2, acting_user=world.cs, now=now)
    tasks = DBTaskResult.objects.filter(task_path=REMINDER_TASK)
    assert [t.args_kwargs["args"][1] for t in tasks] == [1]


def test_no_reminder_after_the_deadline_passed(world):
    aftersale = _dispute(world, clock.now())
    request = _open_request(aftersale)
    assert remind(request.id, 1, now=aftersale.due_at + timedelta(seconds=1)) is False
