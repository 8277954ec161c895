"""Site-wide template filters: money, file sizes, dictionary lookups."""

from django import template

from sellerdesk.core.money import fen_to_yuan, format_fen

register = template.Library()


@register.filter
def fen(value):
    """Integer fen -> "¥0.00"."""
    return format_fen(value)


@register.filter
def yuan_input(value):
    """Integer fen -> "12.34", for pre-filling an amount field."""
    return fen_to_yuan(value)


@register.filter
def filesize(num):
    num = int(num or 0)
    if num >= 1024 * 1024:
        return f"{num / (1024 * 1024):.1f} MB"
    if num >= 1024:
        return f"{num / 1024:.0f} KB"
    return f"{num} B"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
