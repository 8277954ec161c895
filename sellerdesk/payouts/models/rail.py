"""Tables of the rail simulator: what it 'sent', which accounts exist in its little world, and
the faults it has been told to answer with (tests and the demo fill them)."""

from django.db import models
from django.db.models import F

from sellerdesk.core import clock

from .enums import AccountKind


class RailTransfer(models.Model):
    """A transfer the simulator made (micro-deposit, payout or refund); read back as a bank statement.

    One row per reference, however often it was asked: `requests` counts the asks."""

    class Kind(models.TextChoices):
        MICRO_DEPOSIT = "micro_deposit", "小额打款验证"
        PAYOUT = "payout", "余额提现"
        REFUND = "refund", "售后退款"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The receiving account (micro-deposit, payout); empty for a refund, which goes back to the order's payment.
    account_kind = models.CharField(max_length=16, choices=AccountKind.choices, blank=True, default="")
    fingerprint = models.CharField(max_length=64, db_index=True, blank=True, default="")
    last4 = models.CharField(max_length=4, blank=True, default="")
    masked = models.CharField(max_length=64, blank=True, default="")
    order_no = models.CharField(max_length=40, blank=True, default="")
    amount_fen = models.PositiveIntegerField()
    memo = models.CharField(max_length=120)
    reference = models.CharField(max_length=64, unique=True)
    requests = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self):
        return f"{self.reference} {self.amount_fen} fen to {self.masked or self.order_no}"


class SimulatedAccount(models.Model):
    """An account that exists 'out there' at the simulated bank or Alipay, with its real holder.

    The simulator answers name checks (实名校验) and, for personal cards whose holder's resident ID
    it was given, real-name checks (三要素/四要素) from these rows, and refuses transfers to frozen or
    closed ones. Only fingerprints of the number, the ID number and the phone are kept.
    """

    class State(models.TextChoices):
        OPEN = "open", "正常"
        FROZEN = "frozen", "已冻结"
        CLOSED = "closed", "已销户"

    account_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    fingerprint = models.CharField(max_length=64)
    holder_name = models.CharField(max_length=120)
    is_corporate = models.BooleanField(default=False)
    holder_id_fingerprint = models.CharField(max_length=64, blank=True, default="")
    holder_phone_fingerprint = models.CharField(max_length=64, blank=True, default="")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account_kind", "fingerprint"], name="sim_account_unique")]

    def __str__(self):
        return f"{self.get_account_kind_display()} of {self.holder_name} ({self.state})"


class RailFault(models.Model):
    """A fault the simulated rail answers with, for the operations it matches (empty = any).

    - unavailable: the rail cannot be reached; nothing is sent (RailUnavailable).
    - lost_answer: the transfer is made but the answer never arrives (RailUnavailable, maybe sent).
    - reject: the rail refuses with `code` and `message`; nothing is sent (RailRejected).
    The checks (name_check, real_name_check) answer only to `unavailable` faults.
    `remaining` counts how many more calls it hits (null = every call).
    """

    class Operation(models.TextChoices):
        MICRO_DEPOSIT = "micro_deposit", "小额打款验证"
        PAYOUT = "payout", "余额提现"
        REFUND = "refund", "售后退款"
        NAME_CHECK = "name_check", "实名校验"
        REAL_NAME_CHECK = "real_name_check", "三要素核验"

    class Mode(models.TextChoices):
        UNAVAILABLE = "unavailable", "通道不可用"
        LOST_ANSWER = "lost_answer", "应答丢失"
        REJECT = "reject", "拒绝"

    operation = models.CharField(max_length=16, blank=True, default="", choices=Operation.choices)
    reference = models.CharField(max_length=64, blank=True, default="")
    order_no = models.CharField(max_length=40, blank=True, default="")
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    code = models.CharField(max_length=64, blank=True, default="")
    message = models.CharField(max_length=200, blank=True, default="")
    remaining = models.PositiveIntegerField(null=True, blank=True)
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self):
        return f"{self.mode} {self.operation or '*'} {self.reference or self.order_no or self.fingerprint or '*'}"

    def consume(self) -> bool:
        """Take one hit; False when another call used the last one first."""
        rows = RailFault.objects.filter(pk=self.pk)
        if self.remaining is not None:
            rows = rows.filter(remaining__gt=0)
            return rows.update(remaining=F("remaining") - 1, hits=F("hits") + 1) == 1
        return rows.update(hits=F("hits") + 1) == 1
