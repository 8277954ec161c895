"""Same subject proven, never assumed (issue 9, part 2; article: 仅支持更换与绑定主体一致).

A personal card binds at once only when the bank's real-name check (name + resident ID + card)
says it is the subject's; when the bank cannot say, the owner must read the micro-deposit sent to
it; a card bound to another subject is refused; a rail that cannot be asked refuses the change.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.models import (
    AccountChange,
    AuditAction,
    AuditLog,
    ChangeStatus,
    InstructionKind,
    RailFault,
    RailInstruction,
    WithdrawalAccount,
)

from .conftest import bank_knows_card, card_number, error_code, resident_id, run_rail_worker


def _nothing_bound(seller, channel, old_account_id):
    assert seller.wallet(channel).account_id == old_account_id


@pytest.mark.django_db
def test_another_persons_card_with_the_subjects_name_typed_does_not_bind_without_verification(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="李雷")
    old = owner.wallet("anxin").account_id
    strangers_card = card_number(8801)  # the bank has no record it could check the name and ID against
    response = owner.change_card("anxin", strangers_card, own=False)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_verification" and body["proof"] == "micro_deposit"
    assert body["attempts_left"] == 3
    _nothing_bound(owner, "anxin", old)
    assert RailInstruction.objects.filter(kind=InstructionKind.MICRO_DEPOSIT, change_id=body["id"]).count() == 1
    assert not AuditLog.objects.filter(action=AuditAction.CHANGE_COMPLETED, change_id=body["id"]).exists()


@pytest.mark.django_db
def test_a_card_the_bank_cannot_check_binds_once_the_owner_reads_the_micro_deposit(make_seller):
    owner = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    card = card_number(8802)
    change_id = owner.change_card("anxin", card, own=False).json()["id"]
    amount = owner.statement_amount(card[-4:])
    verified = owner.api.post(f"/account-changes/{change_id}/verify", {"amount_fen": amount})
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "completed" and verified.json()["proof"] == "micro_deposit"
    assert owner.wallet("anxin").account.number == card


@pytest.mark.django_db
def test_the_real_name_check_asks_the_bank_with_the_subjects_name_and_resident_id(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="韩梅梅")
    card = card_number(8803)
    bank_knows_card(card, owner.subject)  # on file with 韩梅梅's own resident ID
    response = owner.change_card("anxin", card)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed" and response.json()["proof"] == "real_name_check"
    assert AccountChange.objects.get(pk=response.json()["id"]).proof == "real_name_check"


@pytest.mark.django_db
def test_a_card_held_by_a_namesake_with_another_resident_id_is_refused(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="张伟")
    old = owner.wallet("anxin").account_id
    card = card_number(8804)
    bank_knows_card(card, owner.subject, id_number=resident_id(9_999))  # another 张伟's card
    response = owner.change_card("anxin", card)
    assert response.status_code == 422 and error_code(response) == "subject_mismatch"
    assert response.json()["error"]["details"]["source"] == "real_name_check"
    _nothing_bound(owner, "anxin", old)
    assert not AccountChange.objects.filter(wallet__subject=owner.subject).exists()


@pytest.mark.django_db
def test_an_individual_business_personal_card_goes_through_micro_deposit(make_seller):
    # The subject's number is a credit code, not the operator's resident ID: no real-name check to make.
    owner = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS)
    card = card_number(8805)
    response = owner.change_card("anxin", card)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending_verification" and response.json()["proof"] == "micro_deposit"


@pytest.mark.django_db
def test_a_card_bound_to_another_subject_is_refused(make_seller):
    first = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="王芳")
    second = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="王芳")
    card = card_number(8806)
    change_id = first.change_card("anxin", card, own=False).json()["id"]
    first.api.post(f"/account-changes/{change_id}/verify", {"amount_fen": first.statement_amount(card[-4:])})
    assert first.wallet("anxin").account.number == card
    old, accounts = second.wallet("anxin").account_id, WithdrawalAccount.objects.count()
    # The bank learnt only the holder's name from the micro-deposit: it cannot tell the two 王芳 apart.
    response = second.change_card("anxin", card, own=False)
    assert response.status_code == 409 and error_code(response) == "account_bound_to_other_subject"
    _nothing_bound(second, "anxin", old)
    assert WithdrawalAccount.objects.count() == accounts
    assert (
        AuditLog.objects.filter(
            actor=second.user, action=AuditAction.CHANGE_REFUSED, code="account_bound_to_other_subject"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_a_card_another_subject_is_verifying_is_refused(make_seller):
    first = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="王芳")
    second = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="王芳")
    card = card_number(8807)
    assert first.change_card("anxin", card, own=False).json()["status"] == "pending_verification"
    response = second.change_card("anxin", card, own=False)
    assert response.status_code == 409 and error_code(response) == "account_bound_to_other_subject"


@pytest.mark.django_db
def test_the_same_subject_may_bind_its_card_to_its_other_wallet(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    card = card_number(8808)
    assert owner.change_card("anxin", card).json()["status"] == "completed"
    assert owner.change_card("wechat", card).json()["status"] == "completed"


@pytest.mark.django_db
@pytest.mark.parametrize("operation", [RailFault.Operation.NAME_CHECK, RailFault.Operation.REAL_NAME_CHECK])
def test_a_rail_that_cannot_be_asked_refuses_the_change_and_changes_nothing(make_seller, rail, operation):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    old, accounts = owner.wallet("anxin").account_id, WithdrawalAccount.objects.count()
    card = card_number(8809)
    bank_knows_card(card, owner.subject)
    rail.fail(mode=RailFault.Mode.UNAVAILABLE, operation=operation)
    response = owner.change_card("anxin", card)
    assert response.status_code == 503 and error_code(response) == "rail_unavailable"
    _nothing_bound(owner, "anxin", old)
    assert WithdrawalAccount.objects.count() == accounts
    assert not AccountChange.objects.filter(wallet__subject=owner.subject).exists()


@pytest.mark.django_db
def test_a_refused_change_keeps_the_authenticators_failure_count(make_seller):
    """Step-up runs outside the change's transaction: a wrong code counts even though nothing else is written."""
    from .test_step_up_otp import enrolled

    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    device, _ = enrolled(owner.user)
    response = owner.change_card("anxin", card_number(8810), password=None, otp="000000")
    assert response.status_code == 401 and error_code(response) == "step_up_failed"
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1


@pytest.mark.django_db
def test_the_http_rails_real_name_check_decides_like_the_banks(make_seller, http_rail, rail_server):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="李雷")
    mine, namesakes, unknown = card_number(8811), card_number(8812), card_number(8813)
    rail_server.open_account("bank_card", mine, "李雷", id_number=owner.subject.id_number)
    rail_server.open_account("bank_card", namesakes, "李雷", id_number=resident_id(9_998))
    assert owner.change_card("anxin", mine, own=False).json()["proof"] == "real_name_check"
    refused = owner.change_card("wechat", namesakes, own=False)
    assert error_code(refused) == "subject_mismatch"
    pending = owner.change_card("wechat", unknown, own=False).json()
    assert pending["status"] == "pending_verification" and pending["proof"] == "micro_deposit"
    checks = rail_server.on("real-name-checks")
    assert len(checks) == 3 and {c["holder_name"] for c in checks} == {"李雷"}
    assert {c["id_number"] for c in checks} == {owner.subject.id_number}
    run_rail_worker()
    assert [d["account"]["number"] for d in rail_server.on("micro-deposits")] == [unknown]
    assert ChangeStatus.PENDING_VERIFICATION == AccountChange.objects.get(pk=pending["id"]).status
