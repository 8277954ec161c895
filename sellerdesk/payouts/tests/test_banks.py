"""开户银行 from a closed list (issue 12, item 6; docs/decisions.md): the page's select, the API's
enum and the server's check are one list (banks.py); a bank not on it is refused on every path,
a listed short name is stored as the full name, and the card's BIN only suggests."""

import pytest
from stdnum import luhn

from sellerdesk.core.errors import InvalidInput
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.banks import ACCEPTED_NAMES, BANKS, bank_choices, bank_named, suggest_bank
from sellerdesk.payouts.checks import bank_account_problems, check_bank_account, check_bank_name
from sellerdesk.payouts.models import AccountChange
from sellerdesk.payouts.schemas import CORPORATE_ACCOUNT, PERSONAL_CARD

from .conftest import card_number, error_code


def test_every_listed_bank_is_accepted_under_its_full_name():
    assert [check_bank_name(bank.name) for bank in BANKS] == [bank.name for bank in BANKS]


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("工商银行", "中国工商银行"),
        ("工行", "中国工商银行"),
        ("建行", "中国建设银行"),
        ("邮储银行", "中国邮政储蓄银行"),
        (" 招商银行 ", "招商银行"),
    ],
)
def test_a_listed_short_name_is_accepted_and_stored_as_the_full_name(typed, stored):
    assert check_bank_name(typed) == stored


@pytest.mark.parametrize("typed", ["测试银行", "Bank of Nowhere", "中国工商银行股份有限公司北京分行", "ICBC", "银行"])
def test_a_bank_not_on_the_list_is_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        check_bank_name(typed)
    assert refused.value.code == "bank_name_unknown"


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_no_bank_is_bank_name_required(typed):
    with pytest.raises(InvalidInput) as refused:
        check_bank_name(typed)
    assert refused.value.code == "bank_name_required"


def test_the_api_enum_is_the_accepted_names():
    for shape in (PERSONAL_CARD, CORPORATE_ACCOUNT):
        assert shape["properties"]["bank_name"]["enum"] == list(ACCEPTED_NAMES)
    assert {bank_named(name).name for name in ACCEPTED_NAMES} == {bank.name for bank in BANKS}


def test_the_select_offers_exactly_the_listed_banks():
    assert [value for value, _ in bank_choices()] == [bank.name for bank in BANKS]


@pytest.mark.parametrize(
    "number,bank",
    [
        ("6222020200123456", "中国工商银行"),
        ("6227001234567890", "中国建设银行"),
        ("6228481234567890123", "中国农业银行"),
        ("6225881234567890", "招商银行"),
        ("6222 0202 0012 3456", "中国工商银行"),
    ],
)
def test_the_card_bin_suggests_its_bank(number, bank):
    assert suggest_bank(number).name == bank


@pytest.mark.parametrize("number", ["", "1234", "110060149018000654321", "9999999999999999"])
def test_an_unknown_bin_suggests_nothing(number):
    assert suggest_bank(number) is None


def test_a_bin_suggestion_does_not_bind_the_choice():
    """The table is not authoritative: a card with 中国工商银行's BIN may be declared at another listed bank."""
    icbc = "622202020012345"
    icbc += luhn.calc_check_digit(icbc)
    assert suggest_bank(icbc).name == "中国工商银行"
    new = check_bank_account(account_no=icbc, holder_name="李雷", bank_name="招商银行", is_corporate=False)
    assert new.bank_name == "招商银行"


def test_bank_account_problems_lists_every_problem_in_the_order_the_check_raises_them():
    problems = bank_account_problems(account_no="12", holder_name=" ", bank_name="测试银行", is_corporate=False)
    assert [p.code for p in problems] == ["card_number_length", "bank_name_unknown", "holder_name_required"]
    assert (
        bank_account_problems(account_no=card_number(3), holder_name="李雷", bank_name="工行", is_corporate=False) == []
    )


@pytest.mark.django_db
def test_the_api_refuses_a_bank_not_on_the_list_and_changes_nothing(make_seller):
    person = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    response = person.change_card("anxin", card_number(1500), bank="测试银行")
    assert response.status_code == 400 and error_code(response) == "bank_name_unknown"
    assert not AccountChange.objects.filter(wallet__subject=person.subject).exists()


@pytest.mark.django_db
def test_the_api_stores_a_listed_short_name_as_the_full_name(make_seller):
    person = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    response = person.change_card("anxin", card_number(1600), bank="工行")
    assert response.status_code in (200, 201), response.content
    assert AccountChange.objects.get(wallet__subject=person.subject).new_account.bank_name == "中国工商银行"
