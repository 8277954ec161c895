"""The batch sweep and faults (issue 8): a dropped connection or a database that is away goes up to
the worker (which backs off, reconnects and sweeps again) instead of falling back to row-by-row
processing, which would fail on every row; a genuine error in one row still costs only that row."""

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection

from sellerdesk.aftersales.actions import deadlines
from sellerdesk.aftersales.actions.deadlines import sweep, sweep_evidence
from sellerdesk.aftersales.models import HistoryEntry, Status
from sellerdesk.events.models import OutboxEvent

from .test_deadline_sweep_batch import disputes, postgres_only
from .test_rules_lifecycle import HOUR, fresh

S = Status


def _count_row_by_row(monkeypatch) -> list:
    calls = []
    real = deadlines.apply_timeout

    def counted(aftersale_id, *, now):
        calls.append(aftersale_id)
        return real(aftersale_id, now=now)

    monkeypatch.setattr(deadlines, "apply_timeout", counted)
    return calls


def _unchanged(made) -> bool:
    ids = [a.pk for a in made]
    return (
        {fresh(a).status for a in made} == {S.DISPUTE_AWAITING_EVIDENCE}
        and not HistoryEntry.objects.filter(aftersale__in=ids, kind="evidence_timed_out").exists()
        and not OutboxEvent.objects.filter(topic="dispute.timed_out", aftersale_id__in=ids).exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_dropped_connection_in_a_batch_goes_up_to_the_worker_and_no_row_is_tried_alone(world, monkeypatch, error):
    made, last_due = disputes(world, 3)
    row_by_row = _count_row_by_row(monkeypatch)

    def gone(aftersales, *, now):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setitem(deadlines.TIMEOUT_EFFECTS, S.DISPUTE_AWAITING_EVIDENCE, gone)

    with pytest.raises(error):
        sweep_evidence(now=last_due + HOUR)
    assert row_by_row == []
    assert _unchanged(made)


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_dropped_connection_while_applying_rows_one_by_one_goes_up_too(world, monkeypatch, error):
    # The batch failed for a bad row, then the connection went while the rows were tried alone.
    made, last_due = disputes(world, 3)
    batches = []

    def bad_batch(aftersales, *, now):
        batches.append(len(aftersales))
        raise IntegrityError("one bad row")

    def gone(aftersale_id, *, now):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setitem(deadlines.TIMEOUT_EFFECTS, S.DISPUTE_AWAITING_EVIDENCE, bad_batch)
    monkeypatch.setattr(deadlines, "apply_timeout", gone)

    with pytest.raises(error):
        sweep(now=last_due + HOUR)
    assert batches == [3]
    assert _unchanged(made)


@pytest.mark.django_db
def test_one_bad_row_in_a_batch_costs_only_that_row_the_others_are_applied_one_by_one(world, monkeypatch):
    made, last_due = disputes(world, 4)
    bad = made[1]
    real = deadlines.time_out_evidence

    def fails_on_bad(aftersales, *, now):
        if any(a.pk == bad.pk for a in aftersales):
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(aftersales, now=now)

    monkeypatch.setitem(deadlines.TIMEOUT_EFFECTS, S.DISPUTE_AWAITING_EVIDENCE, fails_on_bad)
    row_by_row = _count_row_by_row(monkeypatch)
    now = last_due + HOUR

    assert sweep_evidence(now=now) == 3
    assert sorted(row_by_row) == sorted(a.pk for a in made)
    assert fresh(bad).status == S.DISPUTE_AWAITING_EVIDENCE
    assert {fresh(a).status for a in made if a.pk != bad.pk} == {S.DISPUTE_PLATFORM_REVIEW}

    monkeypatch.setitem(deadlines.TIMEOUT_EFFECTS, S.DISPUTE_AWAITING_EVIDENCE, real)  # fixed: the next sweep takes it
    assert sweep_evidence(now=now) == 1
    ids = [a.pk for a in made]
    assert sorted(
        HistoryEntry.objects.filter(aftersale__in=ids, kind="evidence_timed_out").values_list("aftersale_id", flat=True)
    ) == sorted(ids)
    assert OutboxEvent.objects.filter(topic="dispute.timed_out", aftersale_id__in=ids).count() == 4


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_sweepers_connection_killed_mid_batch_raises_and_the_next_sweep_applies_each_once(world, monkeypatch):
    import psycopg

    made, last_due = disputes(world, 5)
    now = last_due + HOUR
    row_by_row = _count_row_by_row(monkeypatch)
    real = deadlines.time_out_evidence
    settings = connection.settings_dict

    def killed_first(aftersales, *, now):
        # pg_terminate_backend of the sweeper's own connection, from another one, with the rows locked
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        monkeypatch.setitem(deadlines.TIMEOUT_EFFECTS, S.DISPUTE_AWAITING_EVIDENCE, real)
        return real(aftersales, now=now)

    monkeypatch.setitem(deadlines.TIMEOUT_EFFECTS, S.DISPUTE_AWAITING_EVIDENCE, killed_first)
    try:
        with pytest.raises((OperationalError, InterfaceError)):
            sweep_evidence(now=now)
    finally:
        connection.close()  # what the worker does before it retries
    assert row_by_row == []
    assert _unchanged(made)

    assert sweep_evidence(now=now) == 5
    ids = [a.pk for a in made]
    assert sorted(
        HistoryEntry.objects.filter(aftersale__in=ids, kind="evidence_timed_out").values_list("aftersale_id", flat=True)
    ) == sorted(ids)
    assert OutboxEvent.objects.filter(topic="dispute.timed_out", aftersale_id__in=ids).count() == 5
