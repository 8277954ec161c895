from django.conf import settings
from django.db import models
from django.db.models import Q

from sellerdesk.core import clock
from sellerdesk.identity.models import Shop
from sellerdesk.orders.models import Order

from .enums import FINAL_STATUSES, AfterSaleType, Status


class AfterSale(models.Model):
    """A buyer's after-sales request (售后申请) on a paid order.

    `status` and `due_at` change only through aftersales.actions; `due_at` is the absolute UTC
    deadline of the current state (None when the state has none) and is the truth for timeouts.
    """

    number = models.CharField(max_length=24, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersales")
    # Denormalised from the order (its number never changes; save() copies it), so a search by its
    # beginning reads this table alone, on an index of CS's disputes too (migration 0020).
    order_no = models.CharField(max_length=40, default="", editable=False)
    # Denormalised from the order so the workbench list filters on one index.
    # No index of their own: the (shop_id, …) and (buyer_id, -id) indexes below and in the list
    # migrations serve every read by shop or buyer (migration 0021).
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="aftersales", db_index=False)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="aftersales", db_index=False
    )
    type = models.CharField(max_length=16, choices=AfterSaleType.choices)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.AWAITING_MERCHANT)
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    rejection_reason = models.CharField(max_length=500, blank=True, default="")
    return_carrier = models.CharField(max_length=60, blank=True, default="")
    return_tracking_no = models.CharField(max_length=60, blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)
    # When the buyer's window to request platform intervention ends (set on rejection).
    escalation_due_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The current (latest) round of the dispute, if the request was ever escalated. Every round is
    # its own Dispute row (aftersale.dispute_rounds), so a re-opened dispute keeps round 1 whole.
    dispute = models.OneToOneField(
        "Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="current_of"
    )

    @property
    def refund(self):
        """The refund the request's decision made, or None. An appeal's top-up is also in `refunds`."""
        return next((r for r in self.refunds.all() if r.source != "appeal"), None)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="aftersale_amount_positive"),
            # One open request per order at a time: the refundable amount cannot be promised twice.
            models.UniqueConstraint(
                fields=["order"],
                condition=~Q(status__in=sorted(s.value for s in FINAL_STATUSES)),
                name="one_open_aftersale_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "status", "-id"], name="aftersale_shop_status"),
            models.Index(fields=["shop", "-id"], name="aftersale_shop_recent"),
            models.Index(fields=["buyer", "-id"], name="aftersale_buyer_recent"),
            # Lists filtered on status alone, newest first (CS and admin): without it PostgreSQL walks
            # the primary key backwards and discards every other status.
            models.Index(fields=["status", "-id"], name="aftersale_status_recent"),
        ]

    def save(self, *args, **kwargs):
        if not self.order_no and self.order_id:
            self.order_no = self.order.order_no
        super().save(*args, **kwargs)

    def __str__(self):
        return self.number

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class ClaimLine(models.Model):
    """A claim on one order line (api.md: POST /aftersales `items`): how many units and how much.
    `refunded_fen` is what this request's refunds gave the line (common.make_refund)."""

    aftersale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="lines")
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.PROTECT, related_name="claims")
    quantity = models.PositiveIntegerField()
    amount_fen = models.BigIntegerField()
    refunded_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["aftersale", "order_item"], name="one_claim_per_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(amount_fen__gt=0), name="claim_line_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=models.F("amount_fen")),
                name="claim_line_refund_within_claim",
            ),
        ]
        ordering = ["id"]
