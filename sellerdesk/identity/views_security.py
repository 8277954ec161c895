"""安全设置 → 身份验证器: enrol an authenticator app (QR code and secret, confirmed with a first
code), see the recovery codes once, remove it. Thin: the rules are in identity.stepup.

Enrolling and removing both ask for the login password: whoever holds only a session must not be
able to swap in their own authenticator and then pass step-up with it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from sellerdesk.core.addresses import client_ip
from sellerdesk.core.errors import CodedError

from . import stepup
from .models import Role


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("登录密码"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "placeholder": gettext_lazy("请再次输入登录密码")}
        ),
    )


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6位验证码"),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "placeholder": "000000"}
        ),
    )


def _meta(request) -> dict:
    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400]}


def _path():
    return [
        {"label": gettext("卖家后台"), "url": "/"},
        {"label": gettext("账户中心"), "url": reverse("payouts:account_centre")},
        {"label": gettext("安全设置"), "url": reverse("security")},
    ]


def _member(request):
    # The account centre's users: merchants and distributors (others get a 404, as there).
    if request.user.role not in (Role.MERCHANT, Role.DISTRIBUTOR):
        raise Http404("安全设置只对商家和分销者开放。")


@login_required
@require_http_methods(["GET", "POST"])
def security(request):
    """安全设置: whether an authenticator is bound, recovery codes left; start enrolment or remove
    (both with the password)."""
    _member(request)
    user = request.user
    device = stepup.confirmed_totp(user)
    form = PasswordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        try:
            if device is None:
                stepup.enrol_totp(user, password=password, **_meta(request))
            else:
                stepup.remove_otp(user, password=password, **_meta(request))
        except CodedError as err:
            form.add_error("password", err.message)
            status = 429 if err.code == "step_up_throttled" else 200
        else:
            if device is None:
                return redirect("security_totp")
            messages.success(request, gettext("已解除身份验证器绑定，恢复码同时作废。"))
            return redirect("security")
    return render(
        request,
        "identity/security.html",
        {
            "device": device,
            "pending": stepup.pending_totp(user) if device is None else None,
            "codes_left": stepup.recovery_codes_left(user) if device else 0,
            "form": form,
            "path": _path(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def security_totp(request):
    """The pending device: its QR code and secret, and the first code that confirms it. On success
    the recovery codes are rendered in this response only (never stored in clear, never again)."""
    _member(request)
    user = request.user
    if stepup.confirmed_totp(user) is not None:
        return redirect("security")
    device = stepup.pending_totp(user)
    if device is None:
        return redirect("security")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = stepup.confirm_totp(user, form.cleaned_data["code"])
        except CodedError as err:
            form.add_error("code", err.message)
        else:
            return render(request, "identity/security_codes.html", {"codes": codes, "path": _path()})
    return render(
        request,
        "identity/security_totp.html",
        {
            "qr_svg": stepup.qr_svg(device),
            "secret": stepup.secret_text(device),
            "form": form,
            "path": _path(),
        },
    )


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"), max_length=80, initial="ERP", help_text=gettext_lazy("用来区分不同系统，例如 ERP")
    )
    password = PasswordForm.base_fields["password"]


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """API 令牌: the user's tokens (prefix, state, last use, expiry), revoke one, make one (with the
    password; the token is shown once)."""
    from django.conf import settings

    from sellerdesk.core import clock

    from .models import ApiToken

    user = request.user
    form = NewTokenForm(request.POST if "create" in request.POST else None)
    new_token = None
    if request.method == "POST" and "revoke" in request.POST:
        token = ApiToken.objects.filter(user=user, pk=request.POST.get("revoke") or 0).first()
        if token is None:
            raise Http404("没有这个令牌。")
        token.revoke()
        messages.success(request, gettext("令牌 %(prefix)s… 已撤销，立即失效。") % {"prefix": token.prefix})
        return redirect("api_tokens")
    if request.method == "POST" and form.is_valid():
        try:
            stepup.check_password_step_up(
                user, form.cleaned_data["password"], operation="api_token_issue", **_meta(request)
            )
        except CodedError as err:
            form.add_error("password", err.message)
        else:
            _, new_token = ApiToken.issue(user, name=form.cleaned_data["name"])
            form = NewTokenForm()
    now = clock.now()
    tokens = list(ApiToken.objects.filter(user=user).order_by("-id")[:200])
    for t in tokens:
        t.state_now = t.state(now)
    return render(
        request,
        "identity/api_tokens.html",
        {"tokens": tokens, "form": form, "new_token": new_token, "ttl_days": settings.SELLERDESK_API_TOKEN_TTL_DAYS},
    )
