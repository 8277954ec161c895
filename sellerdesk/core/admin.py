from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through the actions (history, money, audit, events): the admin
    shows them and can never add, edit or delete one, so it cannot half-apply an action."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
