"""Owner and staff (api.md "Staff and step-up"): only the shop's owner, and staff the owner granted
`manage_payout_accounts`, change withdrawal accounts or withdraw; others get 403
`forbidden_permission` and nothing changes; only the owner grants, and every grant is audited."""

import pytest

from sellerdesk.identity.models import Role, ShopMembership, SubjectKind, User
from sellerdesk.payouts.models import AuditLog

from .conftest import PASSWORD, Api, card_number, error_code

pytestmark = pytest.mark.django_db


def _staff(owner):
    shop = owner.user.shops.get()
    user = User.objects.create_user(username=f"staff-of-{shop.pk}", password=PASSWORD, role=Role.MERCHANT)
    user.shops.add(shop, through_defaults={"is_owner": False})
    return user, shop


def test_staff_without_the_permission_get_403_on_change_and_withdraw_and_nothing_changes(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    staff, _ = _staff(owner)
    api = Api(staff)
    before = (owner.wallet("anxin").account_id, owner.wallet("anxin").balance_fen)

    change = api.post(
        "/wallets/anxin/account-changes",
        {
            "account_no": card_number(9301),
            "holder_name": owner.subject.legal_name,
            "bank_name": "中国银行",
            "password": PASSWORD,
        },
    )
    withdraw = api.post("/wallets/anxin/withdrawals", {"amount_fen": 1000, "password": PASSWORD})

    assert change.status_code == 403 and error_code(change) == "forbidden_permission"
    assert withdraw.status_code == 403 and error_code(withdraw) == "forbidden_permission"
    assert (owner.wallet("anxin").account_id, owner.wallet("anxin").balance_fen) == before
    assert AuditLog.objects.filter(actor=staff, success=False).count() == 2


def test_the_owner_grants_the_permission_and_then_the_staff_member_may_withdraw(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    staff, shop = _staff(owner)
    granted = owner.api.post(
        f"/shops/{shop.pk}/staff/{staff.pk}/payout-permission", {"can_manage_payout_accounts": True}
    )
    assert granted.status_code == 200 and granted.json()["can_manage_payout_accounts"] is True
    assert ShopMembership.objects.get(user=staff, shop=shop).can_manage_payout_accounts
    assert AuditLog.objects.filter(actor=owner.user, action="payout_permission_granted").count() == 1

    withdraw = Api(staff).post("/wallets/anxin/withdrawals", {"amount_fen": 1000, "password": PASSWORD})
    assert withdraw.status_code == 201, withdraw.content


def test_only_the_owner_grants_or_lists_staff(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    staff, shop = _staff(owner)
    api = Api(staff)
    grant = api.post(f"/shops/{shop.pk}/staff/{staff.pk}/payout-permission", {"can_manage_payout_accounts": True})
    assert grant.status_code == 403 and error_code(grant) == "forbidden_permission"
    assert api.get(f"/shops/{shop.pk}/staff").status_code == 403
    assert not ShopMembership.objects.get(user=staff, shop=shop).can_manage_payout_accounts
    other = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    assert other.api.get(f"/shops/{shop.pk}/staff").status_code in (403, 404)


def test_a_merchant_with_two_shops_must_say_which_one_it_acts_for(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    second = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="第二家公司")
    owner.user.shops.add(
        second.user.shops.get(), through_defaults={"is_owner": False, "can_manage_payout_accounts": True}
    )
    ambiguous = owner.api.get("/wallets")
    assert ambiguous.status_code == 400 and error_code(ambiguous) == "shop_required"
    chosen = owner.api.get("/wallets", shop_id=second.user.shops.get().pk)
    assert chosen.status_code == 200
