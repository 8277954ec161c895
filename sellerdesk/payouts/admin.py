"""Admin: read-only views; account numbers appear masked only (the encrypted column is never shown)."""

from functools import wraps

from django.contrib import admin
from django.http import Http404
from django.urls import URLPattern

from sellerdesk.core.admin import ReadOnlyAdmin

from .models import (
    AccountChange,
    AuditLog,
    RailFault,
    RailInstruction,
    RailTransfer,
    SimulatedAccount,
    Wallet,
    Withdrawal,
    WithdrawalAccount,
)


@admin.register(WithdrawalAccount)
class WithdrawalAccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "kind", "masked", "holder_name", "bank_name", "is_corporate", "verified_at")
    fields = ("subject", "kind", "masked", "holder_name", "bank_name", "is_corporate", "created_at", "verified_at")
    search_fields = ("holder_name", "last4")


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "holder_role", "channel", "balance_fen", "account", "account_bound_at")
    list_filter = ("holder_role", "channel")


@admin.register(AccountChange)
class AccountChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "wallet",
        "status",
        "failure_reason",
        "new_account",
        "attempts_left",
        "expires_at",
        "proof",
        "created_at",
    )
    list_filter = ("status", "proof")
    exclude = ("expected_amount_fen",)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "success", "code", "actor", "subject", "ip")
    list_filter = ("action", "success")


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "wallet",
        "account",
        "amount_fen",
        "status",
        "held_until",
        "paid_at",
        "failed_reason",
        "created_at",
    )
    list_filter = ("status",)


@admin.register(RailInstruction)
class RailInstructionAdmin(ReadOnlyAdmin):
    """Read-only: an instruction changes only through the worker and CS 重新退款."""

    list_display = (
        "reference",
        "kind",
        "amount_fen",
        "state",
        "attempts",
        "requeues",
        "next_attempt_at",
        "maybe_sent",
        "failed_reason",
        "updated_at",
    )
    list_filter = ("kind", "state", "maybe_sent")
    search_fields = ("reference",)


class SandboxOnly:
    """The simulator's tables exist only in the sandbox: with another rail adapter (always in
    production) every page of theirs is 404, even before the admin login, and the index hides them."""

    def get_urls(self):
        from .rails import sandbox_enabled

        def gate(view):
            @wraps(view)
            def wrapped(request, *args, **kwargs):
                if not sandbox_enabled():
                    raise Http404("sandbox only")
                return view(request, *args, **kwargs)

            return wrapped

        return [
            URLPattern(p.pattern, gate(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
            for p in super().get_urls()
        ]

    def has_module_permission(self, request):
        from .rails import sandbox_enabled

        return sandbox_enabled() and super().has_module_permission(request)


@admin.register(RailTransfer)
class RailTransferAdmin(SandboxOnly, ReadOnlyAdmin):
    list_display = ("reference", "kind", "masked", "order_no", "amount_fen", "requests", "created_at")


# The simulated world (sandbox only): editable, so the demo can freeze an account or make the rail fail.
@admin.register(SimulatedAccount)
class SimulatedAccountAdmin(SandboxOnly, admin.ModelAdmin):
    list_display = ("id", "account_kind", "holder_name", "is_corporate", "state", "created_at")
    list_filter = ("state", "account_kind")
    list_editable = ("state",)
    fields = ("account_kind", "holder_name", "is_corporate", "state")

    def has_add_permission(self, request):
        return False  # accounts come into the simulated world with their number's fingerprint only


@admin.register(RailFault)
class RailFaultAdmin(SandboxOnly, admin.ModelAdmin):
    list_display = ("id", "mode", "operation", "reference", "order_no", "code", "remaining", "hits", "created_at")
    list_filter = ("mode", "operation")
