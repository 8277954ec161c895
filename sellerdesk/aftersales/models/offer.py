from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sellerdesk.core import clock

from .aftersale import AfterSale


class Offer(models.Model):
    """The merchant's partial-refund offer; the buyer accepts (refund of that amount) or declines."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        ACCEPTED = "accepted", "accepted"
        DECLINED = "declined", "declined"
        SUPERSEDED = "superseded", "superseded"
        LAPSED = "lapsed", "lapsed"

    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="offers")
    amount_fen = models.BigIntegerField()
    note = models.CharField(max_length=500, blank=True, default="")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=clock.now)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="offer_amount_positive"),
            models.UniqueConstraint(fields=["aftersale"], condition=Q(state="open"), name="one_open_offer"),
        ]


class Refund(models.Model):
    """The refund a request's decision made. One per request, enforced by the database: no double
    refund; an appeal overturned in the buyer's favour adds at most one more, of the difference.

    Decided by an action (the row and a rail instruction are written in its transaction), then
    sent to the payment rail by the worker after commit, idempotent on `reference`:
    pending → succeeded, or failed once the retries are used up (a case for CS, who may send it
    again with the same reference). The order's `refunded_fen` counts it from the decision on.
    """

    class Source(models.TextChoices):
        MERCHANT_APPROVED = "merchant_approved", "merchant approved"
        AUTO_APPROVED = "auto_approved", "auto approved"
        RECEIPT_CONFIRMED = "receipt_confirmed", "receipt confirmed"
        OFFER_ACCEPTED = "offer_accepted", "offer accepted"
        RULING = "ruling", "ruling"
        APPEAL = "appeal", "appeal"

    class Status(models.TextChoices):
        PENDING = "pending", _("退款中")
        SUCCEEDED = "succeeded", _("退款成功")
        FAILED = "failed", _("退款失败")

    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.BigIntegerField()
    source = models.CharField(max_length=24, choices=Source.choices)
    created_at = models.DateTimeField(default=clock.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The payment rail's idempotency key (out_refund_no): the same on every send, retries included.
    reference = models.CharField(max_length=64, unique=True)
    failed_reason = models.CharField(max_length=64, blank=True, default="")
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(fields=["aftersale"], condition=~Q(source="appeal"), name="one_decided_refund"),
            models.UniqueConstraint(fields=["aftersale"], condition=Q(source="appeal"), name="one_appeal_refund"),
        ]
        indexes = [models.Index(fields=["status", "failed_at"], name="refund_status")]

    @staticmethod
    def reference_for(aftersale, source=None) -> str:
        suffix = "-appeal" if source == Refund.Source.APPEAL else ""
        return f"refund-{aftersale.number}{suffix}"
