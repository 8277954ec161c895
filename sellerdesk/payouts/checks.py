"""check_*: validate input for the account centre. Each failure has its own code."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum import luhn

from sellerdesk.core.errors import CodedError, Conflict, InvalidInput, Throttled, Unprocessable
from sellerdesk.identity import stepup
from sellerdesk.identity.checks import normalise_name
from sellerdesk.identity.models import SubjectKind

from . import policy
from .banks import bank_named
from .error_codes import PayoutErrorCode as Code
from .models import AccountKind, AuditAction, AuditLog

MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class NewAccount:
    """Validated input for a new withdrawal account. `number` is clear text: never log it."""

    kind: str
    number: str
    holder_name: str
    bank_name: str
    is_corporate: bool

    def __repr__(self):
        return f"NewAccount({self.kind}, ****{self.number[-4:]})"

    __str__ = __repr__


def _clean_number(raw: str) -> str:
    # Full-width digits become ASCII; the spaces and dashes people paste from banking apps go.
    folded = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[\s\-]", "", folded)


def check_account_number(account_no: str | None, *, is_corporate: bool) -> str:
    """A card number (digits, length, Luhn) or a corporate account number (digits, length)."""
    number = _clean_number(account_no or "")
    if not number:
        raise InvalidInput(Code.ACCOUNT_NO_REQUIRED)
    if is_corporate:
        if not number.isascii() or not number.isdigit():
            raise InvalidInput(Code.ACCOUNT_NUMBER_NOT_DIGITS)
        low, high = policy.CORPORATE_LENGTH
        if not low <= len(number) <= high:
            raise InvalidInput(Code.ACCOUNT_NUMBER_LENGTH, details={"min": low, "max": high, "length": len(number)})
    else:
        if not number.isascii() or not number.isdigit():
            raise InvalidInput(Code.CARD_NUMBER_NOT_DIGITS)
        low, high = policy.CARD_LENGTH
        if not low <= len(number) <= high:
            raise InvalidInput(Code.CARD_NUMBER_LENGTH, details={"min": low, "max": high, "length": len(number)})
        if not luhn.is_valid(number):
            raise InvalidInput(Code.CARD_NUMBER_CHECKSUM, details={"check": "luhn"})
    return number


def check_bank_name(bank_name: str | None) -> str:
    """开户银行: a bank of banks.BANKS (its full name or a listed short name), returned as its full
    name. Anything else is refused: the list is closed (docs/decisions.md)."""
    if not " ".join((bank_name or "").split()):
        raise InvalidInput(Code.BANK_NAME_REQUIRED)
    bank = bank_named(bank_name)
    if bank is None:
        raise InvalidInput(Code.BANK_NAME_UNKNOWN)
    return bank.name


def check_holder_name(holder_name: str | None) -> str:
    holder = " ".join((holder_name or "").split())
    if not holder:
        raise InvalidInput(Code.HOLDER_NAME_REQUIRED)
    return holder


def check_bank_account(
    *, account_no: str | None, holder_name: str | None, bank_name: str | None, is_corporate: bool
) -> NewAccount:
    """The first problem of the input raises (number, then bank, then holder); bank_account_problems
    lists them all."""
    number = check_account_number(account_no, is_corporate=is_corporate)
    bank = check_bank_name(bank_name)
    holder = check_holder_name(holder_name)
    return NewAccount(AccountKind.BANK_CARD, number, holder, bank, bool(is_corporate))


def bank_account_problems(
    *, account_no: str | None, holder_name: str | None, bank_name: str | None, is_corporate: bool
) -> list[CodedError]:
    """Every problem check_bank_account would raise one at a time, in the same order."""
    problems = []
    for check in (
        lambda: check_account_number(account_no, is_corporate=is_corporate),
        lambda: check_bank_name(bank_name),
        lambda: check_holder_name(holder_name),
    ):
        try:
            check()
        except CodedError as err:
            problems.append(err)
    return problems


def check_alipay_account(alipay_account: str | None) -> NewAccount:
    value = _clean_number(alipay_account or "") if "@" not in (alipay_account or "") else (alipay_account or "").strip()
    if not value:
        raise InvalidInput(Code.ALIPAY_ACCOUNT_REQUIRED)
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput(Code.ALIPAY_ACCOUNT_INVALID) from None
        value = value.lower()
    else:
        if value.startswith("+86"):
            value = value[3:]
        if not MOBILE.match(value):
            raise InvalidInput(Code.ALIPAY_ACCOUNT_INVALID)
    return NewAccount(AccountKind.ALIPAY, value, "", "", False)


def check_step_up(user, *, password: str | None, otp: str | None, now) -> None:
    """Re-confirm the user's identity before a high-risk change: the login password, or a code
    from the authenticator app they enrolled (or one of its recovery codes, spent by this call).
    Throttled on repeated failures of either kind (counted from the audit log, so every process
    sees the same count); a wrong code is `step_up_failed` like a wrong password. The caller
    records `step_up_failed` refusals as AuditAction.STEP_UP_FAILED."""
    recent = AuditLog.objects.filter(
        actor=user, action=AuditAction.STEP_UP_FAILED, at__gt=now - policy.step_up_window()
    ).count()
    if recent >= policy.step_up_failure_limit():
        raise Throttled(Code.STEP_UP_THROTTLED, retry_after=int(policy.step_up_window().total_seconds()))
    failures_left = {"failures_left": max(policy.step_up_failure_limit() - recent - 1, 0)}
    if password:
        if not user.check_password(password):
            raise CodedError(Code.STEP_UP_FAILED, status=401, details=failures_left)
        return
    if otp:
        if not stepup.has_otp(user):
            # The user's state, not the input, is what is missing: 409, like other state conflicts.
            raise Conflict(Code.STEP_UP_METHOD_UNAVAILABLE)
        wait = stepup.otp_retry_after(user, otp)
        if wait:
            raise Throttled(Code.OTP_THROTTLED, retry_after=wait)
        if not stepup.verify_otp(user, otp):
            raise CodedError(Code.OTP_FAILED, status=401, details=failures_left)
        return
    raise step_up_missing(user)


def step_up_missing(user) -> CodedError:
    """The refusal for a high-risk request that brought no proof at all (a form lists it with the
    input's problems)."""
    if stepup.has_otp(user):
        return CodedError(Code.STEP_UP_REQUIRED_OR_OTP, status=401)
    return CodedError(Code.STEP_UP_REQUIRED, status=401)


def check_same_subject(subject, holder_name: str) -> None:
    """The holder must be the wallet owner's subject (names compared after normalise_name)."""
    if normalise_name(holder_name) != normalise_name(subject.legal_name):
        raise Unprocessable(Code.SUBJECT_MISMATCH, details={"subject_kind": subject.kind})


def check_corporate_allowed(subject, new: NewAccount) -> None:
    """Individuals bind personal cards; enterprises bind corporate (对公) accounts; individual
    businesses may bind either."""
    if new.kind == AccountKind.BANK_CARD and subject.kind == SubjectKind.ENTERPRISE and not new.is_corporate:
        raise Unprocessable(Code.CORPORATE_ACCOUNT_REQUIRED, details={"subject_kind": subject.kind})
    if new.is_corporate and subject.kind not in (SubjectKind.ENTERPRISE, SubjectKind.INDIVIDUAL_BUSINESS):
        raise Unprocessable(Code.CORPORATE_NOT_ALLOWED, details={"subject_kind": subject.kind})
