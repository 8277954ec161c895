"""Step-up with an authenticator app: TOTP (RFC 6238) and one-time recovery codes, kept by django-otp.

A user has at most one TOTP device and one set of recovery codes. A TOTP device counts only once
`confirmed` (the user typed a first code from the app); recovery codes are made at that moment and
shown once. Throttling is django-otp's own (each failure doubles the wait before the next try on
that device); payouts.checks.check_step_up adds the per-user failure count shared with passwords.
"""

import base64
import re
import unicodedata

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sellerdesk.core.errors import CodedError, Conflict, InvalidInput
from sellerdesk.events.notices import notify
from sellerdesk.identity.error_codes import IdentityErrorCode as Code

RECOVERY_CODES = 10
SECURITY_PAGE = "/account-centre/security/"
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
_TOTP_CODE = re.compile(r"^\d{6}$")


def _normalise(code: str | None) -> str:
    # Full-width digits become ASCII; spaces and dashes people type between groups go.
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code or "")).lower()


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_totp(user) -> TOTPDevice | None:
    """The device enrolled but not yet confirmed with a first code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def has_otp(user) -> bool:
    """Whether the user can prove themselves with an authenticator code (a confirmed TOTP device)."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def check_password_step_up(
    user, password: str | None, *, operation: str, ip: str | None = None, user_agent: str = "", now=None
) -> None:
    """The login password again, throttled and audited like the step-up of payouts (the same
    failure count): enrolling or removing an authenticator changes what step-up accepts."""
    from sellerdesk.core import clock
    from sellerdesk.payouts.actions.audit import RequestMeta, record
    from sellerdesk.payouts.checks import check_step_up
    from sellerdesk.payouts.models import AuditAction

    now = now or clock.now()
    try:
        check_step_up(user, password=password, otp=None, now=now)
    except CodedError as exc:
        if exc.code == "step_up_failed":
            record(
                AuditAction.STEP_UP_FAILED,
                success=False,
                meta=RequestMeta(ip=ip, user_agent=user_agent),
                actor=user,
                code=exc.code,
                details={"operation": operation},
                now=now,
            )
        raise


def enrol_totp(user, *, password: str | None, ip: str | None = None, user_agent: str = "", now=None) -> TOTPDevice:
    """Start enrolment (the login password first): a new unconfirmed device with a fresh secret;
    any earlier unconfirmed one is discarded. A user who already has a confirmed device must
    remove it first (409 otp_already_enrolled)."""
    check_password_step_up(user, password, operation="otp_enrol", ip=ip, user_agent=user_agent, now=now)
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise Conflict(Code.OTP_ALREADY_ENROLLED)
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def confirm_totp(user, code: str | None) -> list[str]:
    """Confirm the pending device with a first code from the app; make the recovery codes and
    return them in clear (the only time they are shown). Wrong code: 400 otp_invalid, counted by
    django-otp's throttle (checked outside any transaction so that the count stays written)."""
    device = pending_totp(user)
    if device is None:
        raise Conflict(Code.OTP_NOT_ENROLLING)
    token = _normalise(code)
    if not _TOTP_CODE.match(token) or not device.verify_token(token):
        raise InvalidInput(Code.OTP_INVALID)
    with transaction.atomic():
        if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True) != 1:
            raise Conflict(Code.OTP_NOT_ENROLLING)
        notify([user], topic="security.authenticator_added", params={}, link=SECURITY_PAGE)
        return _new_recovery_codes(user)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def remove_otp(user, *, password: str | None, ip: str | None = None, user_agent: str = "", now=None) -> None:
    """Remove the authenticator and the recovery codes (the login password first)."""
    check_password_step_up(user, password, operation="otp_remove", ip=ip, user_agent=user_agent, now=now)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if removed:
            notify([user], topic="security.authenticator_removed", params={}, link=SECURITY_PAGE)


def _devices_for(user, token: str):
    # A six-digit code is the app's; anything else can only be a recovery code. Routing by shape
    # keeps a wrong code from counting against both devices' throttles.
    if _TOTP_CODE.match(token):
        return list(TOTPDevice.objects.filter(user=user, confirmed=True))
    return list(StaticDevice.objects.filter(user=user, confirmed=True))


def verify_otp(user, code: str | None) -> bool:
    """True when `code` is the user's current TOTP code (each code works once: django-otp keeps
    the last time step used) or one of their unused recovery codes (which is then spent). A device
    in its throttle delay refuses every code, right or wrong."""
    token = _normalise(code)
    if not token or not has_otp(user):
        return False
    return any(device.verify_token(token) for device in _devices_for(user, token))


def otp_retry_after(user, code: str | None) -> int:
    """Seconds until the device `code` would be checked against may be tried again (0 = now)."""
    from django.utils import timezone

    waits = []
    for device in _devices_for(user, _normalise(code)):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(max(int((data["locked_until"] - timezone.now()).total_seconds()) + 1, 1))
    return max(waits, default=0)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it when typed in: base32, in groups of four."""
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no external image, no script: fits the site's CSP)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff")
