from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sellerdesk.core import clock
from sellerdesk.identity.models import Subject

from .. import crypto
from .enums import AccountKind, Channel, HolderRole, WithdrawalStatus


class WithdrawalAccount(models.Model):
    """A bank card or Alipay account that money can be withdrawn to, owned by one subject.

    The number is stored only encrypted (`number_encrypted`, MultiFernet) plus an HMAC blind index
    (`fingerprint`) for look-ups; everything shown anywhere is `masked`. Rows are never deleted or
    edited after creation: a change binds a new row, so history and in-flight withdrawals keep theirs.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="withdrawal_accounts")
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    number_encrypted = models.TextField(editable=False)
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    last4 = models.CharField(max_length=4)
    masked = models.CharField(max_length=64)
    holder_name = models.CharField(max_length=120)
    bank_name = models.CharField(max_length=80, blank=True, default="")
    is_corporate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    # Set when the account proved to be the subject's (name check; micro-deposit for corporate ones).
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject", "fingerprint"], name="wacct_subject_fp")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.masked}"

    def __repr__(self):
        return f"<WithdrawalAccount {self.pk} {self.kind} {self.masked}>"

    @property
    def number(self) -> str:
        """The clear account number: only for handing to a payment rail, never for display or logs."""
        return crypto.decrypt(self.number_encrypted)

    def set_number(self, number: str) -> None:
        self.number_encrypted = crypto.encrypt(number)
        self.fingerprint = crypto.fingerprint(self.kind, number)
        self.last4 = number[-4:]
        self.masked = crypto.mask(self.kind, number)


class Wallet(models.Model):
    """A subject's balance on one payment channel (安心钱包 / 微信 / 支付宝), withdrawing to one bound account.

    `account` changes only through payouts.actions (do_complete_change); lock the row with
    select_for_update before changing it or its balance.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="wallets")
    holder_role = models.CharField(max_length=16, choices=HolderRole.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    balance_fen = models.BigIntegerField(default=0)
    account = models.ForeignKey(WithdrawalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    account_bound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "holder_role", "channel"], name="one_wallet_per_channel"),
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="wallet_balance_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk}"


class WalletCredit(models.Model):
    """Money the platform puts on a wallet's balance (an appeal's compensation to the merchant's
    安心钱包). Written with the balance change, under the wallet's row lock; `reference` makes a
    credit happen once whatever retries."""

    class Kind(models.TextChoices):
        APPEAL_COMPENSATION = "appeal_compensation", _("申诉补偿")

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="credits")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    amount_fen = models.BigIntegerField()
    reference = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="wallet_credit_amount_positive")]

    def __str__(self):
        return f"{self.kind} {self.amount_fen} fen to wallet {self.wallet_id}"


class Withdrawal(models.Model):
    """Money leaving a wallet. `account` is fixed when the withdrawal is made: a later change of
    the wallet's account never redirects a withdrawal already in flight.

    held (cool-off after an account change, until `held_until`) → processing (a payout instruction
    is written) → paid, or failed with the amount back on the balance. Only payouts.actions.withdrawals
    writes `status`, under the wallet's row lock."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="withdrawals")
    account = models.ForeignKey(WithdrawalAccount, on_delete=models.PROTECT, related_name="withdrawals")
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=WithdrawalStatus.choices, default=WithdrawalStatus.PROCESSING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Cool-off policy: a withdrawal to a freshly changed account waits until this time.
    held_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    processing_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failed_reason = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="withdrawal_amount_positive")]
        indexes = [models.Index(fields=["status", "held_until"], name="withdrawal_hold")]

    def __str__(self):
        return f"Withdrawal #{self.pk} {self.amount_fen} fen to {self.account.masked}"

    @property
    def reference(self) -> str:
        """The payout's reference at the rail, fixed by the withdrawal's id."""
        return f"withdrawal-{self.pk}"
