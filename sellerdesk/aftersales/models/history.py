from django.conf import settings
from django.db import models

from sellerdesk.core import clock

from .aftersale import AfterSale
from .enums import HistoryKind, Party, Visibility


class AppendOnlyError(Exception):
    pass


class HistoryQuerySet(models.QuerySet):
    """Bulk update() and delete() would bypass the model's save()/delete() guards."""

    def update(self, **kwargs):
        raise AppendOnlyError("History entries are append-only")

    def delete(self):
        raise AppendOnlyError("History entries are append-only")


class HistoryEntry(models.Model):
    """One entry of the negotiation history (协商历史). Append-only: never updated or deleted."""

    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=16, choices=Party.choices)
    kind = models.CharField(max_length=32, choices=HistoryKind.choices)
    body = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.ALL)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["aftersale", "id"], name="history_timeline")]
        verbose_name_plural = "history entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("History entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("History entries are append-only")
