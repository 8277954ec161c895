"""Test and demo builders. State is moved with the real actions; these only make the starting world."""

import itertools
import random

from stdnum.cn import ric, uscc

from sellerdesk.core import clock
from sellerdesk.identity.models import Role, Shop, Subject, SubjectKind, User
from sellerdesk.orders.actions import do_record_paid_order

_seq = itertools.count(1)


def resident_id(seed: int | None = None) -> str:
    rng = random.Random(seed)
    body = f"110105{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body)


def credit_code(seed: int | None = None) -> str:
    rng = random.Random(seed)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + "110105" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_subject(kind=SubjectKind.ENTERPRISE, legal_name=None) -> Subject:
    n = next(_seq)
    id_number = resident_id(n * 7919) if kind == SubjectKind.INDIVIDUAL else credit_code(n * 7919)
    return Subject.objects.create(kind=kind, legal_name=legal_name or f"测试主体{n}有限公司", id_number=id_number)


def make_user(username=None, role=Role.BUYER, password="sellerdesk-test-pw", **extra) -> User:
    username = username or f"{role}{next(_seq)}"
    return User.objects.create_user(username=username, password=password, role=role, **extra)


def make_shop(name=None, subject=None) -> Shop:
    return Shop.objects.create(name=name or f"店铺{next(_seq)}", subject=subject or make_subject())


def make_merchant(shop=None, username=None, *, owner=None, can_manage_payout_accounts=False) -> User:
    """A merchant user in `shop` (a new shop by default). owner=None: the owner if the shop has none yet,
    else staff (子账号), with `can_manage_payout_accounts` as given."""
    shop = shop or make_shop()
    if owner is None:
        owner = not shop.memberships.filter(is_owner=True).exists()
    user = make_user(username, role=Role.MERCHANT)
    user.shops.add(shop, through_defaults={"is_owner": owner, "can_manage_payout_accounts": can_manage_payout_accounts})
    return user


def make_order(*, shop, buyer, paid_fen=10000, order_no=None, paid_at=None, delivered_at=None, items=None):
    """A paid order; `items` as (title, quantity, unit_price_fen), one line of paid_fen by default."""
    lines = [
        {"sku": f"SKU-{n}", "title": title, "quantity": qty, "unit_price_fen": price}
        for n, (title, qty, price) in enumerate(items or [("测试商品", 1, paid_fen)], start=1)
    ]
    order, _ = do_record_paid_order(
        order_no=order_no or f"O{next(_seq):012d}",
        shop_id=shop.id,
        buyer_id=buyer.id,
        items=lines,
        paid_fen=paid_fen,
        paid_at=paid_at or clock.now(),
        delivered_at=delivered_at,
    )
    return order
