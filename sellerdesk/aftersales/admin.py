"""Django admin for CS leads and platform admins. History, evidence, refunds and rulings are
read-only here: they change only through the actions, so the admin can never half-apply one."""

from django.contrib import admin

from sellerdesk.core.admin import ReadOnlyAdmin

from .models import AfterSale, Attachment, Dispute, Evidence, EvidenceRequest, HistoryEntry, Offer, Refund, Ruling


class HistoryInline(admin.TabularInline):
    model = HistoryEntry
    fields = ("at", "actor_role", "actor", "kind", "body", "visibility")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AfterSale)
class AfterSaleAdmin(ReadOnlyAdmin):
    list_display = ("number", "shop", "buyer", "type", "status", "amount_fen", "due_at", "created_at")
    list_filter = ("status", "type")
    search_fields = ("number", "order__order_no", "buyer__username")
    list_select_related = ("shop", "buyer")
    inlines = [HistoryInline]
    show_full_result_count = False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("aftersale", "round", "status", "opened_at", "evidence_due_at", "timed_out", "outcome", "liable")
    list_filter = ("status", "timed_out", "liable")
    list_select_related = ("aftersale",)


@admin.register(Ruling)
class RulingAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "outcome", "amount_fen", "liable", "ruled_by", "ruled_at")
    list_filter = ("outcome", "liable")


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("aftersale", "at", "actor_role", "kind")
    list_filter = ("kind", "actor_role")


for model in (Evidence, EvidenceRequest, Offer, Refund, Attachment):
    admin.site.register(model, ReadOnlyAdmin)
