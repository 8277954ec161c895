"""A refund leaves through the payment rail after its decision commits, exactly once (api.md, "Money
that leaves"; issue 7 part 6): pending → succeeded, or failed after the retries and then a CS case
that 重新退款 sends again with the same reference. The rail is the simulator, made to fail with its
own fault table; the worker step is run explicitly (run_rail_worker, or its claim/send/record steps)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from sellerdesk.aftersales import actions as a
from sellerdesk.aftersales.actions.refunds import do_retry_refund
from sellerdesk.aftersales.models import AfterSale, HistoryEntry, Refund
from sellerdesk.core.errors import CodedError
from sellerdesk.events.models import OutboxEvent
from sellerdesk.orders.models import Order
from sellerdesk.payouts.actions.instructions import claim_instruction, process_instruction, send_claimed
from sellerdesk.payouts.models import InstructionState, RailFault, RailInstruction, RailTransfer
from sellerdesk.payouts.rails.simulator import SimulatorRail
from sellerdesk.payouts.tests.conftest import run_rail_worker
from sellerdesk.testing import factories as f

T0 = datetime(2025, 3, 3, 2, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def approved(w, *, amount=7000, now=T0) -> AfterSale:
    """A refund-only request the merchant agreed to: its refund is decided (pending) at `now`."""
    x = a.do_open_aftersale(
        order_id=w.order.id,
        type="refund_only",
        amount_fen=amount,
        reason="质量问题",
        description="有裂痕",
        acting_user=w.buyer,
        now=now,
    )
    a.do_approve(x.id, acting_user=w.merchant, now=now + SECOND)
    return AfterSale.objects.get(pk=x.pk)


def refund_of(aftersale) -> Refund:
    return Refund.objects.get(aftersale=aftersale)


def instruction_of(aftersale) -> RailInstruction:
    return RailInstruction.objects.get(refund__aftersale=aftersale)


def transfers(reference) -> list[tuple[int, int]]:
    """(amount, times asked) of every transfer the rail made for `reference`."""
    return list(RailTransfer.objects.filter(reference=reference).values_list("amount_fen", "requests"))


def events(aftersale, topic) -> list[dict]:
    return [e.payload for e in OutboxEvent.objects.filter(topic=topic, aggregate_id=str(aftersale.pk)).order_by("id")]


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    c.force_login(user)
    return c


def test_refund_is_pending_until_the_worker_sends_it_then_succeeded(world, api_as):
    aftersale = approved(world)
    refund = refund_of(aftersale)
    buyer = api_as(world.buyer)

    before = buyer.get(f"/aftersales/{aftersale.pk}").json()["refund"]
    assert (before["amount_fen"], before["status"], before["reference"], before["failed_reason"]) == (
        7000,
        "pending",
        f"refund-{aftersale.number}",
        None,
    )
    assert transfers(refund.reference) == []
    assert DBTaskResult.objects.filter(task_path="sellerdesk.payouts.tasks.send_rail_instruction").count() == 1

    assert run_rail_worker(now=T0 + 2 * SECOND) == 1

    after = buyer.get(f"/aftersales/{aftersale.pk}").json()["refund"]
    assert (after["status"], after["reference"], after["failed_reason"]) == ("succeeded", refund.reference, None)
    assert transfers(refund.reference) == [(7000, 1)]
    assert RailTransfer.objects.get(reference=refund.reference).order_no == world.order.order_no
    [payload] = events(aftersale, "refund.succeeded")
    assert (payload["aftersale_id"], payload["amount_fen"], payload["reference"], payload["failed_reason"]) == (
        aftersale.pk,
        7000,
        refund.reference,
        None,
    )
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="refund_succeeded").count() == 1
    assert run_rail_worker(now=T0 + 3 * SECOND) == 0  # nothing left to send


def test_rollback_after_the_refund_instruction_was_written_sends_nothing(world):
    x = a.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=5000,
        reason="质量问题",
        description="",
        acting_user=world.buyer,
        now=T0,
    )
    tasks_before = DBTaskResult.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        a.do_approve(x.id, acting_user=world.merchant, now=T0 + SECOND)
        assert RailInstruction.objects.count() == 1  # written in the action's transaction ...
        raise RuntimeError("the request fails after the decision")  # ... which is then rolled back

    run_rail_worker(now=T0 + 10 * SECOND)
    assert not RailInstruction.objects.exists() and not Refund.objects.exists()
    assert DBTaskResult.objects.count() == tasks_before
    assert not RailTransfer.objects.exists()
    assert Order.objects.get(pk=world.order.pk).refunded_fen == 0


def test_worker_that_dies_between_sending_and_recording_never_sends_the_refund_twice(world):
    aftersale = approved(world)
    refund = refund_of(aftersale)
    # A worker claims the refund and the rail makes the transfer, then the worker dies: nothing recorded.
    claimed = claim_instruction(instruction_of(aftersale).pk, now=T0 + 2 * SECOND)
    assert send_claimed(claimed).sent
    lease_until = instruction_of(aftersale).lease_until

    assert run_rail_worker(now=lease_until) == 0  # its lease still holds: nobody touches it
    assert refund_of(aftersale).status == Refund.Status.PENDING

    assert run_rail_worker(now=lease_until + SECOND) == 1  # another worker re-sends the same reference
    assert transfers(refund.reference) == [(7000, 2)]  # asked twice, one transfer
    assert refund_of(aftersale).status == Refund.Status.SUCCEEDED
    assert len(events(aftersale, "refund.succeeded")) == 1
    assert Order.objects.get(pk=world.order.pk).refunded_fen == 7000


def test_rails_lost_answer_is_retried_with_the_same_reference_and_makes_one_transfer(world):
    aftersale = approved(world)
    refund = refund_of(aftersale)
    SimulatorRail().fail(mode=RailFault.Mode.LOST_ANSWER, reference=refund.reference, times=1)

    assert process_instruction(instruction_of(aftersale).pk, now=T0 + 2 * SECOND) == "retrying"
    ins = instruction_of(aftersale)
    assert (ins.state, ins.maybe_sent, refund_of(aftersale).status) == (InstructionState.PENDING, True, "pending")

    assert process_instruction(ins.pk, now=ins.next_attempt_at) == "succeeded"
    assert transfers(refund.reference) == [(7000, 2)]
    assert refund_of(aftersale).status == Refund.Status.SUCCEEDED


def test_failing_refund_retries_with_growing_delays_then_fails_into_the_cs_console(world, api_as):
    aftersale = approved(world)
    refund = refund_of(aftersale)
    SimulatorRail().fail(mode=RailFault.Mode.UNAVAILABLE, operation="refund", message="503 from the rail")

    now, delays = T0 + 2 * SECOND, []
    while True:
        assert process_instruction(instruction_of(aftersale).pk, now=now) is not None
        ins = instruction_of(aftersale)
        if ins.state != InstructionState.PENDING:
            break
        delays.append((ins.next_attempt_at - now).total_seconds())
        assert process_instruction(ins.pk, now=ins.next_attempt_at - SECOND) is None  # not due yet
        now = ins.next_attempt_at

    assert ins.state == InstructionState.FAILED and ins.attempts == 8
    expected = [5, 30, 180, 1080, 6480, 21600, 21600]  # 5 s × 6ⁿ, capped at 6 h; ±20 % jitter
    assert len(delays) == 7 and all(0.8 * e <= d <= 1.2 * e for d, e in zip(delays, expected, strict=True))
    assert delays[:5] == sorted(delays[:5])
    assert transfers(refund.reference) == []
    failed = api_as(world.buyer).get(f"/aftersales/{aftersale.pk}").json()["refund"]
    assert (failed["status"], failed["failed_reason"]) == ("failed", "rail_unavailable")
    [payload] = events(aftersale, "refund.failed")
    assert (payload["aftersale_id"], payload["amount_fen"], payload["reference"], payload["failed_reason"]) == (
        aftersale.pk,
        7000,
        refund.reference,
        "rail_unavailable",
    )
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="refund_failed").count() == 1

    page = client_for(world.cs).get("/cs/").content.decode()
    assert f'data-refund="{refund.reference}"' in page and "503 from the rail" in page and "重新退款" in page


def test_refund_refused_by_the_rail_fails_at_once_with_its_reason(world):
    aftersale = approved(world)
    SimulatorRail().fail(
        mode=RailFault.Mode.REJECT,
        order_no=world.order.order_no,
        code="original_payment_closed",
        message="原支付账户已注销",
    )

    assert run_rail_worker(now=T0 + 2 * SECOND) == 1

    refund = refund_of(aftersale)
    assert (refund.status, refund.failed_reason, instruction_of(aftersale).attempts) == (
        "failed",
        "original_payment_closed",
        1,
    )
    assert not RailTransfer.objects.exists()
    assert events(aftersale, "refund.failed")[0]["failed_reason"] == "original_payment_closed"


def test_cs_retry_sends_the_failed_refund_once_with_the_same_reference(world):
    aftersale = approved(world)
    refund = refund_of(aftersale)
    SimulatorRail().fail(
        mode=RailFault.Mode.REJECT, reference=refund.reference, code="original_payment_closed", times=1
    )
    run_rail_worker(now=T0 + 2 * SECOND)
    assert refund_of(aftersale).status == Refund.Status.FAILED

    cs = client_for(world.cs)
    response = cs.post(f"/cs/refunds/{refund.pk}/retry/", follow=True)
    assert response.redirect_chain[-1][0] == "/cs/#failed-refunds"
    assert "已重新发起退款 ¥70.00" in response.content.decode()
    again = refund_of(aftersale)
    assert (again.status, again.reference, again.failed_reason) == ("pending", refund.reference, "")
    assert cs.post(f"/cs/refunds/{refund.pk}/retry/").status_code == 302  # a second click changes nothing
    assert instruction_of(aftersale).requeues == 1

    assert run_rail_worker() == 1
    assert refund_of(aftersale).status == Refund.Status.SUCCEEDED
    assert transfers(refund.reference) == [(7000, 1)]
    assert RailInstruction.objects.filter(refund=refund).count() == 1
    assert f'data-refund="{refund.reference}"' not in cs.get("/cs/").content.decode()
    assert list(
        HistoryEntry.objects.filter(aftersale=aftersale, kind__startswith="refund_")
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["refund_failed", "refund_retried", "refund_succeeded"]


def test_cs_retry_is_refused_for_a_refund_that_has_not_failed_and_for_other_roles(world):
    aftersale = approved(world)
    refund = refund_of(aftersale)

    with pytest.raises(CodedError) as refused:
        do_retry_refund(refund.pk, acting_user=world.cs, now=T0 + 2 * SECOND)
    assert refused.value.code == "refund_not_failed"
    with pytest.raises(CodedError) as forbidden:
        do_retry_refund(refund.pk, acting_user=world.merchant, now=T0 + 2 * SECOND)
    assert forbidden.value.code == "forbidden_role"
    assert client_for(world.merchant).post(f"/cs/refunds/{refund.pk}/retry/").status_code == 403
    assert client_for(world.cs).post("/cs/refunds/999999/retry/").status_code == 404
    assert client_for(world.cs).get(f"/cs/refunds/{refund.pk}/retry/").status_code == 405
    assert instruction_of(aftersale).requeues == 0 and refund_of(aftersale).status == Refund.Status.PENDING


def test_every_failed_refund_is_a_cs_case_also_without_a_dispute(world):
    order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=3000)
    x = a.do_open_aftersale(
        order_id=order.id,
        type="refund_only",
        amount_fen=3000,
        reason="质量问题",
        description="",
        acting_user=world.buyer,
        now=T0,
    )
    a.do_approve(x.id, acting_user=world.merchant, now=T0)
    SimulatorRail().fail(mode=RailFault.Mode.REJECT, order_no=order.order_no, code="original_payment_closed")
    run_rail_worker(now=T0 + SECOND)

    page = client_for(world.cs).get("/cs/").content.decode()
    row = page[page.index(f'data-refund="refund-{x.number}"') :]
    assert x.number in row[:600] and f"/cs/cases/{x.pk}/" not in row[:600]  # CS sees no case page for it
