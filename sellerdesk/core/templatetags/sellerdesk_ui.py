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


@register.filter
def header_name(user) -> str:
    """Who the top bar says is signed in, as others see them: a merchant's staff as their shop, a
    buyer by nickname, an agent as 平台客服 + number; never the login name where a name exists."""
    from sellerdesk.aftersales import names
    from sellerdesk.identity.models import Role

    if user.role == Role.MERCHANT:
        shops = [m.shop.name for m in user.memberships()]
        if shops:
            return shops[0] if len(shops) == 1 else f"{shops[0]} +{len(shops) - 1}"
    if user.role == Role.BUYER:
        return names.buyer_name(user)
    if user.role in (Role.CS, Role.ADMIN):
        return names.cs_name(user)
    return user.get_full_name() or user.username
