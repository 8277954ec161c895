"""Template filters of the after-sales pages: attachments, parties and the labels of stored values."""

from django import template
from django.urls import reverse

from sellerdesk.aftersales import names
from sellerdesk.aftersales.models import DisputeStatus, Liable, Outcome, Party

register = template.Library()


@register.filter
def attachment_url(attachment):
    return reverse("api:download_attachment", args=[attachment.pk])


def _label(choices_cls, value):
    try:
        return choices_cls(value).label
    except ValueError:
        return value or ""


@register.filter
def outcome_label(value):
    return _label(Outcome, value)


@register.filter
def liable_label(value):
    return _label(Liable, value)


@register.filter
def dispute_status_label(value):
    return _label(DisputeStatus, value)


@register.filter
def party_label(value):
    return _label(Party, value)


@register.filter
def buyer_name(user) -> str:
    """A buyer as others see them: the nickname, never the login name."""
    return names.buyer_name(user) if user else ""


@register.filter
def cs_name(user) -> str:
    """A CS agent as others see them: 平台客服 + agent number."""
    return names.cs_name(user) if user else ""
