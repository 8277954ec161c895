from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from sellerdesk.core import clock
from sellerdesk.identity.models import Shop


class Order(models.Model):
    """A paid order, pushed by the platform's order system."""

    order_no = models.CharField(max_length=40, unique=True)
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    paid_fen = models.BigIntegerField()
    paid_at = models.DateTimeField()
    # When the goods reached the buyer (pushed by the order system); the after-sales window counts
    # from it, or from paid_at while it is unknown.
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Sum of refunds made; only actions.refunds changes it, under the order's row lock.
    refunded_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(paid_fen__gt=0), name="order_paid_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("paid_fen")),
                name="order_refund_within_paid",
            ),
        ]
        indexes = [models.Index(fields=["buyer", "-paid_at"]), models.Index(fields=["shop", "-paid_at"])]

    def __str__(self):
        return self.order_no

    @property
    def refundable_fen(self) -> int:
        return self.paid_fen - self.refunded_fen

    @property
    def aftersale_window_ends_at(self):
        """The last moment a buyer may open an after-sales request on the order:
        SELLERDESK_AFTERSALE_WINDOW_SECONDS after delivery (after payment while delivery is unknown)."""
        window = timedelta(seconds=settings.SELLERDESK_DEADLINES["aftersale_window"])
        return (self.delivered_at or self.paid_at) + window


class OrderItem(models.Model):
    """An order line. A claim on some lines (aftersales.ClaimLine) refunds at most what the line
    was paid, and each unit once: refunded_fen and refunded_quantity change only in
    aftersales.actions.common.make_refund, under the order's row lock."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price_fen = models.BigIntegerField()
    # The line's share of what the buyer paid: its list total, less its share of the order's
    # discount (orders.actions.do_record_paid_order). Shipping is on no line.
    paid_fen = models.BigIntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("paid_fen")), name="item_refund_within_paid"
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")), name="item_refund_within_quantity"
            ),
            # A claim's cap divides by the line's units (aftersales.actions.opening.line_claimable_fen).
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
        ]

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_price_fen

    @property
    def refundable_fen(self) -> int:
        return self.paid_fen - self.refunded_fen

    @property
    def refundable_quantity(self) -> int:
        return self.quantity - self.refunded_quantity
