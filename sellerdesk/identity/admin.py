from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Shop, ShopMembership, Subject, User


class MembershipInline(admin.TabularInline):
    model = ShopMembership
    extra = 0
    fields = ("shop", "is_owner", "can_manage_payout_accounts")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "subject", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("SellerDesk", {"fields": ("role", "subject", "distributor_qualified")}),)
    inlines = [MembershipInline]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    """Read-only, and the ID number only masked: never the clear value, nor its ciphertext or fingerprint."""

    list_display = ("legal_name", "kind", "masked_id")
    fields = ("kind", "legal_name", "masked_id", "verified_at")
    readonly_fields = ("kind", "legal_name", "masked_id", "verified_at")
    search_fields = ("legal_name",)

    @admin.display(description="ID number (masked)")
    def masked_id(self, obj):
        return obj.masked_id

    def has_add_permission(self, request):
        return False


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "subject")
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")
