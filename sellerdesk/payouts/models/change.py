from django.conf import settings
from django.db import models

from sellerdesk.core import clock

from .enums import ChangeFailure, ChangeStatus, SubjectProof
from .wallet import Wallet, WithdrawalAccount


class AccountChange(models.Model):
    """One request to replace a wallet's withdrawal account (更换银行卡 / 更换账户).

    The wallet keeps `old_account` until the change is `completed`. `proof` says how the new
    account was shown to be the subject's: the rail's checks complete it at once; otherwise it stays
    `pending_verification` until the owner enters the micro-deposit amount. `expires_at` is the
    truth for expiry, whether or not a sweeper has run.
    """

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="changes")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    old_account = models.ForeignKey(
        WithdrawalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_account = models.ForeignKey(WithdrawalAccount, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=24, choices=ChangeStatus.choices)
    failure_reason = models.CharField(max_length=24, choices=ChangeFailure.choices, blank=True, default="")
    # The micro-deposit SellerDesk chose and the rail sends; never returned by the API (the owner
    # reads it from their statement).
    expected_amount_fen = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    rail_reference = models.CharField(max_length=64, blank=True, default="")
    # Set when the rail confirmed the micro-deposit; verification is refused before that.
    micro_deposit_sent_at = models.DateTimeField(null=True, blank=True)
    attempts_left = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    proof = models.CharField(max_length=16, choices=SubjectProof.choices, default=SubjectProof.MICRO_DEPOSIT)
    created_at = models.DateTimeField(default=clock.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["wallet", "status"], name="change_wallet_status"),
            models.Index(fields=["status", "expires_at"], name="change_expiry"),
        ]

    def __str__(self):
        return f"AccountChange #{self.pk} ({self.status})"

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and now > self.expires_at

    def effective_status(self, now) -> str:
        """The status as the deadline judges it, even before the sweeper has recorded it."""
        if self.status == ChangeStatus.PENDING_VERIFICATION and self.is_expired(now):
            return ChangeStatus.FAILED
        return self.status
