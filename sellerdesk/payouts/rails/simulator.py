"""The local rail simulator: behaves like the bank / WeChat Pay / Alipay for one machine.

It really 'sends' (a RailTransfer row, which survives restarts), answers real-name checks from its
own records of which accounts exist and who holds them (SimulatedAccount), and shows what it sent
as a bank statement, where the user reads the micro-deposit amount as in a banking app.

Like a real rail it is idempotent on the reference (asked again, it answers with the transfer it
made and counts the ask in `requests`), and it can fail: transfers to a frozen or closed account
are refused, and RailFault rows make it unreachable, lose its answer or refuse (tests and the
demo fill them: `fail(...)`, `freeze_account(...)`, `close_account(...)`).
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from sellerdesk.core import clock
from sellerdesk.identity.checks import normalise_name

from .. import crypto
from ..models import RailFault, RailTransfer, SimulatedAccount
from .base import (
    AccountRef,
    NameCheck,
    Rail,
    RailRejected,
    RailUnavailable,
    RealNameCheck,
    SentTransfer,
    StatementLine,
)

ACCOUNT_REFUSALS = {
    SimulatedAccount.State.FROZEN: ("account_frozen", "收款账户已被冻结，无法入账。"),
    SimulatedAccount.State.CLOSED: ("account_closed", "收款账户已销户，无法入账。"),
}


def _person_fingerprint(what: str, value: str) -> str:
    return crypto.fingerprint(f"sim_holder_{what}", value.strip().upper()) if value else ""


class SimulatorRail(Rail):
    is_simulator = True

    # The simulated world ------------------------------------------------------------------
    def open_account(
        self,
        *,
        kind: str,
        number: str,
        holder_name: str,
        is_corporate: bool = False,
        id_number: str = "",
        phone: str = "",
    ) -> None:
        """Make an account exist at the simulated bank/Alipay (used by demo data and tests). With the
        holder's resident ID (and phone) the bank can answer real-name checks for it."""
        SimulatedAccount.objects.update_or_create(
            account_kind=kind,
            fingerprint=crypto.fingerprint(kind, number),
            defaults={
                "holder_name": holder_name,
                "is_corporate": is_corporate,
                "holder_id_fingerprint": _person_fingerprint("id", id_number),
                "holder_phone_fingerprint": _person_fingerprint("phone", phone),
            },
        )

    def remember_bound(self, account: AccountRef) -> None:
        """A bank learns who holds an account once it is verified; later checks answer from that."""
        SimulatedAccount.objects.get_or_create(
            account_kind=account.kind,
            fingerprint=account.fingerprint,
            defaults={"holder_name": account.holder_name, "is_corporate": account.is_corporate},
        )

    def freeze_account(self, *, kind: str, number: str, holder_name: str = "") -> None:
        self._set_state(kind, number, SimulatedAccount.State.FROZEN, holder_name)

    def close_account(self, *, kind: str, number: str, holder_name: str = "") -> None:
        self._set_state(kind, number, SimulatedAccount.State.CLOSED, holder_name)

    def reopen_account(self, *, kind: str, number: str) -> None:
        self._set_state(kind, number, SimulatedAccount.State.OPEN, "")

    def _set_state(self, kind, number, state, holder_name) -> None:
        account, created = SimulatedAccount.objects.get_or_create(
            account_kind=kind,
            fingerprint=crypto.fingerprint(kind, number),
            defaults={"holder_name": holder_name, "state": state},
        )
        if not created:
            SimulatedAccount.objects.filter(pk=account.pk).update(state=state)

    def fail(
        self,
        *,
        mode: str,
        operation: str = "",
        reference: str = "",
        order_no: str = "",
        account: tuple[str, str] | None = None,
        code: str = "",
        message: str = "",
        times: int | None = None,
    ) -> RailFault:
        """Make the matching calls fail (`times` of them; None = all): `mode` is a RailFault.Mode.
        `account` is (kind, number) of the receiving account."""
        fingerprint = crypto.fingerprint(*account) if account else ""
        if mode == RailFault.Mode.REJECT and not code:
            code = "rejected"
        return RailFault.objects.create(
            operation=operation,
            reference=reference,
            order_no=order_no,
            fingerprint=fingerprint,
            mode=mode,
            code=code,
            message=message,
            remaining=times,
        )

    # The interface ----------------------------------------------------------------------------
    def real_name_of(self, account: AccountRef) -> NameCheck | None:
        self._fault(RailFault.Operation.NAME_CHECK, "", "", account.fingerprint, RailFault.Mode.UNAVAILABLE)
        known = SimulatedAccount.objects.filter(account_kind=account.kind, fingerprint=account.fingerprint).first()
        return NameCheck(known.holder_name, known.is_corporate) if known else None

    def real_name_check(
        self, account: AccountRef, *, holder_name: str, id_number: str, phone: str | None = None, reference: str
    ) -> str:
        """As a bank's 三要素/四要素 check: it can say only for a personal card whose holder it knows."""
        self._fault(RailFault.Operation.REAL_NAME_CHECK, reference, "", account.fingerprint, RailFault.Mode.UNAVAILABLE)
        known = SimulatedAccount.objects.filter(account_kind=account.kind, fingerprint=account.fingerprint).first()
        if known is None or known.is_corporate or not known.holder_id_fingerprint:
            return RealNameCheck.UNKNOWN
        same = normalise_name(known.holder_name) == normalise_name(
            holder_name
        ) and known.holder_id_fingerprint == _person_fingerprint("id", id_number)
        if same and phone and known.holder_phone_fingerprint:
            same = known.holder_phone_fingerprint == _person_fingerprint("phone", phone)
        return RealNameCheck.MATCH if same else RealNameCheck.NO_MATCH

    def send_micro_deposit(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        if not 1 <= amount_fen <= 999:
            raise RailRejected("invalid_amount", "小额打款金额须在 0.01 到 9.99 元之间。")
        return self._transfer(
            RailTransfer.Kind.MICRO_DEPOSIT,
            account=account,
            amount_fen=amount_fen,
            memo="小额打款验证 SellerDesk",
            reference=reference,
        )

    def send_payout(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        return self._transfer(
            RailTransfer.Kind.PAYOUT,
            account=account,
            amount_fen=amount_fen,
            memo="余额提现 SellerDesk",
            reference=reference,
        )

    def refund(self, *, order_no: str, amount_fen: int, reference: str) -> SentTransfer:
        return self._transfer(
            RailTransfer.Kind.REFUND,
            order_no=order_no,
            amount_fen=amount_fen,
            memo=f"售后退款 订单 {order_no}",
            reference=reference,
        )

    def _transfer(
        self,
        kind: str,
        *,
        amount_fen: int,
        memo: str,
        reference: str,
        account: AccountRef | None = None,
        order_no: str = "",
    ) -> SentTransfer:
        fingerprint = account.fingerprint if account else ""
        # The network first: an unreachable rail knows nothing, not even the transfers it made.
        self._fault(kind, reference, order_no, fingerprint, RailFault.Mode.UNAVAILABLE)
        made = RailTransfer.objects.filter(reference=reference).first()
        if made is None:
            if account is not None:
                self._check_receiving_account(account)
            self._fault(kind, reference, order_no, fingerprint, RailFault.Mode.REJECT)
            made = self._create(
                kind, account=account, order_no=order_no, amount_fen=amount_fen, memo=memo, reference=reference
            )
        else:
            RailTransfer.objects.filter(pk=made.pk).update(requests=F("requests") + 1)
        if made.kind != kind or made.amount_fen != amount_fen or made.order_no != order_no:
            raise RailRejected("reference_reused", "这个流水号已用于另一笔不同的转账。")
        self._fault(kind, reference, order_no, fingerprint, RailFault.Mode.LOST_ANSWER)
        return SentTransfer(reference=made.reference, amount_fen=made.amount_fen, transfer_id=f"SIM{made.pk:010d}")

    def _create(self, kind, *, account, order_no, amount_fen, memo, reference) -> RailTransfer:
        fields = {"kind": kind, "amount_fen": amount_fen, "memo": memo, "order_no": order_no, "created_at": clock.now()}
        if account is not None:
            fields.update(
                account_kind=account.kind, fingerprint=account.fingerprint, last4=account.last4, masked=account.masked
            )
        try:
            with transaction.atomic():
                return RailTransfer.objects.create(reference=reference, **fields)
        except IntegrityError:  # the same reference sent at the same moment: that one made the transfer
            made = RailTransfer.objects.get(reference=reference)
            RailTransfer.objects.filter(pk=made.pk).update(requests=F("requests") + 1)
            return made

    def _check_receiving_account(self, account: AccountRef) -> None:
        known = SimulatedAccount.objects.filter(account_kind=account.kind, fingerprint=account.fingerprint).first()
        if known is not None and known.state in ACCOUNT_REFUSALS:
            raise RailRejected(*ACCOUNT_REFUSALS[known.state])

    def _fault(self, kind, reference, order_no, fingerprint, mode) -> None:
        faults = (
            RailFault.objects.filter(mode=mode)
            .filter(Q(operation="") | Q(operation=kind))
            .filter(Q(reference="") | Q(reference=reference))
            .filter(Q(order_no="") | Q(order_no=order_no))
            .filter(Q(fingerprint="") | Q(fingerprint=fingerprint))
            .filter(Q(remaining__isnull=True) | Q(remaining__gt=0))
            .order_by("id")
        )
        for fault in faults:
            if not fault.consume():
                continue
            if mode == RailFault.Mode.REJECT:
                raise RailRejected(fault.code or "rejected", fault.message or "支付通道拒绝了这笔转账。")
            if mode == RailFault.Mode.LOST_ANSWER:
                raise RailUnavailable(fault.message or "timed out waiting for the rail's answer", maybe_sent=True)
            raise RailUnavailable(fault.message or "rail unavailable (503)")

    def statement(self, *, fingerprints: list[str] | None, last4: str | None = None) -> list[StatementLine]:
        rows = RailTransfer.objects.order_by("-id")
        if fingerprints is not None:
            rows = rows.filter(fingerprint__in=fingerprints)
        if last4:
            rows = rows.filter(last4=last4)
        return [
            StatementLine(
                at=r.created_at,
                kind=r.kind,
                account_masked=r.masked or r.order_no,
                account_last4=r.last4,
                amount_fen=r.amount_fen,
                memo=r.memo,
                reference=r.reference,
            )
            for r in rows[:200]
        ]
