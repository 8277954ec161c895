from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from sellerdesk.core import clock

from .models import Notification


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
