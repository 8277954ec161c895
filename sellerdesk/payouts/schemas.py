from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from sellerdesk.core.fields import MAX_FEN, InputSchema, JsonInt
from sellerdesk.core.text import PRINTABLE

from .banks import ACCEPTED_NAMES
from .policy import CARD_LENGTH, CORPORATE_LENGTH


class AccountOut(Schema):
    kind: str
    masked: str = Field(description="Masked to the last four characters; the number is never returned")
    last4: str
    holder_name: str
    bank_name: str
    is_corporate: bool
    bound_at: datetime | None = None


class WalletOut(Schema):
    channel: str
    label: str
    page_title: str
    path: str
    balance_fen: int
    account_kind: str
    account: AccountOut | None
    can_change: bool
    change_label: str
    change_blocked_code: str | None
    change_blocked_reason: str | None
    notes: list[str]
    pending_change_id: int | None


class WalletList(Schema):
    items: list[WalletOut]


# The new account's shapes, as far as JSON Schema can say them (the checks in checks.py give each
# refusal its code). What it cannot say, and the API's descriptions do: a personal card number
# passes the Luhn check; the 安心钱包 and 微信 wallets take a card and the 支付宝 wallet an Alipay
# account; the holder is the caller's subject (GET /me → subject.legal_name); an enterprise binds
# corporate accounts, an individual personal cards.
_HOLDER = {"type": "string", "minLength": 1, "pattern": PRINTABLE}
# 开户银行 is one of the listed banks (banks.py: full names, then accepted short names, stored as
# the full name); any other name is 400 bank_name_unknown.
_BANK = {"type": "string", "enum": list(ACCEPTED_NAMES)}
_ALIPAY_EMAIL = (
    r"[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}"
)
_ALIPAY_MOBILE = r"(\+86)?1[3-9][0-9]{9}"  # checks.MOBILE, with the +86 it takes off
PERSONAL_CARD = {
    "title": "Personal bank card",
    "required": ["account_no", "holder_name", "bank_name"],
    "properties": {
        "account_no": {
            "type": "string",
            "pattern": f"^[0-9]{{{CARD_LENGTH[0]},{CARD_LENGTH[1]}}}$",
            "description": "The card number; its last digit is the Luhn check digit (card_number_checksum)",
        },
        "holder_name": _HOLDER,
        "bank_name": _BANK,
        "is_corporate": {"const": False},
    },
}
CORPORATE_ACCOUNT = {
    "title": "Corporate bank account (对公账户)",
    "required": ["account_no", "holder_name", "bank_name", "is_corporate"],
    "properties": {
        "account_no": {"type": "string", "pattern": f"^[0-9]{{{CORPORATE_LENGTH[0]},{CORPORATE_LENGTH[1]}}}$"},
        "holder_name": _HOLDER,
        "bank_name": _BANK,
        "is_corporate": {"const": True},
    },
}
ALIPAY_ACCOUNT = {
    "title": "Alipay account (支付宝)",
    "required": ["alipay_account"],
    "properties": {"alipay_account": {"type": "string", "pattern": f"^({_ALIPAY_MOBILE}|{_ALIPAY_EMAIL})$"}},
}


class ChangeIn(InputSchema):
    """One of three shapes: a personal bank card, a corporate account (安心钱包 / 微信 wallets), or
    an Alipay account (支付宝 wallet). A card number passes the Luhn check; the holder is the caller's
    subject (`GET /me` → `subject.legal_name`); an enterprise binds corporate accounts, an
    individual personal cards, an individual business either."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [PERSONAL_CARD, CORPORATE_ACCOUNT, ALIPAY_ACCOUNT]})

    account_no: str | None = Field(None, max_length=64, description="Bank card or corporate account number")
    holder_name: str | None = Field(None, max_length=120)
    bank_name: str | None = Field(None, max_length=80)
    is_corporate: StrictBool = False
    alipay_account: str | None = Field(None, max_length=254, description="Mobile number or e-mail (支付宝 wallet)")
    password: str | None = Field(None, max_length=256, description="Step-up: the user's password")
    otp: str | None = Field(
        None,
        max_length=12,
        description="Step-up: a code from the user's authenticator app (TOTP) or one of their recovery codes",
    )


class ChangeOut(Schema):
    id: int
    channel: str
    status: str
    failure_reason: str | None
    new_account: AccountOut
    old_account: AccountOut | None
    proof: str = Field(
        description="How the new account was shown to be the subject's: real_name_check (the "
        "bank's name + resident ID + card check), name_check (Alipay's real-name "
        "record) or micro_deposit (the owner enters the amount sent to it)"
    )
    attempts_left: int | None
    expires_at: datetime | None
    created_at: datetime
    completed_at: datetime | None


class VerifyIn(InputSchema):
    amount_fen: JsonInt = Field(..., ge=1, le=999, description="The micro-deposit amount read from the statement")


class WithdrawalIn(InputSchema):
    amount_fen: JsonInt = Field(..., gt=0, le=MAX_FEN)
    password: str | None = Field(None, max_length=256, description="Step-up: the user's password")
    otp: str | None = Field(
        None,
        max_length=12,
        description="Step-up: a code from the user's authenticator app (TOTP) or one of their recovery codes",
    )


class WithdrawalOut(Schema):
    id: int
    channel: str
    amount_fen: int
    status: str = Field(description="held (cool-off after an account change) → processing → paid / failed")
    account: AccountOut
    held_until: datetime | None
    created_at: datetime
    processing_at: datetime | None = None
    paid_at: datetime | None = None
    failed_at: datetime | None = None
    failed_reason: str | None = Field(
        None, description="The rail's reason code when failed; the amount is back on the balance"
    )
    reference: str = Field(description="The payout's reference at the payment rail")


class StatementLineOut(Schema):
    at: datetime
    kind: str
    account_masked: str
    account_last4: str
    amount_fen: int
    memo: str
    reference: str


class StatementOut(Schema):
    items: list[StatementLineOut]
