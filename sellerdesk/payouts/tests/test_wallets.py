"""Which wallets each role × subject type has, and whether each account can be changed (product.md §2)."""

import pytest

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.models import AccountChange, WithdrawalAccount

from .conftest import Api, card_number, corporate_number, error_code

ALL_KINDS = [SubjectKind.INDIVIDUAL, SubjectKind.INDIVIDUAL_BUSINESS, SubjectKind.ENTERPRISE]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_merchant_has_anxin_wechat_and_alipay_wallets_all_changeable(make_seller, kind):
    seller = make_seller(Role.MERCHANT, kind)
    wallets = seller.wallets()
    assert list(wallets) == ["anxin", "wechat", "alipay"]
    assert [w["page_title"] for w in wallets.values()] == ["商家余额提现", "微信余额提现", "支付宝余额提现"]
    assert all(w["can_change"] and w["change_blocked_reason"] is None for w in wallets.values())
    assert wallets["anxin"]["balance_fen"] == 100_000
    assert wallets["anxin"]["account"]["masked"].startswith("**** ")
    assert wallets["alipay"]["account_kind"] == "alipay" and wallets["alipay"]["change_label"] == "更换账户"
    assert any("请勿登陆微信商户后台" in note for note in wallets["wechat"]["notes"])
    assert any("仅支持更换与绑定主体一致的银行卡" in note for note in wallets["anxin"]["notes"])


@pytest.mark.django_db
def test_qualified_individual_distributor_has_anxin_and_a_wechat_wallet_without_card_change(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    wallets = seller.wallets()
    assert list(wallets) == ["anxin", "wechat"]
    assert wallets["anxin"]["can_change"] is True
    assert wallets["anxin"]["page_title"] == "推广者余额提现"
    assert "达人钱包" in wallets["anxin"]["path"]
    assert wallets["wechat"]["can_change"] is False
    assert wallets["wechat"]["change_blocked_code"] == "individual_commission_to_wechat_change"
    assert "微信零钱" in wallets["wechat"]["change_blocked_reason"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [SubjectKind.INDIVIDUAL_BUSINESS, SubjectKind.ENTERPRISE])
def test_business_distributor_can_change_wechat_card(make_seller, kind):
    seller = make_seller(Role.DISTRIBUTOR, kind)
    wallets = seller.wallets()
    assert wallets["wechat"]["can_change"] is True
    if kind == SubjectKind.ENTERPRISE:
        response = seller.change_card("wechat", corporate_number(777), corporate=True)
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "pending_verification"
    else:
        # No resident ID of the operator on file: the bank cannot confirm the holder, the owner must.
        response = seller.change_card("wechat", card_number(777))
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "pending_verification"


@pytest.mark.django_db
def test_individual_distributor_cannot_change_wechat_card(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    accounts_before = WithdrawalAccount.objects.count()
    response = seller.change_card("wechat", card_number(901))
    assert response.status_code == 409
    assert error_code(response) == "change_not_allowed"
    assert response.json()["error"]["details"]["reason"] == "individual_commission_to_wechat_change"
    assert "微信零钱" in response.json()["error"]["message"]
    assert WithdrawalAccount.objects.count() == accounts_before
    assert AccountChange.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_unqualified_distributor_has_no_anxin_wallet_to_change(make_seller, kind):
    seller = make_seller(Role.DISTRIBUTOR, kind, qualified=False)
    assert "anxin" not in seller.wallets()
    response = seller.change_card("anxin", card_number(902))
    assert response.status_code == 409
    assert error_code(response) == "change_not_allowed"
    assert response.json()["error"]["details"]["reason"] == "distributor_not_qualified"
    assert AccountChange.objects.count() == 0


@pytest.mark.django_db
def test_distributor_has_no_alipay_wallet(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.ENTERPRISE)
    assert "alipay" not in seller.wallets()
    response = seller.change("alipay", alipay_account="13900139000")
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reason"] == "no_such_wallet"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BUYER, Role.CS, Role.PLATFORM])
def test_other_roles_have_no_wallets(django_user_model, role):
    user = django_user_model.objects.create_user(username=f"u-{role}", password="x-long-password", role=role)
    api = Api(user)
    assert api.get("/wallets").status_code == 403
    response = api.post("/wallets/anxin/account-changes", {"account_no": card_number(1), "password": "x"})
    assert response.status_code == 403
    assert error_code(response) == "forbidden_role"


@pytest.mark.django_db
def test_unknown_channel_is_404(merchant):
    response = merchant.change_card("paypal", card_number(3))
    assert response.status_code == 404
    assert error_code(response) == "wallet_not_found"


@pytest.mark.django_db
def test_merchant_without_shop_has_no_wallets(django_user_model):
    user = django_user_model.objects.create_user(username="lonely", password="x-long-password", role=Role.MERCHANT)
    api = Api(user)
    assert api.get("/wallets").json() == {"items": []}
    response = api.post("/wallets/anxin/account-changes", {"account_no": card_number(4), "password": "x"})
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reason"] == "no_subject"
