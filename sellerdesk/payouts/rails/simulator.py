"""The local rail simulator: behaves like the bank / WeChat Pay / Alipay for one machine.

It really 'sends' (a RailTransfer row, which survives restarts), answers real-name checks from its
own records of which accounts exist and who holds them (SimulatedAccount), and shows what it sent
as a bank statement, where the user reads the micro-deposit amount as in a banking app.
"""
import secrets

from sellerdesk.core import clock

from .. import crypto
from ..models import RailTransfer, SimulatedAccount
from .base import AccountRef, NameCheck, Rail, SentTransfer, StatementLine


class SimulatorRail(Rail):
    is_simulator = True

    # The simulated world ------------------------------------------------------------------
    def open_account(self, *, kind: str, number: str, holder_name: str, is_corporate: bool = False) -> None:
        """Make an account exist at the simulated bank/Alipay (used by demo data and tests)."""
        SimulatedAccount.objects.update_or_create(
            account_kind=kind, fingerprint=crypto.fingerprint(kind, number),
            defaults={"holder_name": holder_name, "is_corporate": is_corporate},
        )

    def remember_bound(self, account: AccountRef) -> None:
        """A bank learns who holds an account once it is verified; later checks answer from that."""
        SimulatedAccount.objects.get_or_create(
            account_kind=account.kind, fingerprint=account.fingerprint,
            defaults={"holder_name": account.holder_name, "is_corporate": account.is_corporate},
        )

    # The interface ----------------------------------------------------------------------------
    def real_name_of(self, account: AccountRef) -> NameCheck | None:
        known = SimulatedAccount.objects.filter(account_kind=account.kind, fingerprint=account.fingerprint).first()
        return NameCheck(known.holder_name, known.is_corporate) if known else None

    def _send(self, account: AccountRef, *, kind: str, amount_fen: int, memo: str, reference: str) -> SentTransfer:
        transfer, _ = RailTransfer.objects.get_or_create(
            reference=reference,
            defaults={
                "kind": kind, "account_kind": account.kind, "fingerprint": account.fingerprint,
                "last4": account.last4, "masked": account.masked, "amount_fen": amount_fen, "memo": memo,
                "created_at": clock.now(),
            },
        )
        return SentTransfer(reference=transfer.reference, amount_fen=transfer.amount_fen)

    def send_micro_deposit(self, account: AccountRef, *, reference: str) -> SentTransfer:
        return self._send(account, kind=RailTransfer.Kind.MICRO_DEPOSIT, amount_fen=secrets.randbelow(99) + 1,
                          memo="小额打款验证 SellerDesk", reference=reference)

    def send_payout(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        return self._send(account, kind=RailTransfer.Kind.PAYOUT, amount_fen=amount_fen,
                          memo="余额提现 SellerDesk", reference=reference)

    def statement(self, *, fingerprints: list[str] | None, last4: str | None = None) -> list[StatementLine]:
        rows = RailTransfer.objects.order_by("-id")
        if fingerprints is not None:
            rows = rows.filter(fingerprint__in=fingerprints)
        if last4:
            rows = rows.filter(last4=last4)
        return [
            StatementLine(at=r.created_at, kind=r.kind, account_masked=r.masked, account_last4=r.last4,
                          amount_fen=r.amount_fen, memo=r.memo, reference=r.reference)
            for r in rows[:200]
        ]
