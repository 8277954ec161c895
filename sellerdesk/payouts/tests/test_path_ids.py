"""A path id beyond 64 bits names no row: 404 like any id that is not yours, never a 500 (found by
the deep fuzz: SQLite raised OverflowError on the staff endpoints' foreign-key lookups)."""

import pytest

from sellerdesk.identity.models import Role, SubjectKind

from .conftest import error_code

pytestmark = pytest.mark.django_db
HUGE = 388169405281937457152  # > 2**63


def test_a_shop_id_beyond_64_bits_is_404_on_the_staff_list(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    response = owner.api.get(f"/shops/{HUGE}/staff")
    assert response.status_code == 404 and error_code(response) == "shop_not_found"
    response = owner.api.get(f"/shops/{-HUGE}/staff")
    assert response.status_code == 404 and error_code(response) == "shop_not_found"


def test_ids_beyond_64_bits_are_404_on_the_payout_permission(make_seller):
    owner = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    shop = owner.user.shops.get()
    body = {"can_manage_payout_accounts": True}
    response = owner.api.post(f"/shops/{HUGE}/staff/1/payout-permission", body)
    assert response.status_code == 404 and error_code(response) == "shop_not_found"
    response = owner.api.post(f"/shops/{shop.pk}/staff/{HUGE}/payout-permission", body)
    assert response.status_code == 404 and error_code(response) == "staff_not_found"
