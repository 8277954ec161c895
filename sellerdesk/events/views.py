"""Pages of the events app: 消息通知 (every user) and 消息推送 (merchants' webhook endpoints).

Thin: endpoints are read through webhooks.endpoints_visible_to / access_endpoint and changed only
through the do_* actions (acting_user=request.user, now=clock.now()). Another shop's endpoint or
delivery is 404; a role other than merchant gets the 403 page. A new or rotated secret is put in
the session by the POST and taken out by the page it redirects to, so it is shown exactly once
and a reload neither shows it again nor repeats the POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError, NotFound
from sellerdesk.core.pagination import paginate
from sellerdesk.identity.models import Role

from . import webhooks
from .api import delivery_out
from .forms import WebhookEndpointForm
from .labels import DELIVERY_STATE_LABELS, ENDPOINT_STATUS_LABELS, event_type_label
from .models import Notification, WebhookDelivery, WebhookEndpoint

DELIVERIES_PER_PAGE = 20
SECRET_ONCE = "webhooks.secret_once"  # session key: {"endpoint_id", "secret", "kind"}


@login_required
def notifications(request):
    """站内信: the user's latest notifications; opening the page marks them read."""
    items = list(Notification.objects.filter(user=request.user).order_by("-id")[:50])
    unread = [n.pk for n in items if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=clock.now())
    return render(request, "events/notifications.html", {"items": items, "unread_ids": set(unread)})


def unread_notifications(request):
    """Context processor: the unread count shown in the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}


# ------------------------------------------------------------------------------ 消息推送 (webhooks)


def _merchant(request) -> None:
    if request.user.role != Role.MERCHANT:
        raise PermissionDenied(gettext("这个页面只对商家开放。"))


def _endpoint(request, endpoint_id: int) -> WebhookEndpoint:
    try:
        return webhooks.access_endpoint(request.user, endpoint_id)
    except NotFound:
        raise Http404(gettext("没有找到这个推送地址。")) from None


def _keep_secret(request, endpoint: WebhookEndpoint, secret: str, kind: str) -> None:
    request.session[SECRET_ONCE] = {"endpoint_id": endpoint.pk, "secret": secret, "kind": kind}


def _take_secret(request, *, kind: str, endpoint_id: int | None = None) -> dict | None:
    """The secret the last POST left for this page, removed from the session as it is read."""
    found = request.session.get(SECRET_ONCE)
    if not found or found.get("kind") != kind or (endpoint_id is not None and found.get("endpoint_id") != endpoint_id):
        return None
    del request.session[SECRET_ONCE]
    return found


def _status(endpoint: WebhookEndpoint) -> dict:
    return {"value": endpoint.status, "label": ENDPOINT_STATUS_LABELS.get(endpoint.status, endpoint.status)}


def _endpoint_view(endpoint: WebhookEndpoint) -> dict:
    return {
        "e": endpoint,
        "status": _status(endpoint),
        "types": [event_type_label(t) for t in endpoint.event_types],
        "all_events": "*" in endpoint.event_types,
        "url": reverse("webhook_detail", args=[endpoint.pk]),
    }


def _delivery_view(d: WebhookDelivery) -> dict:
    row = delivery_out(d)
    row.update(
        state_label=DELIVERY_STATE_LABELS.get(d.state, d.state),
        type_label=event_type_label(row["event_type"]),
        number=(d.event.payload or {}).get("number", ""),
        aftersale_id=d.event.aftersale_id,
    )
    return row


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def webhooks_page(request):
    """消息推送: the shop's endpoints and the form to add one."""
    _merchant(request)
    user = request.user
    shops = list(user.shops.order_by("id"))
    form = WebhookEndpointForm(request.POST or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhooks.do_register_endpoint(
                acting_user=user, now=clock.now(), **form.register_kwargs()
            )
        except CodedError as err:
            form.add_coded_error(err)
        else:
            _keep_secret(request, endpoint, secret, "created")
            messages.success(request, gettext("已添加推送地址 %(url)s。") % {"url": endpoint.url})
            return redirect("webhooks")
    endpoints = webhooks.endpoints_visible_to(user).select_related("shop").order_by("-id")
    revealed = _take_secret(request, kind="created")
    return render(
        request,
        "events/webhooks.html",
        {
            "form": form,
            "endpoints": [_endpoint_view(e) for e in endpoints],
            "several_shops": len(shops) > 1,
            "revealed": revealed,
            "revealed_endpoint": endpoints.filter(pk=revealed["endpoint_id"]).first() if revealed else None,
        },
    )


@login_required
@never_cache
def webhook_detail(request, endpoint_id: int):
    """One endpoint: its settings, 更换密钥, 停用, and its recent deliveries (newest first)."""
    _merchant(request)
    endpoint = _endpoint(request, endpoint_id)
    cursor = request.GET.get("cursor") or None
    error = ""
    try:
        rows, next_cursor = paginate(
            WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event"),
            cursor=cursor,
            limit=DELIVERIES_PER_PAGE,
        )
    except CodedError:
        error, cursor = gettext("翻页链接已失效，已回到第一页。"), None
        rows, next_cursor = paginate(
            WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event"),
            cursor=None,
            limit=DELIVERIES_PER_PAGE,
        )
    now = clock.now()
    previous_until = endpoint.previous_secret_expires_at
    return render(
        request,
        "events/webhook_detail.html",
        {
            "endpoint": _endpoint_view(endpoint),
            "e": endpoint,
            "several_shops": request.user.shops.count() > 1,
            "deliveries": [_delivery_view(d) for d in rows],
            "next_cursor": next_cursor,
            "is_first_page": not cursor,
            "cursor": cursor or "",
            "error": error,
            "previous_secret_until": previous_until if previous_until and previous_until > now else None,
            "revealed": _take_secret(request, kind="rotated", endpoint_id=endpoint.pk),
            "disabled": endpoint.status == WebhookEndpoint.Status.DISABLED,
        },
    )


@login_required
@require_POST
def webhook_rotate(request, endpoint_id: int):
    """更换密钥: a new secret, shown once on the endpoint's page; the old one signs beside it for 24 h."""
    _merchant(request)
    _endpoint(request, endpoint_id)
    try:
        endpoint, secret = webhooks.do_rotate_secret(endpoint_id, acting_user=request.user, now=clock.now())
    except NotFound:
        raise Http404(gettext("没有找到这个推送地址。")) from None
    except CodedError as err:
        messages.error(request, err.message)
    else:
        _keep_secret(request, endpoint, secret, "rotated")
        messages.success(request, gettext("已更换签名密钥。"))
    return redirect("webhook_detail", endpoint_id)


@login_required
@require_POST
def webhook_disable(request, endpoint_id: int):
    """停用: nothing more is sent there; what was still on its way is given up."""
    _merchant(request)
    _endpoint(request, endpoint_id)
    try:
        endpoint = webhooks.do_disable_endpoint(endpoint_id, acting_user=request.user, now=clock.now())
    except NotFound:
        raise Http404(gettext("没有找到这个推送地址。")) from None
    except CodedError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, gettext("已停用推送地址 %(url)s，之后不再向它推送事件。") % {"url": endpoint.url})
    return redirect("webhook_detail", endpoint_id)


@login_required
@require_POST
def webhook_resend(request, endpoint_id: int, delivery_id: int):
    """重新发送: the delivery goes out again now, with the same webhook-id and a fresh retry schedule."""
    _merchant(request)
    endpoint = _endpoint(request, endpoint_id)
    if not WebhookDelivery.objects.filter(pk=delivery_id, endpoint=endpoint).exists():
        raise Http404(gettext("没有找到这条推送记录。"))
    try:
        delivery = webhooks.do_resend(delivery_id, acting_user=request.user, now=clock.now())
    except NotFound:
        raise Http404(gettext("没有找到这条推送记录。")) from None
    except CodedError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            gettext("事件 #%(event)s 已重新加入发送队列，将使用相同的 webhook-id 尽快推送。")
            % {"event": delivery.event_id},
        )
    target = reverse("webhook_detail", args=[endpoint_id])
    cursor = request.POST.get("cursor", "")
    if cursor:
        target += "?" + urlencode({"cursor": cursor})
    return redirect(target + f"#delivery-{delivery_id}")
