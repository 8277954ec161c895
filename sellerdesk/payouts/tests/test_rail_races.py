"""Two workers at once on the same due rail instruction (PostgreSQL only: real row locks, threads).

The claim takes the row with SELECT … FOR UPDATE SKIP LOCKED and a lease: exactly one worker sends,
the other finds nothing to do, and the rail is asked once."""

import pytest
from django.db import connection

from sellerdesk.aftersales.models import Refund
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.actions import do_request_withdrawal
from sellerdesk.payouts.actions.instructions import (
    process_instruction,
    run_due_instructions,
)
from sellerdesk.payouts.models import (
    InstructionState,
    RailInstruction,
    RailTransfer,
    Withdrawal,
    WithdrawalStatus,
)

from .conftest import PASSWORD, race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need real concurrent transactions: run with DATABASE_URL=postgres://…",
    ),
]
ITERATIONS = 5


def test_two_workers_sending_the_same_due_payout_make_one_transfer(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    for _ in range(ITERATIONS):
        w = do_request_withdrawal(acting_user=seller.user, channel="anxin", amount_fen=1000, password=PASSWORD)
        pk = RailInstruction.objects.get(withdrawal=w).pk

        results = race(lambda: process_instruction(pk), lambda: process_instruction(pk))

        assert sorted(results, key=str) == [None, InstructionState.SUCCEEDED]
        assert RailInstruction.objects.get(pk=pk).attempts == 1
        assert list(RailTransfer.objects.filter(reference=w.reference).values_list("requests", flat=True)) == [1]
        assert Withdrawal.objects.get(pk=w.pk).status == WithdrawalStatus.PAID
    assert seller.wallet("anxin").balance_fen == 100_000 - ITERATIONS * 1000


def test_two_sweepers_at_once_send_each_due_refund_once(world):
    from sellerdesk.aftersales import actions as a
    from sellerdesk.core import clock
    from sellerdesk.testing import factories as f

    for _ in range(ITERATIONS):
        order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=2000)
        x = a.do_open_aftersale(
            order_id=order.id,
            type="refund_only",
            amount_fen=2000,
            reason="质量问题",
            description="",
            acting_user=world.buyer,
            now=clock.now(),
        )
        a.do_approve(x.id, acting_user=world.merchant, now=clock.now())

    done = race(run_due_instructions, run_due_instructions)

    assert sum(done) == ITERATIONS
    assert list(RailTransfer.objects.values_list("requests", flat=True)) == [1] * ITERATIONS
    assert set(Refund.objects.values_list("status", flat=True)) == {Refund.Status.SUCCEEDED}
    assert set(RailInstruction.objects.values_list("attempts", flat=True)) == {1}
