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


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price_fen = models.BigIntegerField()

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_price_fen
