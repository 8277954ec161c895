"""Object-level access: other people's wallets, changes and statements are 404."""

import pytest
from django.test import override_settings

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.models import AccountChange, ChangeStatus
from sellerdesk.payouts.rails.simulator import SimulatorRail

from .conftest import Api, card_number, corporate_number, error_code, run_rail_worker


class ProductionLikeRail(SimulatorRail):
    is_simulator = False


@pytest.fixture
def pending(merchant):
    number = corporate_number(3000)
    body = merchant.change_card("anxin", number, corporate=True).json()
    return body, number


@pytest.mark.django_db
def test_another_users_change_is_404(make_seller, merchant, pending):
    body, number = pending
    other = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="另一家公司")
    assert other.api.get(f"/account-changes/{body['id']}").status_code == 404
    amount = merchant.statement_amount(number[-4:])
    verify = other.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount})
    assert verify.status_code == 404 and error_code(verify) == "account_change_not_found"
    assert other.api.post(f"/account-changes/{body['id']}/cancel").status_code == 404
    assert AccountChange.objects.get(pk=body["id"]).status == ChangeStatus.PENDING_VERIFICATION
    assert AccountChange.objects.get(pk=body["id"]).attempts_left == 3
    assert other.api.get("/account-changes/999999").status_code == 404


@pytest.mark.django_db
def test_another_users_wallet_cannot_be_changed(make_seller, merchant):
    # There is no way to address someone else's wallet: the path names only a channel, the wallet
    # is always the caller's own. Another merchant's change lands on their own wallet.
    other = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL, legal_name="韩梅梅")
    before = merchant.wallet("anxin").account_id
    other.change_card("anxin", card_number(3100))
    assert merchant.wallet("anxin").account_id == before


@pytest.mark.django_db
def test_fellow_staff_of_the_same_shop_see_the_change(merchant, pending, django_user_model):
    body, _ = pending
    colleague = django_user_model.objects.create_user(username="staff2", password="x-long-password", role=Role.MERCHANT)
    colleague.shops.add(*merchant.user.shops.all())
    assert Api(colleague).get(f"/account-changes/{body['id']}").status_code == 200


@pytest.mark.django_db
def test_statement_shows_only_the_callers_accounts_and_everything_to_admin(
    make_seller, merchant, pending, django_user_model
):
    _, number = pending
    run_rail_worker()
    other = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="另一家公司")
    assert other.api.get("/sandbox/rail/statement", account_last4=number[-4:]).json()["items"] == []
    assert other.api.get("/sandbox/rail/statement").json()["items"] == []
    mine = merchant.api.get("/sandbox/rail/statement").json()["items"]
    assert [(line["kind"], line["account_last4"]) for line in mine] == [("micro_deposit", number[-4:])]
    assert mine[0]["memo"].startswith("小额打款验证")
    admin = django_user_model.objects.create_user(username="root", password="x-long-password", role=Role.ADMIN)
    assert len(Api(admin).get("/sandbox/rail/statement", account_last4=number[-4:]).json()["items"]) == 1
    buyer = django_user_model.objects.create_user(username="b", password="x-long-password", role=Role.BUYER)
    assert Api(buyer).get("/sandbox/rail/statement").status_code == 403


@pytest.mark.django_db
def test_statement_is_404_when_the_rail_is_not_the_simulator(merchant):
    with override_settings(SELLERDESK_RAIL_ADAPTER=f"{__name__}.ProductionLikeRail"):
        response = merchant.api.get("/sandbox/rail/statement")
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_caller_is_401():
    from django.test import Client

    response = Client().get("/api/v1/wallets")
    assert response.status_code == 401
