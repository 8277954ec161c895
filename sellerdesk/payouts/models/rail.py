"""Tables of the rail simulator: what it 'sent' and which accounts exist in its little world."""
from django.db import models

from sellerdesk.core import clock

from .enums import AccountKind


class RailTransfer(models.Model):
    """A transfer the simulator sent (micro-deposit or payout); read back as a bank statement."""

    class Kind(models.TextChoices):
        MICRO_DEPOSIT = "micro_deposit", "小额打款验证"
        PAYOUT = "payout", "余额提现"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    account_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    fingerprint = models.CharField(max_length=64, db_index=True)
    last4 = models.CharField(max_length=4)
    masked = models.CharField(max_length=64)
    amount_fen = models.PositiveIntegerField()
    memo = models.CharField(max_length=120)
    reference = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self):
        return f"{self.reference} {self.amount_fen} fen to {self.masked}"


class SimulatedAccount(models.Model):
    """An account that exists 'out there' at the simulated bank or Alipay, with its real holder.

    The simulator answers name checks (实名校验) from these rows. Only the fingerprint is kept.
    """

    account_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    fingerprint = models.CharField(max_length=64)
    holder_name = models.CharField(max_length=120)
    is_corporate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account_kind", "fingerprint"], name="sim_account_unique")]

    def __str__(self):
        return f"{self.get_account_kind_display()} of {self.holder_name}"
