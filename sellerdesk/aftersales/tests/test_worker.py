"""The worker (sellerdesk/core/management/commands/worker.py): a deadline fires even if every worker
was down when it fell due, exactly once. The sweeper catches what the queue lost; the queued tasks,
run by django-tasks-db's db_worker, fire on time (db_worker reads run_after against
django.utils.timezone.now(), which time_machine moves, so the travel here is real for the queue)."""

import io

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales.actions import sweep
from sellerdesk.aftersales.models import Dispute, HistoryEntry, Status
from sellerdesk.aftersales.tasks import fire_deadline

from .test_rules_lifecycle import HOUR, SECOND, T0, fresh, reach

S = Status
FIRE_DEADLINE = fire_deadline.module_path


def disputes_awaiting_evidence(w, n):
    """n disputes opened one minute apart; returns them and the last opening time."""
    made = []
    for i in range(n):
        aftersale, opened = reach(w, S.DISPUTE_AWAITING_EVIDENCE, start=T0 + i * 60 * SECOND)
        made.append(aftersale)
    return made, opened


def timed_out_entries(aftersale) -> int:
    return HistoryEntry.objects.filter(aftersale=aftersale, kind="evidence_timed_out").count()


def sweep_command() -> str:
    out = io.StringIO()
    call_command("worker", sweep_only=True, stdout=out)
    return out.getvalue().strip()


def test_worker_down_for_a_day_fires_each_missed_deadline_once_on_start(world):
    disputes, last_opened = disputes_awaiting_evidence(world, 3)

    with time_machine.travel(last_opened + 25 * HOUR, tick=False):
        first = sweep_command()
        second = sweep_command()

    assert (first, second) == ("swept: 3 deadline(s) fired", "swept: 0 deadline(s) fired")
    for aftersale in disputes:
        dispute = Dispute.objects.get(aftersale=aftersale)
        assert (fresh(aftersale).status, dispute.timed_out) == (S.DISPUTE_PLATFORM_REVIEW, True)
        assert dispute.review_started_at == last_opened + 25 * HOUR
        assert timed_out_entries(aftersale) == 1


def test_sweeper_fires_deadlines_whose_tasks_were_lost(world):
    disputes, last_opened = disputes_awaiting_evidence(world, 2)
    deleted, _ = DBTaskResult.objects.all().delete()
    assert deleted >= 2

    with time_machine.travel(last_opened + 24 * HOUR + SECOND, tick=False):
        assert sweep_command() == "swept: 2 deadline(s) fired"

    assert [fresh(a).status for a in disputes] == [S.DISPUTE_PLATFORM_REVIEW] * 2
    assert [timed_out_entries(a) for a in disputes] == [1, 1]


def test_sweeper_leaves_deadlines_that_are_met_at_this_very_second(world):
    aftersale, opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE)

    with time_machine.travel(opened + 24 * HOUR, tick=False):
        assert sweep_command() == "swept: 0 deadline(s) fired"

    assert fresh(aftersale).status == S.DISPUTE_AWAITING_EVIDENCE


def test_sweeper_works_through_more_due_deadlines_than_one_batch(world):
    disputes, last_opened = disputes_awaiting_evidence(world, 5)

    assert sweep(now=last_opened + 25 * HOUR, batch=2) == 5

    assert [timed_out_entries(a) for a in disputes] == [1] * 5


@pytest.mark.django_db(transaction=True)
def test_worker_batch_runs_the_queued_tasks_that_are_due_and_leaves_the_rest(world):
    # db_worker closes "old" connections between tasks, which a test wrapped in a transaction
    # cannot survive: this test commits for real (transaction=True).
    due, opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    later, later_opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE, start=opened + 2 * HOUR)

    with time_machine.travel(opened + 24 * HOUR + SECOND, tick=False):
        call_command("worker", batch=True, verbosity=0)

    assert (fresh(due).status, fresh(later).status) == (S.DISPUTE_PLATFORM_REVIEW, S.DISPUTE_AWAITING_EVIDENCE)
    assert (timed_out_entries(due), timed_out_entries(later)) == (1, 0)
    evidence_alarms = DBTaskResult.objects.filter(task_path=FIRE_DEADLINE).order_by("run_after")
    evidence_alarms = [
        (r.args_kwargs["args"], r.status)
        for r in evidence_alarms
        if r.run_after in (opened + 24 * HOUR + SECOND, later_opened + 24 * HOUR + SECOND)
    ]
    assert evidence_alarms == [([due.pk], "SUCCESSFUL"), ([later.pk], "READY")]


@pytest.mark.django_db(transaction=True)
def test_queued_deadline_task_fires_on_time_without_the_sweeper(world):
    aftersale, opened = reach(world, S.DISPUTE_AWAITING_EVIDENCE)
    evidence_alarm = DBTaskResult.objects.get(task_path=FIRE_DEADLINE, run_after=opened + 24 * HOUR + SECOND)

    with time_machine.travel(opened + 24 * HOUR, tick=False):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    evidence_alarm.refresh_from_db()
    assert (evidence_alarm.status, fresh(aftersale).status) == ("READY", S.DISPUTE_AWAITING_EVIDENCE)

    with time_machine.travel(opened + 24 * HOUR + SECOND, tick=False):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    evidence_alarm.refresh_from_db()
    assert (evidence_alarm.status, evidence_alarm.return_value) == ("SUCCESSFUL", True)
    assert fresh(aftersale).status == S.DISPUTE_PLATFORM_REVIEW
    assert timed_out_entries(aftersale) == 1
    stale = DBTaskResult.objects.filter(task_path=FIRE_DEADLINE).exclude(pk=evidence_alarm.pk)
    # the earlier states' alarms (merchant response, escalation window) are not due yet at this time
    assert set(stale.values_list("status", flat=True)) == {"READY"}
