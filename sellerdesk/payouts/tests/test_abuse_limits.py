"""Abuse limits of the account centre (issue 9): a micro-deposit is guessed within its attempts with
probability under 1% per change, and a wallet's account changes are limited per day (WeChat: 5)."""

import pytest

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts import policy

from .conftest import card_number, error_code

pytestmark = pytest.mark.django_db


def test_guessing_a_micro_deposit_within_its_attempts_succeeds_with_under_one_percent():
    assert policy.micro_deposit_attempts() / policy.micro_deposit_max_fen() < 0.01


def test_a_wallet_changes_its_account_at_most_five_times_a_day_and_is_told_when_to_retry(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    for n in range(5):
        assert seller.change_card("anxin", card_number(8100 + n)).status_code == 201
    bound = seller.wallet("anxin").account.last4

    refused = seller.change_card("anxin", card_number(8199))

    assert refused.status_code == 429 and error_code(refused) == "account_changes_throttled"
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600
    assert seller.wallet("anxin").account.last4 == bound
    assert seller.change_card("wechat", card_number(8200)).status_code == 201  # another wallet is not limited
