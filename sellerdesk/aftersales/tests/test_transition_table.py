"""The transition table says where every action and every timeout leads, and nothing else moves a request.

(The hypothesis machine in test_state_machine.py drives random sequences of every action through
the same guard, so any write the table does not list fails it.)
"""

import pytest

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.actions.common import set_status
from sellerdesk.aftersales.actions.deadlines import TIMEOUT_EFFECTS
from sellerdesk.aftersales.models import AfterSale, AfterSaleType, Status
from sellerdesk.aftersales.states import (
    CHOICES,
    PERSON_ACTIONS,
    TABLE,
    TIMED_STATUSES,
    Action,
    Choice,
    TransitionNotInTable,
    allowed_actions,
    resolve,
)
from sellerdesk.core import clock

S = Status


def test_every_rule_of_the_table_leads_to_states_or_stays():
    for action, rules in TABLE.items():
        for status, rule in rules.items():
            assert rule.leads_to is None or rule.leads_to in CHOICES or rule.leads_to in S.values, (action, status)
            assert all(target in S.values for target in rule.targets)
            assert status not in rule.targets, f"{action} from {status} loops onto itself"


def test_timeouts_are_rows_of_the_same_table_each_with_its_effects():
    assert set(TABLE[Action.TIME_OUT]) == set(TIMED_STATUSES) == set(TIMEOUT_EFFECTS)
    assert {p for rule in TABLE[Action.TIME_OUT].values() for p in rule.parties} == {"system"}


def test_nobody_is_offered_the_timeout(world):
    aftersale = actions.do_open_aftersale(
        order_id=world.order.pk,
        type=AfterSaleType.REFUND_ONLY,
        amount_fen=100,
        reason="质量问题",
        acting_user=world.buyer,
        now=clock.now(),
    )
    for party in ("merchant", "buyer", "cs", "system"):
        assert "time_out" not in allowed_actions(aftersale, party=party, now=clock.now())
    assert Action.TIME_OUT not in PERSON_ACTIONS


def test_set_status_refuses_a_transition_the_table_does_not_list_and_writes_nothing(world):
    aftersale = actions.do_open_aftersale(
        order_id=world.order.pk,
        type=AfterSaleType.REFUND_ONLY,
        amount_fen=100,
        reason="质量问题",
        acting_user=world.buyer,
        now=clock.now(),
    )
    version = aftersale.version
    with pytest.raises(TransitionNotInTable):
        set_status(aftersale, S.REFUNDED, action=Action.REJECT, now=clock.now())  # reject leads to 商家已拒绝
    with pytest.raises(TransitionNotInTable):
        set_status(aftersale, S.CLOSED, action=Action.RULE, now=clock.now())  # no ruling before a dispute
    fresh = AfterSale.objects.get(pk=aftersale.pk)
    assert (fresh.status, fresh.version) == (S.AWAITING_MERCHANT, version)


@pytest.mark.parametrize(
    "type_,tracking_no,expected",
    [
        (AfterSaleType.REFUND_ONLY, "", S.REFUNDED),
        (AfterSaleType.RETURN_REFUND, "", S.AWAITING_RETURN),
        (AfterSaleType.RETURN_REFUND, "SF123", S.REFUNDED),
    ],
)
def test_agreeing_refunds_now_unless_the_goods_must_come_back_first(type_, tracking_no, expected):
    aftersale = AfterSale(type=type_, return_tracking_no=tracking_no)
    assert resolve(Choice.REFUND_OR_AWAIT_RETURN, aftersale) == expected
    assert expected in CHOICES[Choice.REFUND_OR_AWAIT_RETURN]


def test_a_ruling_that_refunds_nothing_closes_the_request():
    assert resolve(Choice.RULING_OUTCOME, AfterSale(), refunds=True) == S.REFUNDED
    assert resolve(Choice.RULING_OUTCOME, AfterSale(), refunds=False) == S.CLOSED
