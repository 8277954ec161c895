"""The demo hook the main seed calls: wallets and bound accounts for the demo sellers."""

import pytest

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.demo import DEMO_ALIPAY_CORPORATE, DEMO_ALIPAY_PERSONAL, seed_payouts
from sellerdesk.payouts.models import Wallet

from .conftest import PASSWORD, Api, corporate_number, error_code


@pytest.mark.django_db
def test_seed_payouts_gives_each_demo_seller_the_wallets_of_the_table(make_seller, django_user_model):
    users = {
        "merchant": make_seller(
            Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="杭州好物优选科技有限公司", bind=False
        ).user,
        "merchant2": make_seller(
            Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="深圳市隔壁小店贸易有限公司", bind=False
        ).user,
        "distributor": make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="李小红", bind=False).user,
        "distributor_biz": make_seller(
            Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS, legal_name="成都市锦江区小王百货店", bind=False
        ).user,
        "buyer": django_user_model.objects.create_user(username="demo-buyer", password="x-long-pass", role=Role.BUYER),
    }
    seed_payouts(users)
    seed_payouts(users)  # idempotent
    assert Wallet.objects.count() == 3 + 3 + 2 + 2

    merchant = Api(users["merchant"])
    wallets = {w["channel"]: w for w in merchant.get("/wallets").json()["items"]}
    assert all(w["account"] and w["balance_fen"] > 0 for w in wallets.values())
    assert wallets["anxin"]["account"]["is_corporate"] is True
    person = {w["channel"]: w for w in Api(users["distributor"]).get("/wallets").json()["items"]}
    assert person["anxin"]["account"] and person["wechat"]["can_change"] is False
    biz = {w["channel"]: w for w in Api(users["distributor_biz"]).get("/wallets").json()["items"]}
    assert biz["wechat"]["can_change"] is True and biz["wechat"]["account"]

    # What the demo notes promise: corporate Alipay accepted, the personal one told to register.
    body = {"alipay_account": DEMO_ALIPAY_PERSONAL, "password": PASSWORD}
    refused = merchant.post("/wallets/alipay/account-changes", body)
    assert error_code(refused) == "corporate_alipay_required"
    same = merchant.post("/wallets/alipay/account-changes", {**body, "alipay_account": DEMO_ALIPAY_CORPORATE})
    assert error_code(same) == "same_account"
    assert (
        merchant.post(
            "/wallets/anxin/account-changes",
            {
                "account_no": corporate_number(1),
                "holder_name": "杭州好物优选科技有限公司",
                "bank_name": "中国建设银行",
                "is_corporate": True,
                "password": PASSWORD,
            },
        ).json()["status"]
        == "pending_verification"
    )


@pytest.mark.django_db
def test_demo_personal_cards_show_both_ways_of_proving_the_same_subject(make_seller):
    from sellerdesk.payouts.demo import DEMO_SPARE_PERSONAL_CARD, DEMO_UNCHECKABLE_CARD

    distributor = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="李小红", bind=False)
    seed_payouts({"distributor": distributor.user})
    body = {"holder_name": "李小红", "bank_name": "中国银行", "password": PASSWORD}
    checked = distributor.api.post("/wallets/anxin/account-changes", {**body, "account_no": DEMO_SPARE_PERSONAL_CARD})
    assert checked.json()["status"] == "completed" and checked.json()["proof"] == "real_name_check"
    unknown = distributor.api.post("/wallets/anxin/account-changes", {**body, "account_no": DEMO_UNCHECKABLE_CARD})
    assert unknown.json()["status"] == "pending_verification" and unknown.json()["proof"] == "micro_deposit"
