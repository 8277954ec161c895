"""The `http` rail adapter against a real payment service on 127.0.0.1 (sellerdesk/testing/rail_server.py)
speaking docs/rail-protocol.md: signed both ways, idempotent on the reference, timeouts and
refusals mapped to the rail interface (issue 9 part 1)."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from sellerdesk.payouts.models import AccountKind, InstructionState, RailInstruction
from sellerdesk.payouts.rails import AccountRef, RailRejected, RailUnavailable, RealNameCheck, get_rail
from sellerdesk.payouts.rails.http import HttpRail

from .conftest import card_number

NUMBER = card_number(9001)
T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def card(number=NUMBER, holder="张三") -> AccountRef:
    return AccountRef(
        kind=AccountKind.BANK_CARD,
        number=number,
        fingerprint="fp",
        masked=f"****{number[-4:]}",
        last4=number[-4:],
        holder_name=holder,
        bank_name="招商银行",
    )


def test_the_short_name_http_selects_the_http_adapter(http_rail):
    assert isinstance(get_rail(), HttpRail)


def test_a_payout_is_made_once_per_reference_and_a_repeat_answers_the_same_transfer(http_rail):
    rail = get_rail()
    first = rail.send_payout(card(), amount_fen=5000, reference="wd-1")
    again = rail.send_payout(card(), amount_fen=5000, reference="wd-1")
    assert first == again and (first.reference, first.amount_fen) == ("wd-1", 5000)
    assert first.transfer_id == "TR00000001"
    assert len(http_rail.transfers) == 1 and http_rail.transfers["wd-1"]["requests"] == 2
    body = http_rail.on("payouts")[0]
    assert body == {
        "reference": "wd-1",
        "amount_fen": 5000,
        "account": {
            "kind": "bank_card",
            "number": NUMBER,
            "holder_name": "张三",
            "bank_name": "招商银行",
            "is_corporate": False,
        },
    }


def test_refunds_and_micro_deposits_are_idempotent_too(http_rail):
    rail = get_rail()
    assert rail.refund(order_no="O1", amount_fen=700, reference="refund-1").amount_fen == 700
    assert rail.refund(order_no="O1", amount_fen=700, reference="refund-1").transfer_id == "TR00000001"
    assert rail.send_micro_deposit(card(), amount_fen=37, reference="acct-change-1").transfer_id == "TR00000002"
    assert rail.send_micro_deposit(card(), amount_fen=37, reference="acct-change-1").transfer_id == "TR00000002"
    assert len(http_rail.transfers) == 2


def test_the_same_reference_with_another_amount_is_refused(http_rail):
    rail = get_rail()
    rail.refund(order_no="O1", amount_fen=700, reference="refund-1")
    with pytest.raises(RailRejected) as refused:
        rail.refund(order_no="O1", amount_fen=800, reference="refund-1")
    assert refused.value.code == "reference_reused"


def test_a_rejected_account_raises_rail_rejected_with_its_code(http_rail):
    http_rail.reject_accounts[NUMBER] = "account_frozen"
    with pytest.raises(RailRejected) as refused:
        get_rail().send_payout(card(), amount_fen=5000, reference="wd-2")
    assert refused.value.code == "account_frozen" and refused.value.message == "收款账户状态异常，无法入账。"
    assert http_rail.transfers == {}


def test_a_server_that_hangs_is_rail_unavailable_maybe_sent_after_the_timeout(http_rail):
    http_rail.hang_seconds = 2  # the adapter waits 1 s
    with pytest.raises(RailUnavailable) as down:
        get_rail().send_payout(card(), amount_fen=5000, reference="wd-3")
    assert down.value.maybe_sent is True


def test_a_5xx_on_a_money_call_is_not_retried_by_the_adapter(http_rail):
    http_rail.fail_next = 1
    with pytest.raises(RailUnavailable):
        get_rail().send_payout(card(), amount_fen=5000, reference="wd-4")
    assert http_rail.transfers == {}
    assert get_rail().send_payout(card(), amount_fen=5000, reference="wd-4").transfer_id == "TR00000001"


def test_a_read_only_check_is_retried_on_5xx(http_rail):
    http_rail.open_account(AccountKind.BANK_CARD, NUMBER, "张三")
    http_rail.fail_next = 2
    assert get_rail().real_name_of(card()).holder_name == "张三"


def test_an_unreachable_rail_is_unavailable_and_not_sent(settings):
    settings.SELLERDESK_RAIL_ADAPTER = "http"
    settings.SELLERDESK_RAIL_URL, settings.SELLERDESK_RAIL_SECRET = "http://127.0.0.1:9", "whsec_c2VjcmV0"
    with pytest.raises(RailUnavailable) as down:
        get_rail().refund(order_no="O1", amount_fen=1, reference="r")
    assert down.value.maybe_sent is False


def test_an_answer_with_a_bad_signature_is_refused(http_rail):
    http_rail.bad_signature = True
    with pytest.raises(RailUnavailable) as refused:
        get_rail().send_payout(card(), amount_fen=5000, reference="wd-5")
    assert "signature" in str(refused.value) and refused.value.maybe_sent is True
    with pytest.raises(RailUnavailable):
        get_rail().real_name_of(card())


def test_a_request_signed_with_another_secret_is_refused_by_the_service(http_rail, settings):
    settings.SELLERDESK_RAIL_SECRET = "whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=="
    with pytest.raises(RailUnavailable):
        get_rail().send_payout(card(), amount_fen=5000, reference="wd-6")
    assert http_rail.unsigned_requests == 1 and http_rail.transfers == {}


def test_name_check_and_real_name_check_answer_from_the_service(http_rail):
    http_rail.open_account(AccountKind.BANK_CARD, NUMBER, "张三", id_number="110101199003074514")
    rail = get_rail()
    assert rail.real_name_of(card()).holder_name == "张三"
    assert rail.real_name_of(card(card_number(9002))) is None
    check = dict(holder_name="张三", reference="rn-1")
    assert rail.real_name_check(card(), id_number="110101199003074514", **check) == RealNameCheck.MATCH
    assert rail.real_name_check(card(), id_number="110101199003071234", **check) == RealNameCheck.NO_MATCH
    assert rail.real_name_check(card(card_number(9002)), id_number="110101199003074514", **check) == "unknown"
    sent = http_rail.on("real-name-checks")[0]
    assert sent["id_number"] == "110101199003074514" and sent["account"]["number"] == NUMBER


def test_no_account_number_is_logged(http_rail, caplog):
    caplog.set_level(logging.DEBUG)
    http_rail.open_account(AccountKind.BANK_CARD, NUMBER, "张三", id_number="110101199003074514")
    rail = get_rail()
    rail.send_payout(card(), amount_fen=5000, reference="wd-7")
    rail.real_name_check(card(), holder_name="张三", id_number="110101199003074514", reference="rn-2")
    http_rail.bad_signature = True
    with pytest.raises(RailUnavailable):
        rail.send_payout(card(), amount_fen=5000, reference="wd-8")
    assert NUMBER not in caplog.text and "110101199003074514" not in caplog.text
    assert "wd-7" in caplog.text


@pytest.mark.django_db
def test_a_refund_decided_by_an_action_goes_out_after_the_worker_runs_and_the_service_saw_it_once(http_rail, world):
    from sellerdesk.aftersales import actions as a
    from sellerdesk.aftersales.models import Refund
    from sellerdesk.payouts.actions.instructions import run_due_instructions

    x = a.do_open_aftersale(
        order_id=world.order.id,
        type="refund_only",
        amount_fen=7000,
        reason="质量问题",
        description="有裂痕",
        acting_user=world.buyer,
        now=T0,
    )
    a.do_approve(x.id, acting_user=world.merchant, now=T0 + SECOND)
    refund = Refund.objects.get(aftersale_id=x.pk)
    assert http_rail.requests == []  # decided, not sent: money leaves only after commit, by the worker

    assert run_due_instructions(now=T0 + 2 * SECOND) == 1
    assert run_due_instructions(now=T0 + 3 * SECOND) == 0
    assert http_rail.on("refunds") == [
        {"reference": refund.reference, "order_no": world.order.order_no, "amount_fen": 7000}
    ]
    assert RailInstruction.objects.get(refund=refund).state == InstructionState.SUCCEEDED
    refund.refresh_from_db()
    assert refund.status == "succeeded"
