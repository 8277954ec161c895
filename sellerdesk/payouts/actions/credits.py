"""Money the platform puts on a wallet: an appeal's compensation to the merchant's 安心钱包."""

from django.db import IntegrityError, transaction
from django.db.models import F

from ..models import AuditAction, Channel, HolderRole, Wallet, WalletCredit
from .audit import RequestMeta, record


def compensation_wallet(subject, *, lock: bool = False) -> Wallet | None:
    """The merchant's 安心钱包 of `subject`, where a platform compensation goes (None: not opened)."""
    qs = Wallet.objects.filter(subject=subject, holder_role=HolderRole.MERCHANT, channel=Channel.ANXIN)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def credit_wallet(wallet: Wallet, amount_fen: int, *, kind, reference: str, note: str, actor, now) -> WalletCredit:
    """Add `amount_fen` to the locked `wallet`'s balance, once per `reference`, in the caller's
    transaction, with its ledger line and audit entry."""
    if amount_fen <= 0:
        raise ValueError("a credit is a positive amount")
    try:
        with transaction.atomic():
            credit = WalletCredit.objects.create(
                wallet=wallet,
                kind=kind,
                amount_fen=amount_fen,
                reference=reference,
                note=note[:200],
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        return WalletCredit.objects.get(reference=reference)  # credited before: never twice
    Wallet.objects.filter(pk=wallet.pk).update(balance_fen=F("balance_fen") + amount_fen)
    wallet.balance_fen += amount_fen
    record(
        AuditAction.WALLET_CREDITED,
        success=True,
        meta=RequestMeta(),
        actor=actor,
        subject=wallet.subject,
        wallet=wallet,
        details={"amount_fen": amount_fen, "kind": kind, "reference": reference},
        now=now,
    )
    return credit
