"""Changing a withdrawal account: same subject only, micro-deposit for corporate accounts."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from sellerdesk.core import clock
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.actions import do_request_withdrawal
from sellerdesk.payouts.models import (
    AccountChange,
    AuditAction,
    AuditLog,
    ChangeStatus,
    Withdrawal,
    WithdrawalAccount,
    WithdrawalStatus,
)

from .conftest import IP, PASSWORD, UA, card_number, corporate_number, error_code

T0 = "2026-03-02 08:00:00+00:00"


def _assert_nothing_changed(seller, channel, old_account_id, accounts_before):
    assert seller.wallet(channel).account_id == old_account_id
    assert WithdrawalAccount.objects.count() == accounts_before
    assert not AccountChange.objects.filter(wallet__subject=seller.subject).exists()


# --- same subject ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_card_is_never_bound_to_b_wallet(make_seller):
    a = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="李雷")
    b = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="韩梅梅")
    a_card = card_number(5001)
    assert a.change_card("anxin", a_card).json()["status"] == "completed"
    old, before = b.wallet("anxin").account_id, WithdrawalAccount.objects.count()

    typed_as_a = b.change_card("anxin", a_card, holder="李雷")
    assert typed_as_a.status_code == 422 and error_code(typed_as_a) == "subject_mismatch"
    # Lying about the holder does not help: the bank's name check says the card is 李雷's.
    typed_as_b = b.change_card("anxin", a_card, holder="韩梅梅")
    assert typed_as_b.status_code == 422 and error_code(typed_as_b) == "subject_mismatch"
    assert typed_as_b.json()["error"]["details"]["source"] == "bank_name_check"
    _assert_nothing_changed(b, "anxin", old, before)
    refusals = AuditLog.objects.filter(actor=b.user, action=AuditAction.CHANGE_REFUSED, code="subject_mismatch")
    assert refusals.count() == 2
    assert {(r.ip, r.user_agent) for r in refusals} == {(IP, UA)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,kind,channel,corporate",
    [
        (Role.MERCHANT, SubjectKind.INDIVIDUAL, "anxin", False),
        (Role.MERCHANT, SubjectKind.INDIVIDUAL, "wechat", False),
        (Role.MERCHANT, SubjectKind.INDIVIDUAL_BUSINESS, "anxin", True),
        (Role.MERCHANT, SubjectKind.ENTERPRISE, "anxin", True),
        (Role.MERCHANT, SubjectKind.ENTERPRISE, "wechat", True),
        (Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, "anxin", False),
        (Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS, "wechat", False),
        (Role.DISTRIBUTOR, SubjectKind.ENTERPRISE, "anxin", True),
    ],
)
def test_holder_of_another_subject_is_refused_for_each_role_subject_and_channel(
    make_seller, role, kind, channel, corporate
):
    seller = make_seller(role, kind)
    old, before = seller.wallet(channel).account_id, WithdrawalAccount.objects.count()
    number = corporate_number(6001) if corporate else card_number(6001)
    response = seller.change_card(channel, number, holder="王小明", corporate=corporate)
    assert response.status_code == 422
    assert error_code(response) == "subject_mismatch"
    _assert_nothing_changed(seller, channel, old, before)


@pytest.mark.django_db
def test_holder_name_matches_across_full_and_half_width_brackets_and_spaces(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="杭州好物（滨江）科技有限公司")
    response = seller.change_card(
        "anxin", corporate_number(6100), holder=" 杭州好物（滨江） 科技有限公司", corporate=True
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending_verification"


@pytest.mark.django_db
def test_individual_subject_cannot_bind_a_corporate_account(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    old, before = seller.wallet("anxin").account_id, WithdrawalAccount.objects.count()
    response = seller.change_card("anxin", corporate_number(6200), corporate=True)
    assert response.status_code == 422 and error_code(response) == "corporate_not_allowed"
    _assert_nothing_changed(seller, "anxin", old, before)


@pytest.mark.django_db
def test_enterprise_must_bind_a_corporate_account(merchant):
    response = merchant.change_card("anxin", card_number(6300))
    assert response.status_code == 422 and error_code(response) == "corporate_account_required"


@pytest.mark.django_db
def test_a_namesakes_card_is_refused_by_the_banks_real_name_check(make_seller):
    first = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="王芳")
    second = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="王芳")  # namesake, other ID
    card = card_number(6400)
    assert first.change_card("anxin", card).json()["status"] == "completed"
    old, before = second.wallet("anxin").account_id, WithdrawalAccount.objects.count()
    response = second.change_card("anxin", card)  # the bank knows it as the first 王芳's
    assert response.status_code == 422 and error_code(response) == "subject_mismatch"
    assert response.json()["error"]["details"]["source"] == "real_name_check"
    _assert_nothing_changed(second, "anxin", old, before)


# --- personal cards, completed at once ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,kind,channel",
    [
        (Role.MERCHANT, SubjectKind.INDIVIDUAL, "anxin"),
        (Role.MERCHANT, SubjectKind.INDIVIDUAL, "wechat"),
        (Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, "anxin"),
    ],
)
def test_personal_card_the_bank_confirms_for_the_subject_is_bound_at_once(make_seller, role, kind, channel):
    seller = make_seller(role, kind)
    old = seller.wallet(channel).account
    card = card_number(7001)
    response = seller.change_card(channel, card)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "completed" and body["attempts_left"] is None
    assert body["proof"] == "real_name_check"
    assert body["new_account"]["masked"] == f"**** {card[-4:]}"
    assert body["old_account"]["last4"] == old.last4
    assert seller.wallet(channel).account.number == card
    assert seller.wallets()[channel]["account"]["last4"] == card[-4:]


@pytest.mark.django_db
def test_change_is_audited_notified_and_emitted_in_the_same_transaction(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    card = card_number(7100)
    change_id = seller.change_card("anxin", card).json()["id"]
    entries = AuditLog.objects.filter(change_id=change_id).order_by("id")
    assert [e.action for e in entries] == [AuditAction.CHANGE_REQUESTED, AuditAction.CHANGE_COMPLETED]
    assert all(e.ip == IP and e.user_agent == UA and e.actor == seller.user for e in entries)
    note = Notification.objects.get(user=seller.user, topic="payout_account.changed")
    assert card[-4:] in note.body and card not in note.body
    event = OutboxEvent.objects.get(topic="payout_account.changed")
    assert event.payload["change_id"] == change_id and event.payload["account"] == f"**** {card[-4:]}"


@pytest.mark.django_db
def test_same_account_again_is_refused(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    card = card_number(7200)
    seller.change_card("anxin", card)
    response = seller.change_card("anxin", card)
    assert response.status_code == 409 and error_code(response) == "same_account"


@pytest.mark.django_db
def test_idempotency_key_replays_the_change_instead_of_making_two(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    body = {
        "account_no": card_number(7300),
        "holder_name": seller.subject.legal_name,
        "bank_name": "招商银行",
        "password": "correct horse battery staple",
    }
    first = seller.api.post("/wallets/anxin/account-changes", body, **{"Idempotency-Key": "k-1"})
    second = seller.api.post("/wallets/anxin/account-changes", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert AccountChange.objects.count() == 1


# --- corporate accounts: micro-deposit verification ------------------------------------------


def _start_corporate(seller, n=8000, channel="anxin"):
    number = corporate_number(n)
    response = seller.change_card(channel, number, corporate=True, bank="中国建设银行")
    assert response.status_code == 201, response.content
    return response.json(), number


@pytest.mark.django_db
def test_corporate_change_stays_pending_and_old_account_stays_bound_until_right_amount(merchant):
    old = merchant.wallet("anxin").account
    with time_machine.travel(T0, tick=False):
        body, number = _start_corporate(merchant)
        assert body["status"] == "pending_verification"
        assert body["attempts_left"] == 3
        assert body["expires_at"] == "2026-03-04T08:00:00Z"
        wallets = merchant.wallets()
        assert wallets["anxin"]["account"]["last4"] == old.last4
        assert wallets["anxin"]["pending_change_id"] == body["id"]

        amount = merchant.statement_amount(number[-4:])
        assert 1 <= amount <= 999
        wrong = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount % 99 + 1})
        assert wrong.status_code == 422 and error_code(wrong) == "verification_failed"
        assert wrong.json()["error"]["details"]["attempts_left"] == 2
        assert merchant.wallet("anxin").account_id == old.pk
        # A withdrawal made while the change is pending goes to the old account.
        withdrawal = do_request_withdrawal(
            acting_user=merchant.user, channel="anxin", amount_fen=1000, password=PASSWORD
        )
        assert withdrawal.account_id == old.pk

        right = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount})
        assert right.status_code == 200, right.content
        assert right.json()["status"] == "completed"
    wallet = merchant.wallet("anxin")
    assert wallet.account.number == number and wallet.account.is_corporate
    assert merchant.wallets()["anxin"]["account"]["masked"] == f"**** {number[-4:]}"
    assert OutboxEvent.objects.filter(topic="payout_account.changed").count() == 1
    assert Notification.objects.filter(user=merchant.user, topic="payout_account.changed").count() == 1
    actions = list(AuditLog.objects.filter(change_id=body["id"]).order_by("id").values_list("action", flat=True))
    assert actions == [
        AuditAction.CHANGE_REQUESTED,
        AuditAction.MICRO_DEPOSIT_SENT,
        AuditAction.VERIFICATION_FAILED,
        AuditAction.CHANGE_COMPLETED,
    ]


@pytest.mark.django_db
def test_three_wrong_amounts_fail_the_change(merchant):
    old = merchant.wallet("anxin").account_id
    body, number = _start_corporate(merchant)
    amount = merchant.statement_amount(number[-4:])
    wrong = amount % 99 + 1
    answers = [merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": wrong}) for _ in range(3)]
    assert [r.json()["error"]["details"]["attempts_left"] for r in answers] == [2, 1, 0]
    assert answers[-1].json()["error"]["details"]["status"] == "failed"
    change = merchant.api.get(f"/account-changes/{body['id']}").json()
    assert change["status"] == "failed" and change["failure_reason"] == "attempts_exhausted"
    late = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount})
    assert late.status_code == 409 and error_code(late) == "change_not_pending"
    assert merchant.wallet("anxin").account_id == old
    assert Notification.objects.filter(user=merchant.user, topic="payout_account.change_failed").count() == 1


@pytest.mark.django_db
def test_expiry_fails_the_change(merchant):
    old = merchant.wallet("anxin").account_id
    with time_machine.travel(T0, tick=False) as traveller:
        body, _ = _start_corporate(merchant)
        traveller.move_to("2026-03-04 08:00:00+00:00")  # exactly at expires_at: still pending
        assert merchant.api.get(f"/account-changes/{body['id']}").json()["status"] == "pending_verification"
        traveller.move_to("2026-03-04 08:00:01+00:00")
        change = merchant.api.get(f"/account-changes/{body['id']}").json()
        assert change["status"] == "failed" and change["failure_reason"] == "expired"
        assert merchant.wallets()["anxin"]["pending_change_id"] is None
        from sellerdesk.payouts.actions import do_expire_changes

        assert do_expire_changes() == 1
        assert do_expire_changes() == 0
    assert AccountChange.objects.get(pk=body["id"]).status == ChangeStatus.FAILED
    assert merchant.wallet("anxin").account_id == old


@pytest.mark.django_db
def test_right_amount_after_expiry_is_refused(merchant):
    old = merchant.wallet("anxin").account_id
    with time_machine.travel(T0, tick=False) as traveller:
        body, number = _start_corporate(merchant)
        amount = merchant.statement_amount(number[-4:])
        traveller.move_to("2026-03-04 08:00:01+00:00")
        response = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount})
        assert response.status_code == 409 and error_code(response) == "verification_expired"
    change = AccountChange.objects.get(pk=body["id"])
    assert change.status == ChangeStatus.FAILED and change.failure_reason == "expired"
    assert merchant.wallet("anxin").account_id == old


@pytest.mark.django_db
def test_right_amount_at_the_exact_expiry_second_is_accepted(merchant):
    with time_machine.travel(T0, tick=False) as traveller:
        body, number = _start_corporate(merchant)
        amount = merchant.statement_amount(number[-4:])
        traveller.move_to("2026-03-04 08:00:00+00:00")
        response = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount})
        assert response.status_code == 200 and response.json()["status"] == "completed"


@pytest.mark.django_db
@override_settings(SELLERDESK_MICRO_DEPOSIT_ATTEMPTS=5, SELLERDESK_MICRO_DEPOSIT_TTL_SECONDS=3600)
def test_attempts_and_expiry_follow_policy_settings(merchant):
    with time_machine.travel(T0, tick=False):
        body, _ = _start_corporate(merchant)
    assert body["attempts_left"] == 5 and body["expires_at"] == "2026-03-02T09:00:00Z"


@pytest.mark.django_db
def test_second_change_while_one_is_pending_is_refused_until_cancelled(merchant):
    body, _ = _start_corporate(merchant, 8100)
    again = merchant.change_card("anxin", corporate_number(8101), corporate=True)
    assert again.status_code == 409 and error_code(again) == "change_already_pending"
    assert again.json()["error"]["details"]["change_id"] == body["id"]
    cancelled = merchant.api.post(f"/account-changes/{body['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert merchant.change_card("anxin", corporate_number(8101), corporate=True).status_code == 201


@pytest.mark.django_db
def test_micro_deposits_are_throttled_per_wallet_per_day(merchant):
    for n in range(3):
        body, _ = _start_corporate(merchant, 8200 + n)
        merchant.api.post(f"/account-changes/{body['id']}/cancel")
    response = merchant.change_card("anxin", corporate_number(8299), corporate=True)
    assert response.status_code == 429 and error_code(response) == "micro_deposit_throttled"
    assert response["Retry-After"] == str(24 * 3600)
    assert AccountChange.objects.filter(status=ChangeStatus.PENDING_VERIFICATION).count() == 0


# --- withdrawals in flight ---------------------------------------------------------------------


@pytest.mark.django_db
def test_withdrawal_in_flight_keeps_the_account_it_was_made_to(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    old = seller.wallet("anxin").account
    response = seller.api.post("/wallets/anxin/withdrawals", {"amount_fen": 5000, "password": PASSWORD})
    assert response.status_code == 201 and response.json()["status"] == "processing"
    assert response.json()["account"]["last4"] == old.last4
    seller.change_card("anxin", card_number(9001))
    withdrawal = Withdrawal.objects.get(pk=response.json()["id"])
    assert withdrawal.account_id == old.pk
    assert seller.wallet("anxin").account.last4 == card_number(9001)[-4:]
    assert seller.wallet("anxin").balance_fen == 95_000


@pytest.mark.django_db
def test_withdrawal_beyond_balance_is_refused(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    response = seller.api.post("/wallets/anxin/withdrawals", {"amount_fen": 100_001, "password": PASSWORD})
    assert response.status_code == 409 and error_code(response) == "insufficient_balance"
    assert seller.wallet("anxin").balance_fen == 100_000


@pytest.mark.django_db
def test_cool_off_is_off_by_default_and_holds_withdrawals_to_a_new_account_when_set(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    with time_machine.travel(T0, tick=False) as traveller:
        seller.change_card("anxin", card_number(9100))
        assert (
            seller.api.post("/wallets/anxin/withdrawals", {"amount_fen": 100, "password": PASSWORD}).json()["status"]
            == "processing"
        )
        with override_settings(SELLERDESK_PAYOUT_COOLOFF_SECONDS=86400):
            held = seller.api.post("/wallets/anxin/withdrawals", {"amount_fen": 100, "password": PASSWORD}).json()
            assert held["status"] == "held" and held["held_until"] == "2026-03-03T08:00:00Z"
            traveller.move_to(clock.now() + timedelta(days=1, seconds=1))
            assert (
                seller.api.post("/wallets/anxin/withdrawals", {"amount_fen": 100, "password": PASSWORD}).json()[
                    "status"
                ]
                == "processing"
            )
    assert Withdrawal.objects.filter(status=WithdrawalStatus.HELD).count() == 1
