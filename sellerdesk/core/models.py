from django.conf import settings
from django.db import models

from . import clock


class IdempotencyKey(models.Model):
    """One POST's Idempotency-Key, scoped to its caller, with the first response to replay."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        DONE = "done"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True, default="")
    response_content_type = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]


class WorkerHeartbeat(models.Model):
    """Each worker's sweeper writes here every round; /health reads it."""

    worker = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField(default=clock.now)
    swept = models.PositiveIntegerField(default=0)
