"""Template filters of the pages: money, parties, files."""
from django import template
from django.urls import reverse

from sellerdesk.core.money import format_fen

register = template.Library()


@register.filter
def fen(value):
    """Integer fen -> "¥0.00"."""
    return format_fen(value)


@register.filter
def yuan_input(value):
    """Integer fen -> "12.34", for pre-filling an amount field."""
    if value in (None, ""):
        return ""
    return f"{int(value) / 100:.2f}"


@register.filter
def filesize(num):
    num = int(num or 0)
    if num >= 1024 * 1024:
        return f"{num / (1024 * 1024):.1f} MB"
    if num >= 1024:
        return f"{num / 1024:.0f} KB"
    return f"{num} B"


@register.filter
def attachment_url(attachment):
    return reverse("api:download_attachment", args=[attachment.pk])


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


def _label(choices_cls, value):
    try:
        return choices_cls(value).label
    except ValueError:
        return value or ""


@register.filter
def outcome_label(value):
    from sellerdesk.aftersales.models import Outcome
    return _label(Outcome, value)


@register.filter
def liable_label(value):
    from sellerdesk.aftersales.models import Liable
    return _label(Liable, value)


@register.filter
def dispute_status_label(value):
    from sellerdesk.aftersales.models import DisputeStatus
    return _label(DisputeStatus, value)


@register.filter
def party_label(value):
    from sellerdesk.aftersales.models import Party
    return _label(Party, value)


@register.filter
def buyer_name(user) -> str:
    """A buyer as others see them: the nickname, never the login name."""
    from sellerdesk.aftersales.names import buyer_name as name

    return name(user) if user else ""
