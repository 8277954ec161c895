"""One way to say an error: every code of every app has a message in both languages, read from its details."""

import pytest
from django.utils import translation

from sellerdesk.aftersales.error_codes import AfterSaleErrorCode
from sellerdesk.core.error_codes import CoreErrorCode
from sellerdesk.core.errors import Conflict, ErrorCode
from sellerdesk.events.error_codes import EventsErrorCode
from sellerdesk.identity.error_codes import IdentityErrorCode
from sellerdesk.orders.error_codes import OrderErrorCode
from sellerdesk.payouts.error_codes import PayoutErrorCode

ENUMS = (AfterSaleErrorCode, CoreErrorCode, PayoutErrorCode, EventsErrorCode, IdentityErrorCode, OrderErrorCode)
CODES = [member for enum in ENUMS for member in enum]


@pytest.mark.parametrize("code", CODES, ids=str)
def test_every_error_code_has_a_message_in_chinese_and_in_english(code):
    with translation.override("zh-hans"):
        chinese = Conflict(code).message
    with translation.override("en"):
        english = Conflict(code).message
    assert chinese and english and chinese != english
    assert "%(" not in chinese and "%(" not in english


def test_the_message_is_read_from_the_details_in_the_readers_language():
    err = Conflict(AfterSaleErrorCode.REFUND_EXCEEDS_REFUNDABLE, details={"refundable_fen": 12345})
    with translation.override("zh-hans"):
        assert err.message == "订单可退金额不足，最多还能退 ¥123.45。"
    with translation.override("en"):
        assert err.message == "The order does not have that much left to refund: at most ¥123.45."
    assert err.body()["error"]["code"] == "refund_exceeds_refundable"


def test_a_deadline_in_a_message_is_shown_in_the_sites_time_zone():
    err = Conflict(AfterSaleErrorCode.DEADLINE_PASSED, details={"due_at": "2026-12-01T16:00:00+00:00"})
    with translation.override("zh-hans"):
        assert "2026-12-02 00:00:00" in err.message


def test_a_variant_keeps_the_api_code_of_its_family():
    assert Conflict(AfterSaleErrorCode.NOT_ASKED_FOR_EVIDENCE).code == "invalid_transition"
    assert Conflict(AfterSaleErrorCode.INVALID_RULING_AMOUNT).code == "invalid_amount"


def test_every_api_code_belongs_to_one_family_per_app():
    for enum in ENUMS:
        assert issubclass(enum, ErrorCode)
        assert all(member.code.islower() and " " not in member.code for member in enum)


def test_no_refusal_is_raised_with_a_bare_sentence():
    """Every coded error names a member of an app's error_codes.py, so its message has both languages."""
    import re
    from pathlib import Path

    from django.conf import settings

    raising = re.compile(
        r"\b(CodedError|InvalidInput|NotFound|Forbidden|Conflict|Unprocessable|TooLarge|"
        r"UnsupportedMediaType|Throttled)\(\s*f?[\"']"
    )
    root = Path(settings.BASE_DIR) / "sellerdesk"
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raising.search(line)
    ]
    assert found == []
