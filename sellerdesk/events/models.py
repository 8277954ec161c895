from django.conf import settings
from django.db import models

from sellerdesk.core import clock


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it reports; delivered after commit."""

    topic = models.CharField(max_length=64, db_index=True)
    aggregate_type = models.CharField(max_length=32)
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["delivered_at", "id"], name="outbox_pending")]

    def __str__(self):
        return f"{self.topic} {self.aggregate_type}:{self.aggregate_id}"


class Notification(models.Model):
    """An in-app notification (站内信) for one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    topic = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at", "-id"], name="notification_inbox")]
