"""How people are named to each other (api.md): by display name, never by login name.

A merchant's staff speak as the shop; a buyer by their nickname (`first_name`, else 买家 + a number
that is not the login); CS as 平台客服 + agent number; the system by no name.
"""

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from .models import Party

MAX_ID = 2**63 - 1


def agent_number(user) -> str:
    return f"{user.pk:04d}"


def buyer_label(nickname: str, user_id: int) -> str:
    return nickname or gettext("买家%(n)s") % {"n": f"{user_id:04d}"}


def unnamed_buyer_id(shown: str) -> int | None:
    """The user id in a name `buyer_label` gives a buyer without a nickname (买家0042, or Buyer 0042
    on the English pages: a merchant searches for what the list showed), else None."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            before, _, after = gettext("买家%(n)s").partition("%(n)s")
        match = re.fullmatch(rf"{re.escape(before)}\s*([0-9]{{1,19}}){re.escape(after)}", shown, re.IGNORECASE)
        if match and int(match[1]) <= MAX_ID:
            return int(match[1])
    return None


def buyer_name(user) -> str:
    return buyer_label(user.first_name, user.pk)


def cs_name(user) -> str:
    return gettext("平台客服 %(n)s") % {"n": agent_number(user)}


def actor_name(entry, aftersale) -> str | None:
    """The name shown beside a history entry of `aftersale`."""
    if not entry.actor_id:
        return None
    if entry.actor_role == Party.MERCHANT:
        return aftersale.shop.name
    if entry.actor_role == Party.BUYER:
        return buyer_name(entry.actor)
    if entry.actor_role == Party.CS:
        return cs_name(entry.actor)
    return None
