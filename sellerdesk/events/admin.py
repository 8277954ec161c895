from django.contrib import admin

from sellerdesk.core.admin import ReadOnlyAdmin

from .models import Notification, OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "topic", "aggregate_type", "aggregate_id", "created_at", "delivered_at")
    list_filter = ("topic",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "topic", "title", "created_at", "read_at")
