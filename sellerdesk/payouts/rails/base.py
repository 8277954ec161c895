"""The payment-rail interface (bank / WeChat Pay / Alipay). Adapters are chosen by
settings.SELLERDESK_RAIL_ADAPTER; the default is the local simulator.

Calls happen inside the caller's transaction. A real adapter must not move money there: it should
record the instruction and send it after commit (outbox), returning the amount it will send.
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AccountRef:
    """What a rail needs to address an account. `number` is clear text: never log this object."""

    kind: str  # AccountKind value
    number: str
    fingerprint: str
    masked: str
    last4: str
    holder_name: str = ""
    bank_name: str = ""
    is_corporate: bool = False

    def __repr__(self):  # keep the number out of tracebacks and logs
        return f"AccountRef({self.kind}, {self.masked})"

    __str__ = __repr__


@dataclass(frozen=True)
class NameCheck:
    """The rail's answer to a real-name check (实名校验): who really holds the account."""

    holder_name: str
    is_corporate: bool


@dataclass(frozen=True)
class SentTransfer:
    reference: str
    amount_fen: int


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: str
    account_masked: str
    account_last4: str
    amount_fen: int
    memo: str
    reference: str


class Rail(ABC):
    #: True only for adapters that show their own sent transfers (the sandbox statement).
    is_simulator = False

    @abstractmethod
    def send_micro_deposit(self, account: AccountRef, *, reference: str) -> SentTransfer:
        """Send a random amount of 1..99 fen to `account`; idempotent on `reference`."""

    @abstractmethod
    def real_name_of(self, account: AccountRef) -> NameCheck | None:
        """The real name behind the account, or None when the rail does not know it."""

    @abstractmethod
    def send_payout(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        """Pay a withdrawal out to `account`; idempotent on `reference`."""

    def statement(self, *, fingerprints: list[str] | None, last4: str | None = None) -> list[StatementLine]:
        """Transfers sent to these accounts (None = all), newest first. A real rail shows no
        statement here (the user reads their bank's), so callers check `is_simulator` first."""
        return []
