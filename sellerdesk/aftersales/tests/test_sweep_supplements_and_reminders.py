"""The supplement timeout (补充凭证超时) and the "evidence due soon" reminders on the batch path
(issue 8): the sweeper claims them in batches with FOR UPDATE SKIP LOCKED and applies them
set-based, one commit per batch; the deadline and reminder tasks call the same code with one row.
Each fires exactly once, whichever of the task and the sweeper comes first, or both at once."""

import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.actions import bulk
from sellerdesk.aftersales.actions.deadlines import sweep, sweep_supplements
from sellerdesk.aftersales.actions.reminders import remind, sweep_reminders
from sellerdesk.aftersales.models import Dispute, EvidenceRequest, HistoryEntry, Status
from sellerdesk.aftersales.tasks import evidence_due_soon, fire_deadline
from sellerdesk.events.models import Notification, OutboxEvent

from .test_deadline_sweep_batch import postgres_only
from .test_rules_lifecycle import HOUR, SECOND, T0, fresh, reach

S = Status
LAPSED = "dispute.supplement_timed_out"
REMINDER = "dispute.evidence_due_soon"
MINUTE = 60 * SECOND


def supplements(w, n, *, party="merchant"):
    """n disputes awaiting supplementary evidence (asked of `party`), a minute apart; the last's deadline."""
    made = []
    for i in range(n):
        aftersale, t = reach(w, S.DISPUTE_PLATFORM_REVIEW, start=T0 + i * MINUTE)
        actions.do_request_evidence(aftersale.pk, party=party, note="请补充发货视频", acting_user=w.cs, now=t + HOUR)
        made.append(fresh(aftersale))
    return made, made[-1].due_at


def disputes(w, n):
    """n disputes awaiting the merchant's evidence (24 h), a minute apart."""
    return [reach(w, S.DISPUTE_AWAITING_EVIDENCE, start=T0 + i * MINUTE)[0] for i in range(n)]


def lapsed(aftersale) -> int:
    return HistoryEntry.objects.filter(aftersale=aftersale, kind="supplement_timed_out").count()


def reminders(aftersale) -> list:
    return list(
        OutboxEvent.objects.filter(topic=REMINDER, aftersale_id=aftersale.pk)
        .order_by("id")
        .values_list("payload__hours_left", flat=True)
    )


def open_request(aftersale) -> EvidenceRequest:
    return EvidenceRequest.objects.get(dispute__aftersale=aftersale, state="open")


# ------------------------------------------------------------------------------ supplement timeout


@pytest.mark.django_db
@pytest.mark.parametrize("copy_from", [100, 0], ids=["insert", "copy"])
def test_the_sweep_applies_every_overdue_supplement_deadline_exactly_once_in_batches(world, monkeypatch, copy_from):
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    made, last_due = supplements(world, 7)
    requests = {a.pk: open_request(a) for a in made}
    now = last_due + HOUR

    assert sweep_supplements(now=now, batch=3) == 7  # 3 + 3 + 1
    assert sweep(now=now, batch=3) == 0

    ids = [a.pk for a in made]
    assert OutboxEvent.objects.filter(topic=LAPSED, aftersale_id__in=ids).count() == 7
    assert Notification.objects.filter(topic=LAPSED, user=world.merchant).count() == 7
    assert Notification.objects.filter(topic=LAPSED, user=world.buyer).count() == 7
    for aftersale in made:
        a, request = fresh(aftersale), EvidenceRequest.objects.get(pk=requests[aftersale.pk].pk)
        assert (a.status, a.due_at, a.version, a.updated_at) == (
            S.DISPUTE_PLATFORM_REVIEW,
            None,
            aftersale.version + 1,
            now,
        )
        assert Dispute.objects.get(aftersale=a).status == "platform_review"
        assert (request.state, request.closed_at) == ("lapsed", now)
        assert lapsed(a) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("copy_from", [100, 0], ids=["insert", "copy"])
def test_the_batch_writes_what_the_deadline_task_writes_for_one_supplement(world, monkeypatch, copy_from):
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    (by_task, by_sweep), _ = supplements(world, 2, party="buyer")
    task_due, sweep_due = by_task.due_at, by_sweep.due_at
    with time_machine.travel(task_due + SECOND, tick=False):
        assert fire_deadline.call(by_task.pk) is True
    assert sweep_supplements(now=sweep_due + SECOND) == 1

    def written(aftersale, due_at, now):
        entry = HistoryEntry.objects.get(aftersale=aftersale, kind="supplement_timed_out")
        event = OutboxEvent.objects.get(topic=LAPSED, aftersale_id=aftersale.pk)
        a = fresh(aftersale)
        assert (entry.at, entry.actor_id, entry.actor_role, entry.visibility, entry.body) == (
            now,
            None,
            "system",
            "all",
            "",
        )
        assert entry.data == {"due_at": due_at.isoformat(), "party": "buyer"}
        assert event.payload == {
            "aftersale_id": a.pk,
            "number": a.number,
            "status": "dispute_platform_review",
            "shop_id": a.shop_id,
            "buyer_id": a.buyer_id,
        }
        assert (event.aggregate_type, event.aggregate_id, event.shop_id, event.buyer_id) == (
            "aftersale",
            str(a.pk),
            a.shop_id,
            a.buyer_id,
        )
        return sorted(
            (n.user_id == a.buyer_id, n.link.replace(str(a.pk), "ID"), n.title.replace(a.number, "N"))
            for n in Notification.objects.filter(event=event)
        )

    assert written(by_task, task_due, task_due + SECOND) == written(by_sweep, sweep_due, sweep_due + SECOND)
    assert len(written(by_sweep, sweep_due, sweep_due + SECOND)) == 2  # the merchant and the buyer


@pytest.mark.django_db
def test_a_supplement_batch_costs_the_same_queries_for_three_as_for_nine(world):
    def queries_for(n):
        made, last_due = supplements(world, n)
        with CaptureQueriesContext(connection) as ctx:
            assert sweep_supplements(now=last_due + SECOND, batch=100) == n
        return len(ctx.captured_queries)

    assert queries_for(3) == queries_for(9)


@pytest.mark.django_db
def test_a_supplement_deadline_is_met_at_due_at_exactly_and_a_task_after_the_sweep_takes_no_lock(world):
    (aftersale,), due_at = supplements(world, 1)
    assert sweep_supplements(now=due_at) == 0
    assert sweep_supplements(now=due_at + SECOND) == 1

    with time_machine.travel(due_at + 2 * SECOND, tick=False), CaptureQueriesContext(connection) as ctx:
        assert fire_deadline.call(aftersale.pk) is False
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 1 and "FOR UPDATE" not in sql[0], sql
    assert lapsed(aftersale) == 1


@pytest.mark.django_db
def test_a_supplement_answered_in_time_is_not_timed_out(world):
    (late, answered), last_due = supplements(world, 2)
    actions.do_submit_evidence(
        answered.pk, statement="补充视频", uploads=[], acting_user=world.merchant, now=answered.due_at - SECOND
    )

    assert sweep(now=last_due + HOUR) == 1
    assert (lapsed(late), lapsed(answered)) == (1, 0)
    assert not OutboxEvent.objects.filter(topic=LAPSED, aftersale_id=answered.pk).exists()


# ------------------------------------------------------------------------------------- reminders


@pytest.mark.django_db
def test_the_sweep_sends_each_due_reminder_once_and_the_task_after_it_is_a_no_op_without_a_lock(world):
    made = disputes(world, 5)
    due = made[-1].due_at
    at_4h = due - 4 * HOUR  # every dispute's 4 h mark has passed, none's 1 h mark

    assert sweep_reminders(now=at_4h, batch=2) == 5  # 2 + 2 + 1
    assert sweep_reminders(now=at_4h + MINUTE, batch=2) == 0
    assert [reminders(a) for a in made] == [[4]] * 5
    assert Notification.objects.filter(topic=REMINDER, user=world.merchant).count() == 5
    assert not Notification.objects.filter(topic=REMINDER, user=world.buyer).exists()  # asked: the merchant

    request = open_request(made[0])
    with CaptureQueriesContext(connection) as ctx:
        assert remind(request.pk, 4, now=at_4h + MINUTE) is False
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 1 and "FOR UPDATE" not in sql[0], sql

    # then the 1 h marks, once each
    assert sweep_reminders(now=due - HOUR, batch=2) == 5
    assert sweep(now=due - HOUR + MINUTE) == 0
    assert [reminders(a) for a in made] == [[4, 1]] * 5
    assert EvidenceRequest.objects.get(pk=request.pk).reminders_sent == [4, 1]


@pytest.mark.django_db
def test_the_sweep_task_sends_the_due_reminders_after_the_timeouts_and_the_timeout_sweep_alone_does_not(world):
    from sellerdesk.aftersales.tasks import sweep_deadlines

    (aftersale,) = disputes(world, 1)
    at_1h = aftersale.due_at - HOUR
    assert sweep(now=at_1h) == 0 and reminders(aftersale) == []  # timeouts only: it touched nothing
    with time_machine.travel(at_1h, tick=False):
        assert sweep_deadlines.call() == 0
    assert reminders(aftersale) == [1]


@pytest.mark.django_db
def test_the_batch_writes_what_the_reminder_task_writes(world):
    by_task, by_sweep = disputes(world, 2)
    request = open_request(by_task)
    at = by_task.due_at - 4 * HOUR
    with time_machine.travel(at, tick=False):
        assert evidence_due_soon.call(request.pk, 4) is True
        assert evidence_due_soon.call(request.pk, 4) is False
    assert sweep_reminders(now=by_sweep.due_at - 4 * HOUR) == 1

    def written(aftersale):
        event = OutboxEvent.objects.get(topic=REMINDER, aftersale_id=aftersale.pk)
        a, r = fresh(aftersale), open_request(aftersale)
        assert event.payload == {
            "aftersale_id": a.pk,
            "number": a.number,
            "status": "dispute_awaiting_evidence",
            "shop_id": a.shop_id,
            "buyer_id": a.buyer_id,
            "hours_left": 4,
            "due_at": r.due_at.isoformat(),
            "party": "merchant",
            "evidence_request_id": r.pk,
            "draft_author_ids": [],
        }
        assert (event.aggregate_type, event.aggregate_id, event.shop_id, event.buyer_id, event.holder_role) == (
            "aftersale",
            str(a.pk),
            a.shop_id,
            a.buyer_id,
            "",
        )
        assert r.reminders_sent == [4]
        assert a.version == aftersale.version  # a reminder changes no state
        return [
            (n.user_id, n.link.replace(str(a.pk), "ID"), n.title.replace(a.number, "N"))
            for n in Notification.objects.filter(event=event)
        ]

    assert (
        written(by_task)
        == written(by_sweep)
        == [(world.merchant.pk, "/workbench/aftersales/ID/", "售后单 N 的凭证还有 4 小时到期")]
    )


@pytest.mark.django_db
def test_a_reminder_batch_costs_the_same_queries_for_three_as_for_nine_but_the_asked_partys_notifications(world):
    # bulk.fan_out_many batches the merchant/buyer/both audiences; the reminder's audience is "the
    # party asked", which it hands to notices.fan_out one event at a time (a user query and an INSERT).
    def queries_for(n, start):
        made = [reach(world, S.DISPUTE_AWAITING_EVIDENCE, start=start + i * SECOND)[0] for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert sweep_reminders(now=made[-1].due_at - 4 * HOUR, batch=100) == n
        sql = [q["sql"] for q in ctx.captured_queries]
        per_event = [q for q in sql if '"identity_user"' in q or 'INTO "events_notification"' in q]
        return len(sql) - len(per_event), len(per_event)

    assert queries_for(3, T0) == (queries_for(9, T0 + 10 * 24 * HOUR)[0], 3 * 2)
    assert queries_for(9, T0 + 20 * 24 * HOUR)[1] == 9 * 2


@pytest.mark.django_db
def test_a_mark_passed_over_while_no_worker_ran_is_not_sent_late_the_next_one_is(world):
    (aftersale,) = disputes(world, 1)
    request = open_request(aftersale)
    late = aftersale.due_at - 30 * MINUTE  # both marks passed

    assert sweep_reminders(now=late) == 1
    assert remind(request.pk, 4, now=late) is False  # the 4 h task, run late
    assert remind(request.pk, 1, now=late) is False
    assert reminders(aftersale) == [1]


@pytest.mark.django_db
def test_no_reminder_for_a_mark_that_had_passed_when_the_request_was_made_nor_once_it_is_answered(world):
    aftersale, t = reach(world, S.DISPUTE_PLATFORM_REVIEW)
    actions.do_request_evidence(
        aftersale.pk, party="buyer", note="请补充照片", due_hours=1, acting_user=world.cs, now=t + HOUR
    )
    short = fresh(aftersale)  # a 1 h window: both marks at or before the request
    answered = disputes(world, 1)[0]
    actions.do_submit_evidence(
        answered.pk, statement="已发货", uploads=[], acting_user=world.merchant, now=answered.due_at - 5 * HOUR
    )

    for now in (
        short.due_at - 4 * HOUR,
        short.due_at - HOUR,
        short.due_at - MINUTE,
        answered.due_at - 4 * HOUR,
        answered.due_at - HOUR,
    ):
        assert sweep_reminders(now=now) == 0
    assert reminders(short) == reminders(answered) == []


@pytest.mark.django_db
def test_no_reminder_after_the_deadline_nor_after_the_buyer_cancels(world):
    past, cancelled = disputes(world, 2)
    actions.do_cancel(cancelled.pk, acting_user=world.buyer, now=cancelled.due_at - 5 * HOUR)

    # past: its deadline passed a second ago; cancelled: a minute before its deadline, 1 h mark unsent
    assert sweep_reminders(now=past.due_at + SECOND) == 0
    assert reminders(past) == reminders(cancelled) == []


# ---------------------------------------------------------------------- the task and the sweeper race


def _at_once(*jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = jobs[i]()
        except BaseException as exc:  # reported in the test's thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(isinstance(r, BaseException) for r in results), results
    return results


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_supplement_tasks_and_the_sweeper_at_once_time_each_out_exactly_once(world, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_FROM", 0)
    made, last_due = supplements(world, 12)
    now = last_due + HOUR

    def tasks():
        with time_machine.travel(now, tick=False):
            return sum(fire_deadline.call(a.pk) for a in made)

    fired = _at_once(tasks, lambda: sweep_supplements(now=now, batch=3))
    assert sum(fired) == 12, fired
    ids = [a.pk for a in made]
    assert sorted(
        HistoryEntry.objects.filter(aftersale__in=ids, kind="supplement_timed_out").values_list(
            "aftersale_id", flat=True
        )
    ) == sorted(ids)
    assert sorted(OutboxEvent.objects.filter(topic=LAPSED).values_list("aftersale_id", flat=True)) == sorted(ids)
    assert Notification.objects.filter(topic=LAPSED).count() == 24
    assert {fresh(a).status for a in made} == {S.DISPUTE_PLATFORM_REVIEW}


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_reminder_tasks_and_two_sweepers_at_once_send_each_reminder_exactly_once(world, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_FROM", 0)
    made = disputes(world, 12)
    requests = [open_request(a) for a in made]
    now = made[-1].due_at - 4 * HOUR

    def tasks():
        with time_machine.travel(now, tick=False):
            return sum(evidence_due_soon.call(r.pk, 4) for r in requests)

    sent = _at_once(tasks, lambda: sweep_reminders(now=now, batch=3), lambda: sweep_reminders(now=now, batch=3))
    assert sum(sent) == 12, sent
    assert sorted(OutboxEvent.objects.filter(topic=REMINDER).values_list("aftersale_id", flat=True)) == sorted(
        a.pk for a in made
    )
    assert Notification.objects.filter(topic=REMINDER).count() == 12
    assert {tuple(EvidenceRequest.objects.get(pk=r.pk).reminders_sent) for r in requests} == {(4,)}


# ------------------------------------------------------------------------------------------ plans


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a table of a few rows is read whole otherwise
            try:
                cursor.execute("EXPLAIN " + sql, params)
                return "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("RESET enable_seqscan")
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_reminder_sweep_reads_the_partial_index_of_open_requests_and_the_merchant_lists_do_not(world):
    from sellerdesk.aftersales.actions.reminders import reminder_candidates
    from sellerdesk.aftersales.queries import filter_aftersales

    (aftersale,) = disputes(world, 1)
    now = aftersale.due_at - 4 * HOUR
    assert list(reminder_candidates(now)) == [aftersale.pk]
    assert "evidence_request_open_due" in _plan(reminder_candidates(now)[:1000])
    if connection.vendor == "sqlite":
        # SQLite took a (state, due_at) index for 纠纷待处理's `state = ?` and read every open request
        pending = filter_aftersales(world.merchant, quick="disputes_pending", now=now).order_by("-id")[:21]
        assert "evidence_request_open_due" not in _plan(pending)
