from django.conf import settings
from django.db import models

from sellerdesk.core import clock
from sellerdesk.identity.models import Subject

from .enums import AuditAction


class AppendOnlyError(RuntimeError):
    pass


class AuditLog(models.Model):
    """Append-only record of every attempt, success and failure on withdrawal accounts.

    `details` holds codes, masked numbers and fingerprints only, never an account number.
    """

    at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    wallet = models.ForeignKey("payouts.Wallet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change = models.ForeignKey(
        "payouts.AccountChange", null=True, blank=True, on_delete=models.PROTECT, related_name="audit"
    )
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    success = models.BooleanField()
    code = models.CharField(max_length=64, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["actor", "action", "at"], name="audit_actor_action"),
            models.Index(fields=["subject", "-id"], name="audit_subject_recent"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {'ok' if self.success else self.code}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are never deleted.")
