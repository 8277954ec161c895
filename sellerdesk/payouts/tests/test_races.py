"""Two requests at once on one wallet or one change (PostgreSQL only: real row locks and threads)."""

import pytest
from django.db import connection

from sellerdesk.events.models import OutboxEvent
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.actions import (
    ChangeRequest,
    do_request_change,
    do_verify_change,
)
from sellerdesk.payouts.models import AccountChange, AuditAction, AuditLog, ChangeStatus

from .conftest import PASSWORD, card_number, corporate_number, race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need real concurrent transactions: run with DATABASE_URL=postgres://…",
    ),
]


def test_two_corporate_changes_at_once_leave_exactly_one_pending(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    for n in range(3):

        def attempt(number=corporate_number(9500 + n)):
            return do_request_change(
                acting_user=seller.user,
                channel="anxin",
                request=ChangeRequest(
                    account_no=number,
                    holder_name=seller.subject.legal_name,
                    bank_name="中国银行",
                    is_corporate=True,
                    password=PASSWORD,
                ),
            ).status

        results = race(attempt, attempt)
        assert sorted(results) == ["change_already_pending", ChangeStatus.PENDING_VERIFICATION]
        assert AccountChange.objects.filter(status=ChangeStatus.PENDING_VERIFICATION).count() == 1
        AccountChange.objects.update(status=ChangeStatus.CANCELLED)


def test_two_right_answers_at_once_complete_the_change_once(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    number = corporate_number(9600)
    change_id = seller.change_card("anxin", number, corporate=True).json()["id"]
    amount = seller.statement_amount(number[-4:])

    def verify():
        return do_verify_change(acting_user=seller.user, change_id=change_id, amount_fen=amount).status

    assert sorted(race(verify, verify)) == ["change_not_pending", ChangeStatus.COMPLETED]
    assert AuditLog.objects.filter(change_id=change_id, action=AuditAction.CHANGE_COMPLETED).count() == 1
    assert OutboxEvent.objects.filter(topic="payout_account.changed").count() == 1
    assert seller.wallet("anxin").account.last4 == number[-4:]


def test_concurrent_wrong_answers_never_grant_more_than_three_attempts(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    number = corporate_number(9700)
    change_id = seller.change_card("anxin", number, corporate=True).json()["id"]
    wrong = seller.statement_amount(number[-4:]) % 99 + 1

    def verify():
        return do_verify_change(acting_user=seller.user, change_id=change_id, amount_fen=wrong)

    results = race(*[verify] * 6)
    assert sorted(results) == ["change_not_pending"] * 3 + ["verification_failed"] * 3
    assert AuditLog.objects.filter(change_id=change_id, action=AuditAction.VERIFICATION_FAILED).count() == 3
    assert AccountChange.objects.get(pk=change_id).status == ChangeStatus.FAILED


def test_two_subjects_claiming_one_card_at_once_leave_one_claim(make_seller):
    first = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="王芳")
    second = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="王芳")
    number = card_number(9700)  # the bank cannot say whose: each would wait for a micro-deposit

    def claim(seller):
        return lambda: (
            do_request_change(
                acting_user=seller.user,
                channel="anxin",
                request=ChangeRequest(account_no=number, holder_name="王芳", bank_name="中国银行", password=PASSWORD),
            ).status
        )

    results = race(claim(first), claim(second))
    assert sorted(results) == ["account_bound_to_other_subject", ChangeStatus.PENDING_VERIFICATION]
    assert AccountChange.objects.filter(new_account__last4=number[-4:]).count() == 1
