from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Shop, Subject, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "subject", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("SellerDesk", {"fields": ("role", "subject", "shops", "distributor_qualified")}),)


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "kind", "masked_id")
    readonly_fields = ("kind", "legal_name", "id_number")


admin.site.register(Shop)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")
