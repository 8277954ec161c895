"""The payment-rail interface (bank / WeChat Pay / Alipay). Adapters are chosen by
settings.SELLERDESK_RAIL_ADAPTER; the default is the local simulator.

Money-moving calls (`refund`, `send_payout`, `send_micro_deposit`) are made only by the worker,
outside any database transaction, for a RailInstruction that an action wrote and committed
(payouts.actions.instructions). Each is idempotent on `reference`: asked again with the same
reference, an adapter answers with the transfer it already made and never makes a second one.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


class RailError(Exception):
    """Base of the answers a rail gives instead of a transfer."""


class RailUnavailable(RailError):
    """Transient: the rail could not be reached or did not answer. Retried with the same reference.

    `maybe_sent` is True when the request may have reached the rail (a timeout, a lost answer):
    such an instruction is never declared failed on transient errors alone, because only the rail's
    own answer to a re-send tells whether money left."""

    def __init__(self, message: str = "rail unavailable", *, maybe_sent: bool = False):
        super().__init__(message)
        self.maybe_sent = maybe_sent


class RailRejected(RailError):
    """Definite: the rail refused the transfer and made none (`code` snake_case, `message` its words)."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message or code


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


class RealNameCheck:
    """Answers of the real-name check (三要素/四要素核验): does this person hold this card?"""

    MATCH = "match"  # the card's holder is that person (name and ID number agree)
    NO_MATCH = "no_match"  # the rail knows the card and it is someone else's
    UNKNOWN = "unknown"  # the rail cannot say (card or person unknown to it, check not offered)
    ANSWERS = (MATCH, NO_MATCH, UNKNOWN)


@dataclass(frozen=True)
class SentTransfer:
    reference: str
    amount_fen: int
    transfer_id: str = ""  # the rail's own id of the transfer, where it gives one


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
    def send_micro_deposit(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        """Send exactly `amount_fen` (1..99, chosen by SellerDesk) to `account`; idempotent on `reference`.
        Raises RailRejected or RailUnavailable."""

    @abstractmethod
    def send_payout(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        """Pay a withdrawal out to `account`; idempotent on `reference`. Raises RailRejected or RailUnavailable."""

    @abstractmethod
    def refund(self, *, order_no: str, amount_fen: int, reference: str) -> SentTransfer:
        """Refund `amount_fen` of order `order_no` to the buyer's original payment (原路退回);
        idempotent on `reference`. Raises RailRejected or RailUnavailable."""

    @abstractmethod
    def real_name_of(self, account: AccountRef) -> NameCheck | None:
        """The real name behind the account, or None when the rail does not know it."""

    def real_name_check(
        self, account: AccountRef, *, holder_name: str, id_number: str, phone: str | None = None, reference: str
    ) -> str:
        """Is the person `holder_name` with resident ID `id_number` (and `phone`, where given) the
        holder of the personal card `account`? A RealNameCheck answer; moves no money, idempotent
        on `reference`. An adapter that cannot ask answers UNKNOWN, which never binds a card at once."""
        return RealNameCheck.UNKNOWN

    def remember_bound(self, account: AccountRef) -> None:
        """Told when an account is bound after its checks passed. A real rail keeps its own records."""
        return None

    def statement(self, *, fingerprints: list[str] | None, last4: str | None = None) -> list[StatementLine]:
        """Transfers sent to these accounts (None = all), newest first. A real rail shows no
        statement here (the user reads their bank's), so callers check `is_simulator` first."""
        return []
