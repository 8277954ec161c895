from django.db import models
from django.db.models import Q

from sellerdesk.core import clock

from .change import AccountChange
from .enums import InstructionKind, InstructionState
from .wallet import Withdrawal, WithdrawalAccount


class RailInstruction(models.Model):
    """One movement of money SellerDesk decided: a refund, a withdrawal payout or a micro-deposit.

    Written by the deciding action inside its transaction (so a rollback sends nothing) and sent by
    the worker after commit, idempotent on `reference`: however often it is sent, the rail makes
    one transfer. pending → sending (claimed under a lease) → succeeded / failed, or back to
    pending with `next_attempt_at` after a transient error. Only payouts.actions.instructions
    writes `state`.
    """

    kind = models.CharField(max_length=16, choices=InstructionKind.choices)
    reference = models.CharField(max_length=64, unique=True)
    amount_fen = models.BigIntegerField()
    # What the rail addresses: a withdrawal account, or for a refund the order's original payment.
    account = models.ForeignKey(WithdrawalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Whose decision it carries out (one of them, by kind): told the result in the same transaction.
    refund = models.OneToOneField(
        "aftersales.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="rail_instruction"
    )
    withdrawal = models.OneToOneField(
        Withdrawal, null=True, blank=True, on_delete=models.PROTECT, related_name="rail_instruction"
    )
    change = models.OneToOneField(
        AccountChange, null=True, blank=True, on_delete=models.PROTECT, related_name="rail_instruction"
    )

    state = models.CharField(max_length=16, choices=InstructionState.choices, default=InstructionState.PENDING)
    attempts = models.PositiveIntegerField(default=0)  # claims in the current round (backoff and the limit)
    requeues = models.PositiveIntegerField(default=0)  # rounds restarted by hand (CS 重新退款)
    next_attempt_at = models.DateTimeField(default=clock.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Fencing token of the current claim: a worker whose lease expired cannot record over its successor.
    lease_token = models.CharField(max_length=32, blank=True, default="")
    # Some attempt may have reached the rail (timeout, lost answer, a worker that died mid-call):
    # from then on only the rail's answer to a re-send may end the instruction.
    maybe_sent = models.BooleanField(default=False)
    transfer_id = models.CharField(max_length=64, blank=True, default="")
    failed_reason = models.CharField(max_length=64, blank=True, default="")
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="instruction_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(kind=InstructionKind.REFUND, order__isnull=False, refund__isnull=False)
                    | Q(kind=InstructionKind.PAYOUT, account__isnull=False, withdrawal__isnull=False)
                    | Q(kind=InstructionKind.MICRO_DEPOSIT, account__isnull=False, change__isnull=False)
                ),
                name="instruction_target_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="instruction_due"),
            models.Index(fields=["state", "lease_until"], name="instruction_lease"),
        ]

    def __str__(self):
        return f"{self.kind} {self.reference} {self.amount_fen} fen ({self.state})"
