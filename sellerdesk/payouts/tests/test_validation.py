"""Bad input on a change: each failure its own code, and nothing changes."""

import pytest
from django.test import override_settings

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.models import AccountChange, AccountKind, AuditAction, AuditLog, WithdrawalAccount

from .conftest import PASSWORD, card_number, corporate_number, error_code


@pytest.fixture
def person(make_seller):
    return make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)


def _refused(seller, response, status, code, channel="anxin"):
    assert response.status_code == status, response.content
    assert error_code(response) == code
    assert response.json()["error"]["message"]
    assert not AccountChange.objects.filter(wallet__subject=seller.subject).exists()


@pytest.mark.django_db
def test_card_number_failing_luhn_is_refused(person):
    good = card_number(1234)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    _refused(person, person.change_card("anxin", bad), 400, "card_number_checksum")


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["62220212345678a0", "6222-0212-3456-78O0", "６２２２０２１２３４５６７８X"])
def test_letters_in_card_number_are_refused(person, number):
    _refused(person, person.change_card("anxin", number), 400, "card_number_not_digits")


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["62220212345", "62220212345678901234"])
def test_card_number_of_wrong_length_is_refused(person, number):
    _refused(person, person.change_card("anxin", number), 400, "card_number_length")


@pytest.mark.django_db
def test_card_number_with_spaces_and_full_width_digits_is_accepted(person):
    card = card_number(1300)
    typed = " ".join(card[i : i + 4] for i in range(0, 16, 4)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    response = person.change_card("anxin", typed)
    assert response.status_code == 201, response.content
    assert person.wallet("anxin").account.number == card


@pytest.mark.django_db
def test_missing_card_number_is_refused(person):
    _refused(person, person.change("anxin", holder_name="李雷", bank_name="中国银行"), 400, "account_no_required")


@pytest.mark.django_db
def test_bank_name_is_required(person):
    _refused(person, person.change_card("anxin", card_number(1400), bank="  "), 400, "bank_name_required")


@pytest.mark.django_db
def test_holder_name_is_required(person):
    _refused(person, person.change_card("anxin", card_number(1500), holder=""), 400, "holder_name_required")


@pytest.mark.django_db
def test_corporate_account_numbers_have_their_own_rules(merchant):
    # 20 digits that fail Luhn are fine for a corporate account…
    number = corporate_number(1600)
    assert merchant.change_card("anxin", number, corporate=True).status_code == 201
    AccountChange.objects.all().update(status="cancelled")
    # …but not letters or a length outside 9..30.
    _bad = merchant.change_card("anxin", "11006014901A", corporate=True)
    assert _bad.status_code == 400 and error_code(_bad) == "account_number_not_digits"
    short = merchant.change_card("anxin", "12345678", corporate=True)
    assert short.status_code == 400 and error_code(short) == "account_number_length"


# --- Alipay ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["alipay-user", "12345", "23800138000", "user@", "138 0013 800", "@example.cn"])
def test_alipay_account_that_is_neither_phone_nor_email_is_refused(merchant, value):
    _refused(merchant, merchant.change("alipay", alipay_account=value), 400, "alipay_account_invalid", "alipay")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [SubjectKind.INDIVIDUAL, SubjectKind.INDIVIDUAL_BUSINESS])
@pytest.mark.parametrize("value", ["13900139000", "+8613900139000", "Shop.Owner@Example.CN"])
def test_alipay_phone_or_email_of_the_same_subject_is_bound(make_seller, rail, kind, value):
    seller = make_seller(Role.MERCHANT, kind)
    canonical = value.replace("+86", "").lower()
    rail.open_account(kind=AccountKind.ALIPAY, number=canonical, holder_name=seller.subject.legal_name)
    response = seller.change("alipay", alipay_account=value)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed"
    assert seller.wallet("alipay").account.number == canonical
    assert canonical not in response.content.decode().lower()


@pytest.mark.django_db
def test_enterprise_alipay_must_be_corporate(merchant, rail):
    rail.open_account(kind=AccountKind.ALIPAY, number="13700137000", holder_name=merchant.subject.legal_name)
    response = merchant.change("alipay", alipay_account="13700137000")
    _refused(merchant, response, 422, "corporate_alipay_required", "alipay")
    assert "请先去支付宝注册" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_enterprise_corporate_alipay_in_its_name_is_bound(merchant, rail):
    rail.open_account(
        kind=AccountKind.ALIPAY,
        number="pay@haowu.example.cn",
        holder_name="杭州好物（滨江）科技有限公司",
        is_corporate=True,
    )
    response = merchant.change("alipay", alipay_account="pay@haowu.example.cn")
    assert response.status_code == 201 and response.json()["status"] == "completed"
    assert response.json()["new_account"]["holder_name"] == "杭州好物（滨江）科技有限公司"


@pytest.mark.django_db
def test_alipay_real_name_of_another_subject_is_refused(make_seller, rail):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    rail.open_account(kind=AccountKind.ALIPAY, number="13600136000", holder_name="王小明")
    response = seller.change("alipay", alipay_account="13600136000")
    _refused(seller, response, 422, "subject_mismatch", "alipay")
    assert response.json()["error"]["details"]["source"] == "alipay_real_name"


@pytest.mark.django_db
def test_alipay_account_unknown_to_alipay_is_refused(merchant):
    _refused(merchant, merchant.change("alipay", alipay_account="13500135000"), 422, "alipay_account_not_found")


@pytest.mark.django_db
def test_card_sent_to_the_alipay_wallet_is_not_an_alipay_account(merchant):
    response = merchant.change_card("alipay", card_number(1700))
    _refused(merchant, response, 400, "alipay_account_required", "alipay")


# --- step-up ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_step_up_password_is_refused_and_audited(person):
    old, before = person.wallet("anxin").account_id, WithdrawalAccount.objects.count()
    response = person.change_card("anxin", card_number(1800), password="not my password")
    assert response.status_code == 401 and error_code(response) == "step_up_failed"
    assert person.wallet("anxin").account_id == old
    assert WithdrawalAccount.objects.count() == before
    entry = AuditLog.objects.get(action=AuditAction.STEP_UP_FAILED)
    assert entry.actor == person.user and entry.success is False and entry.ip == "203.0.113.7"


@pytest.mark.django_db
def test_change_without_step_up_is_refused(person):
    response = person.change_card("anxin", card_number(1900), password="")
    assert response.status_code == 401 and error_code(response) == "step_up_required"


@pytest.mark.django_db
def test_one_time_code_is_refused_where_not_configured(person):
    response = person.change_card("anxin", card_number(1950), password="", otp="123456")
    assert response.status_code == 409 and error_code(response) == "step_up_method_unavailable"


@pytest.mark.django_db
@override_settings(SELLERDESK_STEP_UP_FAILURE_LIMIT=3)
def test_repeated_step_up_failures_are_throttled_even_for_the_right_password(person):
    codes = [error_code(person.change_card("anxin", card_number(2000), password="guess")) for _ in range(3)]
    assert codes == ["step_up_failed"] * 3
    response = person.change_card("anxin", card_number(2000), password=PASSWORD)
    assert response.status_code == 429 and error_code(response) == "step_up_throttled"
    assert int(response["Retry-After"]) > 0
    assert not AccountChange.objects.exists()


@pytest.mark.django_db
def test_verify_amount_out_of_range_is_bad_input_and_costs_no_attempt(merchant):
    body = merchant.change_card("anxin", corporate_number(2100), corporate=True).json()
    response = merchant.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": 1000})
    assert response.status_code == 400 and error_code(response) == "invalid_input"
    assert AccountChange.objects.get(pk=body["id"]).attempts_left == 3
