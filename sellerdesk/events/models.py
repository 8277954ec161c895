from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from sellerdesk.core import clock


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it reports; delivered after commit.

    The scope columns (`aftersale_id`, `shop_id`, `buyer_id`, `subject_id`, `holder_role`) say who
    may see it: GET /events and webhook endpoints filter on them. `dispatched_at` is set when the
    dispatcher has made its deliveries; `delivered_at` once every delivery of it succeeded (or it
    had no endpoint to go to). Retention prunes only delivered events.
    """

    topic = models.CharField(max_length=64, db_index=True)
    aggregate_type = models.CharField(max_length=32)
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    aftersale_id = models.BigIntegerField(null=True, blank=True)
    shop_id = models.BigIntegerField(null=True, blank=True)
    buyer_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    holder_role = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=Q(dispatched_at__isnull=True), name="outbox_undispatched"),
            models.Index(fields=["delivered_at"], name="outbox_delivered"),
            models.Index(fields=["shop_id", "id"], name="outbox_shop"),
            models.Index(fields=["buyer_id", "id"], name="outbox_buyer"),
            models.Index(fields=["subject_id", "id"], name="outbox_subject"),
            models.Index(fields=["aftersale_id", "id"], name="outbox_aftersale"),
        ]

    def __str__(self):
        return f"{self.topic} {self.aggregate_type}:{self.aggregate_id}"

    @property
    def order_key(self) -> str:
        """Events with the same key reach an endpoint in order (one after-sale, one wallet)."""
        return f"{self.aggregate_type}:{self.aggregate_id}"


class Notification(models.Model):
    """An in-app notification (站内信) for one user: the event's topic and parameters, rendered in
    the reader's language when read (events.notices). `email_state` tracks the second channel."""

    class EmailState(models.TextChoices):
        NONE = "", "none"
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        SKIPPED = "skipped", "skipped"  # the user has no e-mail address
        FAILED = "failed", "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    topic = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True, default="")
    event = models.ForeignKey(OutboxEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    aftersale_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=8, choices=EmailState.choices, blank=True, default="")
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "read_at", "-id"], name="notification_inbox"),
            models.Index(fields=["id"], condition=Q(email_state="pending"), name="notification_email_due"),
        ]

    @cached_property
    def rendered(self) -> tuple[str, str]:
        from .notices import render

        return render(self)

    @property
    def title(self) -> str:
        return self.rendered[0]

    @property
    def body(self) -> str:
        return self.rendered[1]


class WebhookEndpoint(models.Model):
    """A URL a merchant (for one shop) or the platform registered to receive events.

    The signing secret is stored encrypted (payouts.crypto, MultiFernet). After a rotation the
    previous secret keeps signing beside the new one until `previous_secret_expires_at`.
    """

    class Status(models.TextChoices):
        ENABLED = "enabled", "enabled"
        FAILING = "failing", "failing"  # a delivery went dead; still delivering, the owner was told
        DISABLED = "disabled", "disabled"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints")
    # Merchant endpoints serve one shop; platform endpoints have none and receive every dispute's events.
    shop = models.ForeignKey("identity.Shop", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="webhook_endpoint_status")]

    def __str__(self):
        return f"{self.url} ({self.status})"

    def wants(self, topic: str) -> bool:
        return "*" in self.event_types or topic in self.event_types


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint: retried until a 2xx, or `dead` after the schedule.

    `sending` is a lease: a worker that dies mid-send leaves the row to be claimed again after
    `lease_until`, and the event goes out again with the same webhook-id.
    """

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SUCCEEDED = "succeeded", "succeeded"
        RETRYING = "retrying", "retrying"
        DEAD = "dead", "dead"

    UNFINISHED = (State.PENDING, State.SENDING, State.RETRYING)

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    order_key = models.CharField(max_length=100)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Failures since the last success or resend: the step of the retry schedule.
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint_event")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "retrying", "sending"]),
                name="delivery_due",
            ),
            models.Index(
                fields=["endpoint", "order_key", "event"],
                condition=Q(state__in=["pending", "retrying", "sending"]),
                name="delivery_order",
            ),
            models.Index(fields=["endpoint", "-id"], name="delivery_recent"),
        ]


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery, kept for the owner's delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=clock.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["delivery", "number"], name="attempt_of_delivery")]
