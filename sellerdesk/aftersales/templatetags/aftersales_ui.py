"""Template filters of the after-sales pages: attachments, parties and the labels of stored values."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sellerdesk.aftersales import names
from sellerdesk.aftersales.models import DisputeStatus, HistoryKind, Liable, Outcome, Party
from sellerdesk.core.money import format_fen

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


# History entries the system words itself (a refund, a timeout): their stored body is the Chinese
# the API keeps; a page words them again in the reader's language from the entry's data.
_SYSTEM_BODIES = {
    HistoryKind.REFUNDED: _("退款 %(amount)s"),
    HistoryKind.REFUND_SUCCEEDED: _("退款 %(amount)s 已原路退回"),
    HistoryKind.REFUND_FAILED: _("退款 %(amount)s 暂未成功，平台客服会跟进处理"),
    HistoryKind.REFUND_RETRIED: _("平台客服重新发起退款 %(amount)s"),
    HistoryKind.EVIDENCE_TIMED_OUT: _("商家超时未举证，纠纷已转平台客服处理"),
    HistoryKind.COMPENSATED: _("补偿 %(amount)s"),
}


@register.filter
def history_body(entry) -> str:
    """What a history entry says: what its author wrote, or the system's words in the reader's language."""
    words = _SYSTEM_BODIES.get(entry.kind)
    if words is None:
        return entry.body
    return str(words) % {"amount": format_fen((entry.data or {}).get("amount_fen") or 0)}
