"""Micro-deposits and withdrawal payouts leave through the rail after commit, exactly once (issue 7
part 7, api.md "Money that leaves"): the action writes a rail instruction, the worker sends it
(run_rail_worker here, or its claim/send/record steps to play a worker that dies), the simulator
answers, fails on a frozen or closed account, or is unreachable as its fault table says."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from sellerdesk.events.models import OutboxEvent
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.actions import do_request_withdrawal
from sellerdesk.payouts.actions.instructions import claim_instruction, process_instruction, record_outcome, send_claimed
from sellerdesk.payouts.models import (
    AccountChange,
    AccountKind,
    AuditAction,
    AuditLog,
    ChangeStatus,
    RailFault,
    RailInstruction,
    RailTransfer,
    Withdrawal,
    WithdrawalStatus,
)
from sellerdesk.payouts.rails.simulator import SimulatorRail

from .conftest import PASSWORD, card_number, corporate_number, error_code, run_rail_worker

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
pytestmark = pytest.mark.django_db


def transfers(reference) -> list[tuple[str, int, int]]:
    return list(RailTransfer.objects.filter(reference=reference).values_list("kind", "amount_fen", "requests"))


def withdraw(seller, amount_fen=5000, channel="anxin"):
    response = seller.api.post(f"/wallets/{channel}/withdrawals", {"amount_fen": amount_fen, "password": PASSWORD})
    assert response.status_code == 201, response.content
    return response.json()


def instruction_for(withdrawal_id) -> RailInstruction:
    return RailInstruction.objects.get(withdrawal_id=withdrawal_id)


@pytest.fixture
def person(make_seller):
    """A merchant that is an individual: personal cards, changes complete at once (no micro-deposit)."""
    return make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)


# --- after commit -----------------------------------------------------------------------------------


def test_rollback_after_a_rail_instruction_was_written_sends_nothing(person):
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        do_request_withdrawal(acting_user=person.user, channel="anxin", amount_fen=5000, password=PASSWORD)
        assert RailInstruction.objects.count() == 1
        raise RuntimeError("the request fails after the withdrawal was written")

    run_rail_worker()
    assert not RailInstruction.objects.exists() and not Withdrawal.objects.exists()
    assert DBTaskResult.objects.count() == tasks_before
    assert person.api.get("/sandbox/rail/statement").json()["items"] == []
    assert person.wallet("anxin").balance_fen == 100_000


def test_withdrawal_is_processing_until_the_worker_sends_it_then_paid(person):
    body = withdraw(person)
    assert (body["status"], body["reference"], body["paid_at"]) == ("processing", f"withdrawal-{body['id']}", None)
    assert transfers(body["reference"]) == []

    assert run_rail_worker() == 1

    paid = person.api.get(f"/withdrawals/{body['id']}").json()
    assert paid["status"] == "paid" and paid["paid_at"] is not None and paid["failed_reason"] is None
    assert transfers(body["reference"]) == [("payout", 5000, 1)]
    assert person.wallet("anxin").balance_fen == 95_000
    [event] = OutboxEvent.objects.filter(topic="withdrawal.paid")
    wallet = person.wallet("anxin")
    assert event.payload == {
        "withdrawal_id": body["id"],
        "amount_fen": 5000,
        "account": wallet.account.masked,
        "channel": "anxin",
        "subject_id": person.subject.pk,
        "holder_role": "merchant",
        "status": "paid",
        "failed_reason": None,
        "reference": body["reference"],
        "paid_at": event.payload["paid_at"],
        "failed_at": None,
    }
    assert AuditLog.objects.filter(action=AuditAction.WITHDRAWAL_PAID, success=True).count() == 1


def test_worker_that_dies_between_sending_and_recording_resends_the_same_reference_after_the_lease(person):
    body = withdraw(person)
    ins = instruction_for(body["id"])
    claimed = claim_instruction(ins.pk, now=ins.next_attempt_at)
    assert send_claimed(claimed).sent  # the rail made the transfer; then the worker died
    lease_until = instruction_for(body["id"]).lease_until

    assert run_rail_worker(now=lease_until) == 0
    assert Withdrawal.objects.get(pk=body["id"]).status == WithdrawalStatus.PROCESSING
    assert run_rail_worker(now=lease_until + SECOND) == 1

    assert transfers(body["reference"]) == [("payout", 5000, 2)]  # re-sent, one transfer
    assert Withdrawal.objects.get(pk=body["id"]).status == WithdrawalStatus.PAID
    assert OutboxEvent.objects.filter(topic="withdrawal.paid").count() == 1
    # The dead worker's late answer is refused: its claim is not the current one.
    assert record_outcome(claimed, send_claimed(claimed), now=lease_until + 2 * SECOND) == "stale"
    assert OutboxEvent.objects.filter(topic="withdrawal.paid").count() == 1
    assert person.wallet("anxin").balance_fen == 95_000


# --- failures -----------------------------------------------------------------------------------------


def test_payout_to_a_frozen_account_fails_and_returns_the_balance_exactly_once(person):
    account = person.wallet("anxin").account
    SimulatorRail().freeze_account(kind=account.kind, number=account.number)
    body = withdraw(person, 30_000)
    assert person.wallet("anxin").balance_fen == 70_000

    assert run_rail_worker() == 1
    assert run_rail_worker() == 0

    failed = person.api.get(f"/withdrawals/{body['id']}").json()
    assert (failed["status"], failed["failed_reason"]) == ("failed", "account_frozen")
    assert person.wallet("anxin").balance_fen == 100_000
    assert not RailTransfer.objects.exists()
    [event] = OutboxEvent.objects.filter(topic="withdrawal.failed")
    assert (event.payload["status"], event.payload["failed_reason"], event.payload["amount_fen"]) == (
        "failed",
        "account_frozen",
        30_000,
    )
    # Recording the same answer again changes nothing: the withdrawal is no longer processing.
    from sellerdesk.payouts.actions.withdrawals import record_payout_result

    with transaction.atomic():
        record_payout_result(instruction_for(body["id"]), now=T0)
    assert person.wallet("anxin").balance_fen == 100_000
    assert OutboxEvent.objects.filter(topic="withdrawal.failed").count() == 1


def test_transient_payout_failures_are_retried_with_growing_delays_then_paid(person):
    body = withdraw(person)
    SimulatorRail().fail(mode=RailFault.Mode.UNAVAILABLE, operation="payout", times=3)
    now, delays = instruction_for(body["id"]).next_attempt_at, []
    for _ in range(3):
        assert process_instruction(instruction_for(body["id"]).pk, now=now) == "retrying"
        ins = instruction_for(body["id"])
        delays.append((ins.next_attempt_at - now).total_seconds())
        now = ins.next_attempt_at
    assert 4 <= delays[0] <= 6 and 24 <= delays[1] <= 36 and 144 <= delays[2] <= 216
    assert DBTaskResult.objects.filter(run_after=now).count() == 1  # the retry is queued for its time

    assert process_instruction(ins.pk, now=now) == "succeeded"
    assert instruction_for(body["id"]).attempts == 4
    assert Withdrawal.objects.get(pk=body["id"]).status == WithdrawalStatus.PAID
    assert transfers(body["reference"]) == [("payout", 5000, 1)]


@override_settings(SELLERDESK_RAIL_MAX_ATTEMPTS=2)
def test_exhausted_retries_fail_the_payout_and_return_the_balance(person):
    body = withdraw(person)
    SimulatorRail().fail(mode=RailFault.Mode.UNAVAILABLE, operation="payout")
    now = instruction_for(body["id"]).next_attempt_at
    assert process_instruction(instruction_for(body["id"]).pk, now=now) == "retrying"
    assert process_instruction(instruction_for(body["id"]).pk, now=now + timedelta(hours=1)) == "failed"
    assert Withdrawal.objects.get(pk=body["id"]).failed_reason == "rail_unavailable"
    assert person.wallet("anxin").balance_fen == 100_000


@override_settings(SELLERDESK_RAIL_MAX_ATTEMPTS=2)
def test_a_payout_that_may_have_been_sent_is_never_failed_on_transient_errors(person):
    """A lost answer means the money may have left: only the rail's answer to a re-send ends it."""
    body = withdraw(person)
    SimulatorRail().fail(mode=RailFault.Mode.LOST_ANSWER, operation="payout", times=1)
    now = instruction_for(body["id"]).next_attempt_at
    assert process_instruction(instruction_for(body["id"]).pk, now=now) == "retrying"  # sent, answer lost
    SimulatorRail().fail(mode=RailFault.Mode.UNAVAILABLE, operation="payout", times=3)  # then the rail is down
    for _ in range(3):  # past the limit of 2
        now = instruction_for(body["id"]).next_attempt_at
        assert process_instruction(instruction_for(body["id"]).pk, now=now) == "retrying"
    now = instruction_for(body["id"]).next_attempt_at
    assert person.wallet("anxin").balance_fen == 95_000
    assert process_instruction(instruction_for(body["id"]).pk, now=now) == "succeeded"
    assert Withdrawal.objects.get(pk=body["id"]).status == WithdrawalStatus.PAID
    assert transfers(body["reference"]) == [("payout", 5000, 2)]


# --- the cool-off hold --------------------------------------------------------------------------------


@override_settings(SELLERDESK_PAYOUT_COOLOFF_SECONDS=86400)
def test_held_withdrawal_is_released_one_second_after_held_until_then_paid(person):
    with time_machine.travel(T0, tick=False) as traveller:
        person.change_card("anxin", card_number(9300))
        body = withdraw(person)
        held_until = T0 + timedelta(days=1)
        assert (body["status"], body["held_until"]) == ("held", "2026-03-03T08:00:00Z")
        assert (
            DBTaskResult.objects.filter(
                task_path="sellerdesk.payouts.tasks.release_withdrawal", run_after=held_until + SECOND
            ).count()
            == 1
        )
        assert not RailInstruction.objects.filter(withdrawal_id=body["id"]).exists()

        traveller.move_to(held_until)  # at held_until exactly: still held
        assert run_rail_worker() == 0
        assert person.api.get(f"/withdrawals/{body['id']}").json()["status"] == "held"

        traveller.move_to(held_until + SECOND)
        from sellerdesk.payouts.tasks import release_withdrawal

        assert release_withdrawal.call(body["id"]) is True  # the queued task, on time
        assert release_withdrawal.call(body["id"]) is False  # twice changes nothing
        assert person.api.get(f"/withdrawals/{body['id']}").json()["status"] == "processing"

        assert run_rail_worker() == 1
    paid = person.api.get(f"/withdrawals/{body['id']}").json()
    assert (paid["status"], paid["processing_at"]) == ("paid", "2026-03-03T08:00:01Z")
    assert transfers(body["reference"]) == [("payout", 5000, 1)]
    assert person.wallet("anxin").balance_fen == 95_000


@override_settings(SELLERDESK_PAYOUT_COOLOFF_SECONDS=3600)
def test_sweeper_releases_a_hold_whose_task_was_lost(person):
    with time_machine.travel(T0, tick=False) as traveller:
        person.change_card("anxin", card_number(9301))
        body = withdraw(person)
        DBTaskResult.objects.all().delete()
        traveller.move_to(T0 + timedelta(hours=1, seconds=1))
        assert run_rail_worker() == 2  # released, then sent
    assert Withdrawal.objects.get(pk=body["id"]).status == WithdrawalStatus.PAID


# --- GET /withdrawals/{id} -----------------------------------------------------------------------------


def test_withdrawal_is_visible_to_its_owner_only(person, make_seller, django_user_model):
    body = withdraw(person)
    mine = person.api.get(f"/withdrawals/{body['id']}")
    assert mine.status_code == 200 and mine.json()["amount_fen"] == 5000
    other = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="韩梅梅")
    response = other.api.get(f"/withdrawals/{body['id']}")
    assert response.status_code == 404 and error_code(response) == "withdrawal_not_found"
    assert person.api.get("/withdrawals/999999").status_code == 404
    from .conftest import Api

    buyer = django_user_model.objects.create_user(username="b-w", password="x-long-password", role=Role.BUYER)
    assert Api(buyer).get(f"/withdrawals/{body['id']}").status_code == 403


# --- micro-deposits ------------------------------------------------------------------------------------


def test_micro_deposit_is_sent_only_by_the_worker_with_the_amount_sellerdesk_chose(merchant):
    number = corporate_number(8800)
    body = merchant.change_card("anxin", number, corporate=True).json()
    change = AccountChange.objects.get(pk=body["id"])
    assert body["status"] == "pending_verification" and 1 <= change.expected_amount_fen <= 999
    assert transfers(change.rail_reference) == []
    early = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": change.expected_amount_fen})
    assert early.status_code == 409 and error_code(early) == "micro_deposit_not_sent"
    assert AccountChange.objects.get(pk=body["id"]).attempts_left == 3  # no attempt used

    assert run_rail_worker() == 1

    assert transfers(change.rail_reference) == [("micro_deposit", change.expected_amount_fen, 1)]
    assert merchant.statement_amount(number[-4:]) == change.expected_amount_fen
    done = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": change.expected_amount_fen})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert merchant.wallet("anxin").account.last4 == number[-4:]


def test_micro_deposit_to_a_closed_account_fails_the_change_and_keeps_the_old_account(merchant):
    number = corporate_number(8801)
    SimulatorRail().close_account(kind=AccountKind.BANK_CARD, number=number, holder_name=merchant.subject.legal_name)
    old = merchant.wallet("anxin").account_id
    body = merchant.change_card("anxin", number, corporate=True).json()

    run_rail_worker()

    change = merchant.api.get(f"/account-changes/{body['id']}").json()
    assert (change["status"], change["failure_reason"]) == ("failed", "micro_deposit_failed")
    assert merchant.wallet("anxin").account_id == old
    assert not RailTransfer.objects.exists()
    assert OutboxEvent.objects.get(topic="payout_account.change_failed").payload["reason"] == "micro_deposit_failed"
    assert AccountChange.objects.get(pk=body["id"]).status == ChangeStatus.FAILED


# --- the simulator is a rail --------------------------------------------------------------------------


def test_simulator_answers_a_repeated_reference_with_the_same_transfer_and_refuses_a_reused_one(person, rail):
    from sellerdesk.payouts.actions.changes import account_ref
    from sellerdesk.payouts.rails import RailRejected

    ref = account_ref(person.wallet("anxin").account)
    first = rail.send_payout(ref, amount_fen=100, reference="withdrawal-x")
    again = rail.send_payout(ref, amount_fen=100, reference="withdrawal-x")
    assert first == again and transfers("withdrawal-x") == [("payout", 100, 2)]
    with pytest.raises(RailRejected) as reused:
        rail.send_payout(ref, amount_fen=200, reference="withdrawal-x")
    assert reused.value.code == "reference_reused"
    assert transfers("withdrawal-x") == [("payout", 100, 3)]  # asked three times, still one transfer of 100
