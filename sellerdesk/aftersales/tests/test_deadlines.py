"""Deadlines (product.md §1): every state with a deadline queues its alarm, a django-tasks-db task
with run_after = due_at + 1 s, in the transaction of the change; the task is only an alarm clock, so
running it early, twice, or after the state moved on changes nothing; the durations come from the
SELLERDESK_*_SECONDS settings."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales import actions, policy
from sellerdesk.aftersales.actions import do_escalate, do_reject, do_request_evidence, do_submit_evidence
from sellerdesk.aftersales.models import Dispute, HistoryEntry, Status
from sellerdesk.aftersales.tasks import fire_deadline
from sellerdesk.core import clock

from .test_rules_lifecycle import DAY, HOUR, SECOND, T0, fresh, open_request, reach, snapshot

S = Status
FIRE_DEADLINE = fire_deadline.module_path


def alarms(aftersale) -> list:
    """The deadline tasks queued for `aftersale`: (run_after, status), oldest first."""
    rows = DBTaskResult.objects.filter(task_path=FIRE_DEADLINE).order_by("enqueued_at", "id")
    return [(r.run_after, r.status) for r in rows if r.args_kwargs["args"] == [aftersale.pk]]


def test_opening_a_request_queues_its_deadline_task_for_one_second_after_due_at(world):
    aftersale = open_request(world)

    task = DBTaskResult.objects.get(task_path=FIRE_DEADLINE)
    assert (task.run_after, task.status, task.queue_name) == (T0 + 48 * HOUR + SECOND, "READY", "default")
    assert task.args_kwargs == {"args": [aftersale.pk], "kwargs": {}}


def test_every_state_with_a_deadline_queues_its_own_alarm(world):
    aftersale = open_request(world)
    do_reject(aftersale.pk, reason="不同意", acting_user=world.merchant, now=T0 + HOUR)
    do_escalate(aftersale.pk, reason="介入", acting_user=world.buyer, now=T0 + 2 * HOUR)
    do_submit_evidence(aftersale.pk, statement="凭证", acting_user=world.merchant, now=T0 + 3 * HOUR)
    do_request_evidence(aftersale.pk, party="buyer", note="补充", due_hours=6, acting_user=world.cs, now=T0 + 4 * HOUR)

    assert sorted(run_after for run_after, _ in alarms(aftersale)) == sorted(
        [
            T0 + 48 * HOUR + SECOND,  # merchant response
            T0 + HOUR + 7 * DAY + SECOND,  # escalation window
            T0 + 2 * HOUR + 24 * HOUR + SECOND,  # evidence (no alarm for platform review: it has no deadline)
            T0 + 4 * HOUR + 6 * HOUR + SECOND,  # CS's supplement request
        ]
    )


def test_the_alarm_is_queued_in_the_same_transaction_as_the_change(world):
    aftersale, t = reach(world, S.MERCHANT_REJECTED)
    before = (snapshot(aftersale), len(alarms(aftersale)))

    with pytest.raises(RuntimeError), transaction.atomic():
        do_escalate(aftersale.pk, reason="介入", acting_user=world.buyer, now=t + HOUR)
        assert len(alarms(aftersale)) == before[1] + 1  # written inside the transaction, not on commit
        raise RuntimeError("the request fails after the action")

    assert (snapshot(aftersale), len(alarms(aftersale))) == before
    assert not Dispute.objects.filter(aftersale=aftersale).exists()


def test_running_the_deadline_task_twice_changes_nothing_the_second_time(world):
    aftersale, opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE)

    with time_machine.travel(opened + 24 * HOUR + SECOND, tick=False):
        first = fire_deadline.call(aftersale.pk)
        after_first = snapshot(aftersale)
        second = fire_deadline.call(aftersale.pk)

    assert (first, second) == (True, False)
    assert snapshot(aftersale) == after_first
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="evidence_timed_out").count() == 1
    assert fresh(aftersale).status == S.DISPUTE_PLATFORM_REVIEW


def test_a_deadline_task_that_runs_at_due_at_does_nothing(world):
    aftersale, opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    before = snapshot(aftersale)

    with time_machine.travel(opened + 24 * HOUR, tick=False):
        assert fire_deadline.call(aftersale.pk) is False

    assert snapshot(aftersale) == before


def test_a_stale_alarm_of_an_earlier_state_does_not_end_the_current_one(world):
    aftersale, opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    do_submit_evidence(aftersale.pk, statement="凭证", acting_user=world.merchant, now=opened + 23 * HOUR)
    do_request_evidence(
        aftersale.pk,
        party="merchant",
        note="补充",
        due_hours=48,
        acting_user=world.cs,
        now=opened + 23 * HOUR + 30 * 60 * SECOND,
    )
    before = snapshot(aftersale)

    # the evidence window's alarm rings while the supplement (due much later) is awaited
    with time_machine.travel(opened + 24 * HOUR + SECOND, tick=False):
        assert fire_deadline.call(aftersale.pk) is False

    assert snapshot(aftersale) == before
    assert fresh(aftersale).status == S.DISPUTE_AWAITING_SUPPLEMENT


def test_a_deadline_task_for_an_after_sale_that_no_longer_exists_does_nothing(world):
    with time_machine.travel(T0, tick=False):
        assert fire_deadline.call(987654321) is False


DURATIONS = {
    "merchant_response": 60,
    "return_shipment": 120,
    "receipt": 180,
    "escalation_window": 240,
    "evidence": 300,
    "supplement": 360,
    "appeal_window": 420,
    "aftersale_window": 480,
}


def test_deadline_durations_come_from_the_settings(world, settings):
    settings.SELLERDESK_DEADLINES = DURATIONS
    s = timedelta(seconds=1)
    aftersale = open_request(world, type="return_refund")
    assert fresh(aftersale).due_at == T0 + 60 * s
    from sellerdesk.aftersales.actions import do_approve, do_submit_return

    do_approve(aftersale.pk, acting_user=world.merchant, now=T0 + 10 * s)
    assert fresh(aftersale).due_at == T0 + 10 * s + 120 * s
    do_submit_return(aftersale.pk, carrier="顺丰", tracking_no="SF1", acting_user=world.buyer, now=T0 + 20 * s)
    assert fresh(aftersale).due_at == T0 + 20 * s + 180 * s

    rejected = open_request(world, now=T0)
    do_reject(rejected.pk, reason="不同意", acting_user=world.merchant, now=T0 + 30 * s)
    assert fresh(rejected).due_at == T0 + 30 * s + 240 * s
    do_escalate(rejected.pk, reason="介入", acting_user=world.buyer, now=T0 + 40 * s)
    assert Dispute.objects.get(aftersale=rejected).evidence_due_at == T0 + 40 * s + 300 * s
    do_submit_evidence(rejected.pk, statement="凭证", acting_user=world.merchant, now=T0 + 50 * s)
    request = do_request_evidence(rejected.pk, party="buyer", note="补充", acting_user=world.cs, now=T0 + 60 * s)
    assert request.due_at == T0 + 60 * s + 360 * s
    assert max(r for r, _ in alarms(rejected)) == T0 + 60 * s + 360 * s + s


def test_the_environment_variables_of_api_md_set_the_deadline_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sellerdesk.settings",
        "SELLERDESK_MERCHANT_RESPONSE_SECONDS": "61",
        "SELLERDESK_RETURN_SHIPMENT_SECONDS": "62",
        "SELLERDESK_RECEIPT_SECONDS": "63",
        "SELLERDESK_ESCALATION_WINDOW_SECONDS": "64",
        "SELLERDESK_EVIDENCE_SECONDS": "65",
        "SELLERDESK_SUPPLEMENT_SECONDS": "66",
        "SELLERDESK_APPEAL_WINDOW_SECONDS": "67",
        "SELLERDESK_AFTERSALE_WINDOW_SECONDS": "68",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.SELLERDESK_DEADLINES))"
    )

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert json.loads(out.stdout) == {
        "merchant_response": 61,
        "return_shipment": 62,
        "receipt": 63,
        "escalation_window": 64,
        "evidence": 65,
        "supplement": 66,
        "appeal_window": 67,
        "aftersale_window": 68,
    }


def test_the_default_deadlines_are_those_of_the_product():
    env = {k: v for k, v in os.environ.items() if not (k.startswith("SELLERDESK_") and k.endswith("_SECONDS"))}
    env["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.SELLERDESK_DEADLINES))"
    )

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert json.loads(out.stdout) == {
        "merchant_response": 48 * 3600,
        "return_shipment": 7 * 86400,
        "receipt": 10 * 86400,
        "escalation_window": 7 * 86400,
        "evidence": 86400,
        "supplement": 86400,
        "appeal_window": 7 * 86400,
        "aftersale_window": 15 * 86400,
    }


def test_the_return_window_starts_when_the_buyer_can_ship_even_after_a_late_worker(world):
    # Given a return-and-refund the merchant never answered
    opened_at = clock.now()
    aftersale = actions.do_open_aftersale(
        order_id=world.order.id,
        type="return_refund",
        amount_fen=5000,
        reason="尺码不合适",
        acting_user=world.buyer,
        now=opened_at,
    )
    # When the worker was down and applies the auto-approval a day late
    applied_at = aftersale.due_at + timedelta(days=1)
    assert actions.apply_timeout(aftersale.id, now=applied_at) is True
    # Then the buyer, who could not ship before the approval existed, still gets the full 7 days
    aftersale.refresh_from_db()
    assert (aftersale.status, aftersale.due_at) == ("awaiting_return", applied_at + policy.return_shipment())


def test_an_alarm_queued_before_the_tasks_moved_to_the_deadline_engine_still_rings(world):
    # given a deadline alarm queued by an earlier release, under the path sellerdesk.aftersales.tasks
    aftersale = open_request(world)
    row = DBTaskResult.objects.get(task_path=FIRE_DEADLINE)
    DBTaskResult.objects.filter(pk=row.pk).update(task_path="sellerdesk.aftersales.tasks.fire_deadline")
    row.refresh_from_db()

    # then the worker still finds the deadline task it names, and running it applies the timeout
    assert row.task.func is fire_deadline.func
    with time_machine.travel(aftersale.due_at + SECOND, tick=False):
        assert row.task.call(*row.args_kwargs["args"]) is True
    aftersale.refresh_from_db()
    assert aftersale.status != "awaiting_merchant"
