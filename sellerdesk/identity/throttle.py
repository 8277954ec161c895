"""Failed log-ins (django-axes): lock the username + address pair, not the username or the address.

A stranger's wrong passwords for `merchant` from elsewhere no longer lock the owner out at home,
and one noisy client behind a shared address no longer locks everyone behind it; an address is
locked only past a much higher ceiling of failures over all usernames
(SELLERDESK_LOGIN_ADDRESS_CEILING). Every lockout answers 429 with Retry-After.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone


class LoginThrottle(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair = super().get_failures(request, credentials)
        ip = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        if not ip:
            return pair
        since = timezone.now() - (get_cool_off(request) or settings.AXES_COOLOFF_TIME)
        from_address = (
            AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0
        )
        # Reported on the per-pair scale so axes' one limit applies to both.
        if from_address >= settings.SELLERDESK_LOGIN_ADDRESS_CEILING:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair


def retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the reason, as 429 with Retry-After."""
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    response = render(
        request,
        "identity/login.html",
        {"form": form, "locked_out": True, "retry_minutes": retry_after_seconds() // 60},
        status=429,
    )
    response["Retry-After"] = str(retry_after_seconds())
    return response
