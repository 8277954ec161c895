from django.contrib import admin

from .models import Order, OrderItem


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "shop", "buyer", "paid_fen", "refunded_fen", "paid_at")
    search_fields = ("order_no",)
    inlines = [OrderItemInline]
    readonly_fields = ("refunded_fen",)
