"""The change body's OpenAPI schema says what the checks accept: every value its shapes allow passes
check_bank_account / check_alipay_account (a personal card once its Luhn digit is right, which the
schema cannot say), so a client's generated valid body is refused only for what the schema cannot
say (Luhn, the wallet's kind, the caller's subject; docs/decisions.md)."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from sellerdesk.payouts.checks import check_alipay_account, check_bank_account
from sellerdesk.payouts.models import AccountKind, Channel
from sellerdesk.payouts.schemas import ALIPAY_ACCOUNT, CORPORATE_ACCOUNT, PERSONAL_CARD

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PATH = "/api/v1/wallets/{channel}/account-changes"


def _pattern(shape, name):
    return shape["properties"][name]["pattern"]


def _text(shape, name, max_size):
    return st.from_regex(_pattern(shape, name)).filter(lambda s: 1 <= len(s) <= max_size)


@FAST
@given(
    number=st.from_regex(_pattern(PERSONAL_CARD, "account_no"), fullmatch=True),
    holder=_text(PERSONAL_CARD, "holder_name", 120),
    bank=st.sampled_from(PERSONAL_CARD["properties"]["bank_name"]["enum"]),
)
def test_every_personal_card_the_schema_allows_is_accepted_once_luhn_holds(number, holder, bank):
    number = number.strip()
    number = number[:-1] + luhn.calc_check_digit(number[:-1])
    new = check_bank_account(account_no=number, holder_name=holder, bank_name=bank, is_corporate=False)
    assert (new.kind, new.number, new.is_corporate) == (AccountKind.BANK_CARD, number, False)


@FAST
@given(
    number=st.from_regex(_pattern(CORPORATE_ACCOUNT, "account_no"), fullmatch=True),
    holder=_text(CORPORATE_ACCOUNT, "holder_name", 120),
    bank=st.sampled_from(CORPORATE_ACCOUNT["properties"]["bank_name"]["enum"]),
)
def test_every_corporate_account_the_schema_allows_is_accepted(number, holder, bank):
    new = check_bank_account(account_no=number, holder_name=holder, bank_name=bank, is_corporate=True)
    assert new.is_corporate and new.number == number.strip()


@FAST
@given(
    account=st.from_regex(_pattern(ALIPAY_ACCOUNT, "alipay_account"), fullmatch=True).filter(lambda s: len(s) <= 254)
)
def test_every_alipay_account_the_schema_allows_is_accepted(account):
    assert check_alipay_account(account).kind == AccountKind.ALIPAY


@pytest.mark.parametrize(
    "value", ["13800138000", "+8613800138000", "finance@merchant-demo.example.cn", "a.b+c@x-y.example.com"]
)
def test_the_alipay_pattern_takes_mobiles_and_emails(value):
    assert re.search(_pattern(ALIPAY_ACCOUNT, "alipay_account"), value)


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "a@b", "a..b@x.cn", "a@-x.cn", "a@x.c"])
def test_the_alipay_pattern_refuses_what_the_check_refuses(value):
    assert not re.search(_pattern(ALIPAY_ACCOUNT, "alipay_account"), value)


def test_the_document_lists_the_three_shapes_and_the_channels():
    from sellerdesk.api import api

    document = api.get_openapi_schema()
    operation = document["paths"][PATH]["post"]
    body = document["components"]["schemas"]["ChangeIn"]
    assert [shape["title"] for shape in body["anyOf"]] == [
        PERSONAL_CARD["title"],
        CORPORATE_ACCOUNT["title"],
        ALIPAY_ACCOUNT["title"],
    ]
    channel = next(p for p in operation["parameters"] if p["name"] == "channel")
    assert channel["schema"]["enum"] == list(Channel.values)
    assert "Luhn" in operation["description"] and "subject_mismatch" in operation["description"]
