"""The deadline sweep, set-based (issue 8): after an outage the sweeper applies overdue evidence
deadlines (超时未举证, product.md §1) in batches claimed with FOR UPDATE SKIP LOCKED, each batch
one transaction writing the same state, history entries, outbox events and notifications as the
per-row path; the deadline task and the reminder that arrive after it cost no row lock."""

import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.actions import bulk
from sellerdesk.aftersales.actions.deadlines import sweep, sweep_evidence
from sellerdesk.aftersales.actions.reminders import remind
from sellerdesk.aftersales.models import Dispute, EvidenceRequest, HistoryEntry, Status
from sellerdesk.aftersales.tasks import fire_deadline
from sellerdesk.events.models import Notification, OutboxEvent

from .test_rules_lifecycle import HOUR, SECOND, T0, fresh, reach

S = Status
TOPIC = "dispute.timed_out"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent transactions and SKIP LOCKED: run on PostgreSQL"
)


def disputes(w, n):
    """n disputes awaiting the merchant's evidence, opened a minute apart; and the last's deadline."""
    made = [reach(w, S.DISPUTE_AWAITING_EVIDENCE, start=T0 + i * 60 * SECOND)[0] for i in range(n)]
    return made, fresh(made[-1]).due_at


def timed_out(aftersale) -> int:
    return HistoryEntry.objects.filter(aftersale=aftersale, kind="evidence_timed_out").count()


@pytest.mark.django_db
@pytest.mark.parametrize("copy_from", [100, 0], ids=["insert", "copy"])
def test_the_batch_sweep_applies_every_overdue_evidence_deadline_exactly_once(world, monkeypatch, copy_from):
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    made, last_due = disputes(world, 7)
    now = last_due + HOUR

    assert sweep(now=now, batch=3) == 7  # three batches: 3 + 3 + 1
    assert sweep(now=now, batch=3) == 0

    ids = [a.pk for a in made]
    assert HistoryEntry.objects.filter(aftersale__in=ids, kind="evidence_timed_out").count() == 7
    assert OutboxEvent.objects.filter(topic=TOPIC, aftersale_id__in=ids).count() == 7
    # "both": the shop's merchant and the buyer, once each per dispute
    assert Notification.objects.filter(topic=TOPIC, user=world.merchant).count() == 7
    assert Notification.objects.filter(topic=TOPIC, user=world.buyer).count() == 7
    assert Notification.objects.filter(topic=TOPIC).count() == 14
    for aftersale in made:
        dispute = Dispute.objects.get(aftersale=aftersale)
        assert (fresh(aftersale).status, fresh(aftersale).due_at) == (S.DISPUTE_PLATFORM_REVIEW, None)
        assert (dispute.status, dispute.timed_out, dispute.review_started_at) == ("platform_review", True, now)
        assert timed_out(aftersale) == 1
        assert not EvidenceRequest.objects.filter(dispute=dispute, state="open").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("copy_from", [100, 0], ids=["insert", "copy"])
def test_the_batch_writes_what_the_deadline_task_writes_for_one_dispute(world, monkeypatch, copy_from):
    # copy_from=0: on PostgreSQL the batch's rows go in by COPY even for one row, as for big batches
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    # one dispute timed out by its queued task, one by the batch sweep
    (by_task, by_sweep), last_due = disputes(world, 2)
    task_due, sweep_due = fresh(by_task).due_at, fresh(by_sweep).due_at
    with time_machine.travel(task_due + SECOND, tick=False):
        assert fire_deadline.call(by_task.pk) is True
    assert sweep_evidence(now=sweep_due + SECOND) == 1

    def written(aftersale, due_at, now):
        entry = HistoryEntry.objects.get(aftersale=aftersale, kind="evidence_timed_out")
        event = OutboxEvent.objects.get(topic=TOPIC, aftersale_id=aftersale.pk)
        notes = Notification.objects.filter(event=event).order_by("user_id")
        a, version_before = fresh(aftersale), aftersale.version
        assert (entry.at, entry.actor_id, entry.actor_role, entry.visibility) == (now, None, "system", "all")
        assert entry.data == {"due_at": due_at.isoformat()}
        assert event.payload == {
            "aftersale_id": a.pk,
            "number": a.number,
            "status": "dispute_platform_review",
            "shop_id": a.shop_id,
            "buyer_id": a.buyer_id,
        }
        assert (
            event.aggregate_type,
            event.aggregate_id,
            event.shop_id,
            event.buyer_id,
            event.subject_id,
            event.holder_role,
        ) == ("aftersale", str(a.pk), a.shop_id, a.buyer_id, None, "")
        assert (a.version, a.updated_at) == (version_before + 1, now)
        return (
            entry.kind,
            entry.body,
            [
                (
                    n.user_id == a.buyer_id,
                    n.link.replace(str(a.pk), "ID"),
                    n.email_state,
                    n.title.replace(a.number, "N"),
                )
                for n in notes
            ],
        )

    assert written(by_task, task_due, task_due + SECOND) == written(by_sweep, sweep_due, sweep_due + SECOND)
    assert written(by_sweep, sweep_due, sweep_due + SECOND)[1] == "商家超时未举证，纠纷已转平台客服处理"


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_for_three_disputes_as_for_nine(world):
    def queries_for(n, start):
        made = [reach(world, S.DISPUTE_AWAITING_EVIDENCE, start=start + i * SECOND)[0] for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert sweep_evidence(now=fresh(made[-1]).due_at + SECOND, batch=100) == n
        return len(ctx.captured_queries)

    assert queries_for(3, T0) == queries_for(9, T0 + 10 * 24 * HOUR)


@pytest.mark.django_db
def test_a_deadline_is_met_at_due_at_exactly_so_the_sweep_leaves_it(world):
    (aftersale,), due_at = disputes(world, 1)

    assert sweep(now=due_at) == 0
    assert fresh(aftersale).status == S.DISPUTE_AWAITING_EVIDENCE
    assert sweep(now=due_at + SECOND) == 1


@pytest.mark.django_db
def test_a_dispute_whose_merchant_submitted_evidence_just_before_the_deadline_is_not_timed_out(world):
    (late, on_time), last_due = disputes(world, 2)
    actions.do_submit_evidence(
        on_time.pk, statement="已发货，附物流单", acting_user=world.merchant, now=fresh(on_time).due_at - SECOND
    )

    assert sweep(now=last_due + HOUR) == 1

    assert (timed_out(late), timed_out(on_time)) == (1, 0)
    assert Dispute.objects.get(aftersale=on_time).timed_out is False
    assert not OutboxEvent.objects.filter(topic=TOPIC, aftersale_id=on_time.pk).exists()


@pytest.mark.django_db
def test_a_cancelled_dispute_is_not_touched(world):
    (kept, cancelled), last_due = disputes(world, 2)
    actions.do_cancel(cancelled.pk, acting_user=world.buyer, now=fresh(cancelled).due_at - HOUR)
    before = (
        fresh(cancelled).version,
        fresh(cancelled).status,
        HistoryEntry.objects.filter(aftersale=cancelled).count(),
    )

    assert sweep(now=last_due + HOUR) == 1

    assert before[1] == S.CANCELLED
    assert (
        fresh(cancelled).version,
        fresh(cancelled).status,
        HistoryEntry.objects.filter(aftersale=cancelled).count(),
    ) == before
    assert not OutboxEvent.objects.filter(topic=TOPIC, aftersale_id=cancelled.pk).exists()
    assert timed_out(kept) == 1


@pytest.mark.django_db
def test_a_deadline_task_that_finds_its_deadline_applied_by_the_sweep_takes_no_row_lock(world):
    (aftersale,), due_at = disputes(world, 1)
    assert sweep(now=due_at + SECOND) == 1

    with time_machine.travel(due_at + 2 * SECOND, tick=False), CaptureQueriesContext(connection) as ctx:
        assert fire_deadline.call(aftersale.pk) is False

    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 1 and "FOR UPDATE" not in sql[0], sql
    assert timed_out(aftersale) == 1


@pytest.mark.django_db
def test_a_reminder_for_a_dispute_past_its_deadline_is_a_no_op_without_a_lock(world):
    (aftersale,), due_at = disputes(world, 1)
    request = EvidenceRequest.objects.get(dispute__aftersale=aftersale, state="open")

    # before the sweep (the request is still open, but its window has passed) and after it
    for now in (due_at + SECOND, None):
        if now is None:
            sweep(now=due_at + SECOND)
            now = due_at + 2 * SECOND
        with CaptureQueriesContext(connection) as ctx:
            assert remind(request.pk, 1, now=now) is False
        sql = [q["sql"] for q in ctx.captured_queries]
        assert len(sql) == 1 and "FOR UPDATE" not in sql[0], sql
    assert not OutboxEvent.objects.filter(topic="dispute.evidence_due_soon").exists()


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_apply_each_deadline_exactly_once(world, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_FROM", 0)  # the big batches' write path
    made, last_due = disputes(world, 30)
    now = last_due + HOUR
    barrier = threading.Barrier(2)
    results = [None, None]

    def sweeper(i):
        try:
            barrier.wait(timeout=10)
            results[i] = sweep_evidence(now=now, batch=4)
        except BaseException as exc:  # reported in the test's thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 30, results
    ids = [a.pk for a in made]
    assert sorted(
        HistoryEntry.objects.filter(aftersale__in=ids, kind="evidence_timed_out").values_list("aftersale_id", flat=True)
    ) == sorted(ids)
    assert sorted(OutboxEvent.objects.filter(topic=TOPIC).values_list("aftersale_id", flat=True)) == sorted(ids)
    assert Notification.objects.filter(topic=TOPIC).count() == 60
    assert {fresh(a).status for a in made} == {S.DISPUTE_PLATFORM_REVIEW}
