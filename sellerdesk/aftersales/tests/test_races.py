"""Two actors at once on one after-sale, with real threads and real row locks (PostgreSQL only).

product.md §1: "two people acting at once on one request end with exactly one winner and a clear
error for the other; nothing is half-applied"; §3: "no double refund, ever"; api.md: a retry while
the first request is still running is 409 `idempotency_key_in_use`.

Each race starts both actors on a threading.Barrier and is repeated ITERATIONS times on fresh
requests. Where a race needs the winner to hold its lock long enough for the loser to queue behind
it, the winner is slowed *inside* its transaction (`slowed`), so the loser really waits on the row
lock instead of simply arriving after the commit.
"""

import json
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.models import (
    AfterSale,
    Dispute,
    DisputeStatus,
    Evidence,
    HistoryEntry,
    Refund,
    Ruling,
    Status,
)
from sellerdesk.aftersales.tasks import fire_deadline, sweep_deadlines
from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError
from sellerdesk.identity.models import ApiToken, Role
from sellerdesk.orders.models import Order
from sellerdesk.testing import factories as f

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need real concurrent transactions and row locks: run with DATABASE_URL=postgres://…",
    ),
]

ITERATIONS = 5
PAID = 10000


# ------------------------------------------------------------------------------------------ helpers


def race(*actors):
    """Run each actor in its own thread, all released at once by a barrier.

    Returns one ("ok", value) / ("refused", code) per actor; anything else that escapes an actor
    (a crash, an IntegrityError, a deadlock) fails the test with the exception.
    """
    barrier = threading.Barrier(len(actors))
    results = [None] * len(actors)

    def run(i, actor):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", actor())
        except CodedError as exc:
            results[i] = ("refused", exc.code)
        except BaseException as exc:  # reported below, in the test's thread
            results[i] = ("crashed", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, actor)) for i, actor in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an actor hung (deadlock?)"
    for outcome in results:
        if outcome[0] == "crashed":
            raise outcome[1]
    return results


@contextmanager
def slowed(target: str, seconds: float):
    """Make `target` (a dotted function path) hold its caller's transaction `seconds` longer."""
    module_path, name = target.rsplit(".", 1)
    module = __import__(module_path, fromlist=[name])
    real = getattr(module, name)

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(seconds)
        return result

    with mock.patch.object(module, name, slow):
        yield


def kinds(aftersale_id) -> list[str]:
    return list(HistoryEntry.objects.filter(aftersale_id=aftersale_id).order_by("id").values_list("kind", flat=True))


def assert_money_sound(order_id):
    order = Order.objects.get(pk=order_id)
    refunds = list(Refund.objects.filter(order=order).values_list("aftersale_id", "source", "amount_fen"))
    # One refund per request's decision, and at most one more from an appeal's overturn.
    decided = [(a, s == Refund.Source.APPEAL) for a, s, _ in refunds]
    assert len(set(decided)) == len(decided), "two refunds for one request"
    assert order.refunded_fen == sum(amount for _, _, amount in refunds)
    assert order.refunded_fen <= order.paid_fen


def one_winner(results):
    winners = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    assert len(winners) == 1, results
    return winners[0]


def fresh_order(world):
    return f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=PAID)


def open_request(world, order, *, now, type="refund_only", amount=PAID):
    return actions.do_open_aftersale(
        order_id=order.pk,
        type=type,
        amount_fen=amount,
        reason="质量问题",
        description="坏了",
        acting_user=world.buyer,
        now=now,
    )


def in_dispute(world, *, now):
    """A fresh request, refused by the merchant and escalated by the buyer at `now`."""
    aftersale = open_request(world, fresh_order(world), now=now)
    actions.do_reject(aftersale.pk, reason="已发货无质量问题", acting_user=world.merchant, now=now)
    actions.do_escalate(aftersale.pk, reason="商品有破损", acting_user=world.buyer, now=now)
    return AfterSale.objects.get(pk=aftersale.pk)


def in_platform_review(world, *, now):
    aftersale = in_dispute(world, now=now)
    actions.do_submit_evidence(aftersale.pk, statement="发货视频", acting_user=world.merchant, now=now)
    return AfterSale.objects.get(pk=aftersale.pk)


# ------------------------------------------------------------------------------------------ races


@pytest.mark.parametrize("slow_side", ["none", "approve", "cancel"])
def test_merchant_approve_and_buyer_cancel_at_once_end_with_exactly_one_winner(world, slow_side):
    # given requests waiting for the merchant, and (every other one) requests in the dispute period
    now = clock.now()
    slow = {
        "approve": "sellerdesk.aftersales.actions.merchant.record",
        "cancel": "sellerdesk.aftersales.actions.cancelling.record",
    }.get(slow_side)
    for i in range(ITERATIONS):
        aftersale = in_dispute(world, now=now) if i % 2 else open_request(world, fresh_order(world), now=now)
        before = kinds(aftersale.pk)

        # when the merchant approves and the buyer cancels at the same moment
        with slowed(slow, 0.2) if slow else _nothing():
            results = race(
                lambda: actions.do_approve(aftersale.pk, acting_user=world.merchant, now=now),
                lambda: actions.do_cancel(aftersale.pk, acting_user=world.buyer, now=now),
            )

        # then exactly one of them happened, the other got invalid_transition
        winner = one_winner(results)
        loser = results[1 - winner]
        assert loser == ("refused", "invalid_transition")
        aftersale.refresh_from_db()
        refunds = list(Refund.objects.filter(aftersale=aftersale).values_list("amount_fen", flat=True))
        if winner == 0:
            assert aftersale.status == Status.REFUNDED
            assert kinds(aftersale.pk) == before + ["approved", "refunded"]
            assert refunds == [PAID]
        else:
            assert aftersale.status == Status.CANCELLED
            assert kinds(aftersale.pk) == before + ["cancelled"]
            assert refunds == []
        if i % 2:
            dispute = Dispute.objects.get(aftersale=aftersale)
            assert dispute.status == (DisputeStatus.RESOLVED if winner == 0 else DisputeStatus.CANCELLED)
            assert not Ruling.objects.filter(dispute=dispute).exists()
        assert_money_sound(aftersale.order_id)


@contextmanager
def _nothing():
    yield


def test_evidence_at_due_at_and_the_evidence_timeout_at_once_apply_exactly_one_of_them(world):
    # given disputes whose 24 h evidence window ends at due_at
    now = clock.now()
    outcomes = set()
    for i in range(ITERATIONS):
        aftersale = in_dispute(world, now=now)
        due_at = aftersale.due_at
        assert due_at == now + timedelta(hours=24)
        before = kinds(aftersale.pk)

        # when the merchant submits evidence at exactly due_at while the timeout fires at due_at + 1 s
        # (the timeout is slowed on odd rounds so that evidence really queues behind its lock)
        slow = "sellerdesk.aftersales.actions.deadlines.record" if i % 2 else None
        with slowed(slow, 0.2) if slow else _nothing():
            evidence, timeout = race(
                lambda: actions.do_submit_evidence(
                    aftersale.pk, statement="发货前质检视频", acting_user=world.merchant, now=due_at
                ),
                lambda: actions.apply_timeout(aftersale.pk, now=due_at + timedelta(seconds=1)),
            )

        # then either the evidence counts and the timeout is a no-op, or the timeout counts and the
        # evidence is refused, never both
        aftersale.refresh_from_db()
        dispute = Dispute.objects.get(aftersale=aftersale)
        assert aftersale.status == Status.DISPUTE_PLATFORM_REVIEW
        assert aftersale.due_at is None
        assert dispute.status == DisputeStatus.PLATFORM_REVIEW
        if evidence[0] == "ok":
            outcomes.add("evidence")
            assert timeout == ("ok", False)
            assert kinds(aftersale.pk) == before + ["evidence_submitted"]
            assert dispute.timed_out is False
            assert dispute.evidence_submitted_at == due_at
            assert Evidence.objects.filter(dispute=dispute).count() == 1
        else:
            outcomes.add("timeout")
            assert evidence == ("refused", "invalid_transition")
            assert timeout == ("ok", True)
            assert kinds(aftersale.pk) == before + ["evidence_timed_out"]
            assert dispute.timed_out is True
            assert dispute.evidence_submitted_at is None
            assert Evidence.objects.filter(dispute=dispute).count() == 0
        assert_money_sound(aftersale.order_id)
    assert outcomes  # which side wins is up to the scheduler; both are correct


def test_two_cs_rulings_at_once_leave_exactly_one_ruling(world):
    # given disputes in platform review and two CS agents
    now = clock.now()
    other_cs = f.make_user("cs2", role=Role.CS)
    for i in range(ITERATIONS):
        aftersale = in_platform_review(world, now=now)
        before = kinds(aftersale.pk)

        # when one agent rules a full refund (merchant liable) and the other no refund (buyer liable)
        slow = "sellerdesk.aftersales.actions.adjudication.record" if i % 2 else None
        with slowed(slow, 0.2) if slow else _nothing():
            results = race(
                lambda: actions.do_rule(
                    aftersale.pk,
                    outcome="refund",
                    liable="merchant",
                    note="商家未按约发货",
                    acting_user=world.cs,
                    now=now,
                ),
                lambda: actions.do_rule(
                    aftersale.pk,
                    outcome="no_refund",
                    liable="buyer",
                    note="买家证据不足",
                    acting_user=other_cs,
                    now=now,
                ),
            )

        # then one ruling stands, the other agent is told the request moved on
        winner = one_winner(results)
        assert results[1 - winner] == ("refused", "invalid_transition")
        aftersale.refresh_from_db()
        dispute = Dispute.objects.get(aftersale=aftersale)
        rulings = list(Ruling.objects.filter(dispute=dispute).values_list("outcome", "liable", "ruled_by_id"))
        refunds = list(Refund.objects.filter(aftersale=aftersale).values_list("amount_fen", flat=True))
        assert dispute.status == DisputeStatus.RESOLVED
        if winner == 0:
            assert rulings == [("refund", "merchant", world.cs.pk)]
            assert aftersale.status == Status.REFUNDED
            assert kinds(aftersale.pk) == before + ["ruled", "refunded"]
            assert refunds == [PAID]
        else:
            assert rulings == [("no_refund", "buyer", other_cs.pk)]
            assert aftersale.status == Status.CLOSED
            assert kinds(aftersale.pk) == before + ["ruled"]
            assert refunds == []
        assert_money_sound(aftersale.order_id)


def test_the_same_buyer_opening_two_requests_on_one_order_at_once_gets_one_request(world):
    now = clock.now()
    for _ in range(ITERATIONS):
        # given a paid order without any request
        order = fresh_order(world)

        # when the buyer opens two requests on it at the same moment (double tap, two devices)
        results = race(
            lambda: open_request(world, order, now=now, amount=PAID),
            lambda: open_request(world, order, now=now, type="return_refund", amount=PAID // 2),
        )

        # then one request exists, the other attempt is 409 aftersale_already_open
        winner = one_winner(results)
        assert results[1 - winner] == ("refused", "aftersale_already_open")
        requests = list(AfterSale.objects.filter(order=order).values_list("id", "amount_fen", "status"))
        assert requests == [(results[winner][1].pk, [PAID, PAID // 2][winner], Status.AWAITING_MERCHANT)]
        assert kinds(requests[0][0]) == ["created"]
        assert HistoryEntry.objects.filter(aftersale__order=order).count() == 1
        assert_money_sound(order.pk)


def test_the_deadline_task_and_the_sweeper_at_once_fire_the_timeout_once(world):
    # given requests whose merchant-response deadline passed while nobody acted
    opened_at = clock.now()
    for i in range(ITERATIONS):
        aftersale = open_request(world, fresh_order(world), now=opened_at)
        due_at = aftersale.due_at
        assert due_at == opened_at + timedelta(hours=48)

        # when the queued task and the periodic sweeper both run one second after the deadline
        slow = "sellerdesk.aftersales.actions.deadlines.record" if i % 2 else None
        with time_machine.travel(due_at + timedelta(seconds=1), tick=False), slowed(slow, 0.2) if slow else _nothing():
            task, sweeper = race(
                lambda: fire_deadline.call(aftersale.pk),
                lambda: sweep_deadlines.call(),
            )

        # then the request was auto-approved and refunded exactly once
        assert sorted([task, sweeper]) == sorted([("ok", True), ("ok", 0)]) or sorted([task, sweeper]) == sorted(
            [("ok", False), ("ok", 1)]
        ), (task, sweeper)
        aftersale.refresh_from_db()
        assert aftersale.status == Status.REFUNDED
        assert kinds(aftersale.pk) == ["created", "auto_approved", "refunded"]
        assert list(Refund.objects.filter(aftersale=aftersale).values_list("amount_fen", "source")) == [
            (PAID, Refund.Source.AUTO_APPROVED)
        ]
        assert_money_sound(aftersale.order_id)


def test_the_same_idempotency_key_twice_at_once_runs_the_action_once(world):
    # given requests waiting for the merchant, and one API token of the merchant's ERP
    now = clock.now()
    _, raw_token = ApiToken.issue(world.merchant)
    real_approve = actions.do_approve

    def slow_approve(*args, **kwargs):
        # Hold the approving transaction open so the second request arrives while the first runs.
        with transaction.atomic():
            result = real_approve(*args, **kwargs)
            time.sleep(0.5)
            return result

    for _ in range(ITERATIONS):
        aftersale = open_request(world, fresh_order(world), now=now)
        key = f"erp-approve-{aftersale.pk}"

        def post():
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
            response = client.post(
                f"/api/v1/aftersales/{aftersale.pk}/approve",
                "{}",
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
            return response.status_code, response.json()

        # when the ERP sends the same approve twice at once with the same Idempotency-Key
        with mock.patch.object(actions, "do_approve", slow_approve):
            (kind_a, a), (kind_b, b) = race(post, post)

        # then one request approved, the other was told the key is in use; the action ran once
        assert (kind_a, kind_b) == ("ok", "ok")
        answers = sorted([a, b], key=lambda answer: answer[0])
        assert [status for status, _ in answers] == [200, 409]
        assert answers[0][1]["status"] == Status.REFUNDED
        assert answers[1][1]["error"]["code"] == "idempotency_key_in_use"
        aftersale.refresh_from_db()
        assert aftersale.status == Status.REFUNDED
        assert kinds(aftersale.pk) == ["created", "approved", "refunded"]
        assert Refund.objects.filter(aftersale=aftersale).count() == 1
        assert_money_sound(aftersale.order_id)

        # and a later retry with that key replays the first answer without acting again
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
        replay = client.post(
            f"/api/v1/aftersales/{aftersale.pk}/approve",
            "{}",
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        assert replay.status_code == 200
        assert replay["Idempotent-Replayed"] == "true"
        assert json.loads(replay.content) == answers[0][1]
        assert kinds(aftersale.pk) == ["created", "approved", "refunded"]


# -------------------------------------------------------------------------------------- appeals


def _ruled(world, *, outcome="no_refund", amount_fen=None, liable="buyer", now):
    """A request that CS (world.cs) ruled at `now`."""
    aftersale = open_request(world, fresh_order(world), now=now - 4 * timedelta(hours=1))
    h = timedelta(hours=1)
    actions.do_reject(aftersale.pk, reason="不同意", acting_user=world.merchant, now=now - 3 * h)
    actions.do_escalate(aftersale.pk, reason="介入", acting_user=world.buyer, now=now - 2 * h)
    actions.do_submit_evidence(aftersale.pk, statement="凭证", acting_user=world.merchant, now=now - h)
    actions.do_rule(
        aftersale.pk, outcome=outcome, amount_fen=amount_fen, liable=liable, note="判责", acting_user=world.cs, now=now
    )
    return aftersale


def test_two_parties_appealing_a_partial_refund_at_once_exactly_one_wins(world):
    from sellerdesk.aftersales.models import Appeal

    t0 = clock.now()
    for i in range(ITERATIONS):
        aftersale = _ruled(world, outcome="partial_refund", amount_fen=4000, liable="none", now=t0 + i * SECOND_)
        with slowed("sellerdesk.aftersales.actions.appeals.touch", 0.2):
            results = race(
                lambda: actions.do_appeal(aftersale.pk, reason="买家申诉", acting_user=world.buyer, now=t0),
                lambda: actions.do_appeal(aftersale.pk, reason="商家申诉", acting_user=world.merchant, now=t0),
            )
        winner = one_winner(results)
        assert results[1 - winner] == ("refused", "already_appealed")
        assert Appeal.objects.filter(aftersale=aftersale).count() == 1
        assert kinds(aftersale.pk).count("appealed") == 1


def test_an_appeal_racing_the_windows_end_is_taken_at_the_end_and_refused_one_second_after(world):
    """Two appeals of one ruling at once, stamped at the window's last second and one second
    after: whichever takes the row lock first, only the one within the window can be kept."""
    from sellerdesk.aftersales.models import Appeal
    from sellerdesk.aftersales.policy import appeal_window

    t0 = clock.now()
    for i in range(ITERATIONS):
        ruled_at = t0 + i * SECOND_
        aftersale = _ruled(world, now=ruled_at)
        end = ruled_at + appeal_window()
        with slowed("sellerdesk.aftersales.actions.appeals.touch", 0.2):
            results = race(
                lambda: actions.do_appeal(aftersale.pk, reason="一秒后", acting_user=world.buyer, now=end + SECOND_),
                lambda: actions.do_appeal(aftersale.pk, reason="最后一秒", acting_user=world.buyer, now=end),
            )
        assert results[1][0] == "ok", results
        assert results[0][1] in ("appeal_window_closed", "already_appealed"), results
        assert Appeal.objects.get(aftersale=aftersale).reason == "最后一秒"


SECOND_ = timedelta(seconds=1)


def test_an_appeals_refund_and_a_later_requests_refund_of_one_line_at_once_refund_it_once(world):
    """A ruling withheld the refund of two teapots and the buyer appealed; meanwhile they claimed
    the same teapots again. The appeal's overturn and the merchant's approval at once: the order's
    row lock takes them one after the other, and the second finds the line refunded."""
    from sellerdesk.orders.models import OrderItem

    from .test_rules_claim_lines import overturn_for_a_refund, refused_ruled_and_appealed

    cs2 = f.make_user("cs2-lines", role=Role.CS)
    h = timedelta(hours=1)
    for i in range(ITERATIONS):
        t = clock.now() + i * SECOND_
        order = f.make_order(
            shop=world.shop, buyer=world.buyer, paid_fen=62000, items=[("茶壶", 2, 6000), ("沙发", 1, 50000)]
        )
        pot = OrderItem.objects.get(order=order, title="茶壶")
        claim = [{"order_item_id": pot.pk, "quantity": 2, "amount_fen": 12000}]

        def open_claim(now):
            return actions.do_open_aftersale(
                order_id=order.pk, type="refund_only", items=claim, reason="质量问题", acting_user=world.buyer, now=now
            )

        first = open_claim(t)
        refused_ruled_and_appealed(world, first, t)
        second = open_claim(t + 5 * h)
        with slowed("sellerdesk.aftersales.actions.common._refund_claim_lines", 0.2):
            results = race(
                lambda first=first: overturn_for_a_refund(first, cs2, t + 6 * h),
                lambda second=second: actions.do_approve(second.pk, acting_user=world.merchant, now=t + 6 * h),
            )
        winner = one_winner(results)
        assert results[1 - winner] == ("refused", "claim_exceeds_line"), results
        pot.refresh_from_db()
        assert (pot.refunded_quantity, pot.refunded_fen) == (2, 12000)
        assert list(Refund.objects.filter(order=order).values_list("amount_fen", flat=True)) == [12000]
        assert_money_sound(order.pk)
