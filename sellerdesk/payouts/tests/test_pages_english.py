"""The account-centre pages in English: after the language switch (POST /i18n/setlang/) every page shows
English labels and the help article's notes in English, and none of the key Chinese labels are left.
Chinese stays the default and its text does not change; the API stays Chinese, and notifications are
rendered in the reader's language."""

import re

import pytest
from django.test import Client
from django.utils import translation

from sellerdesk.events.models import Notification
from sellerdesk.events.notices import render
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.models import AccountChange, ChangeStatus

from .conftest import IP, PASSWORD, UA, run_rail_worker, yuan

SAME_SUBJECT_CARD = "仅支持更换为与绑定主体一致的银行卡，不支持更改主体：例如不能把 A 的银行卡换成 B 的银行卡。"
SAME_SUBJECT_ALIPAY = "仅支持更换为与绑定主体一致的支付宝账号（一般为手机号或邮箱），不支持更改主体。"
WECHAT_WARNING = "请在这里更换微信提现银行卡，不要登录微信商户后台修改：修改错误可能导致收款停用，影响消费者付款。"
ALIPAY_FILL = (
    "请填写与商户名一致的支付宝账号（一般为手机号或邮箱）。企业主体如果还没有对公支付宝账号，请先到支付宝注册。"
)
MERCHANT_CORPORATE = "更换为对公账户需要小额打款验证：平台向新账户打入一笔小额款项，您填写到账金额后更换生效，在此之前提现仍转入当前账户。"
DISTRIBUTOR_CORPORATE = "更换为对公账户需要小额打款验证：平台向新账户打入一笔小额款项，您填写到账金额后更换生效，在此之前提现仍转入当前账户。"
DISTRIBUTOR_WECHAT = (
    "仅个体工商户和企业可以在这里更换微信提现银行卡；个人的佣金逐笔到账微信零钱，不提现至银行卡，因此无需更换。"
)
CORPORATE_NUMBER = "110060149018000654321"

# Labels that must not be left in Chinese once the user picked English.
KEY_CHINESE = (
    "账户中心",
    "账户资金",
    "卖家后台",
    "安心钱包",
    "查看钱包",
    "我的钱包",
    "消息通知",
    "绑定主体",
    "未绑定",
    "商家余额提现",
    "微信余额提现",
    "支付宝余额提现",
    "更换银行卡",
    "更换账户",
    "提现银行卡",
    "提现账户",
    "可提现余额",
    "余额提现",
    "提现到",
    "银行卡号",
    "开户名",
    "开户银行",
    "对公账户",
    "登录密码",
    "确认更换",
    "确认绑定",
    "小额打款验证",
    "还可以验证",
    "有效期至",
    "北京时间",
    "确认验证",
    "取消本次更换",
    "注意",
    "退出",
    "佣金收入",
    "账单管理",
    "达人钱包",
    "推广者余额提现",
    "银行流水",
)


def html(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page's visible text, roughly: tags dropped, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def chinese_left(response) -> list[str]:
    page = text_of(response)
    return [label for label in KEY_CHINESE if label in page]


def browser(user, language=None) -> Client:
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
    client.force_login(user)
    if language:
        response = client.post("/i18n/setlang/", {"language": language, "next": "/account-centre/"})
        assert response.status_code == 302 and response["Location"] == "/account-centre/"
    return client


def bank_form(seller, number, *, corporate=False):
    return {
        "account_no": number,
        "holder_name": seller.subject.legal_name,
        "bank_name": "中国建设银行",
        **({"is_corporate": "on"} if corporate else {}),
        "password": PASSWORD,
    }


@pytest.fixture
def english(merchant):
    merchant.web = browser(merchant.user, "en")
    return merchant


# --- English after the switch ----------------------------------------------------------------------


def test_account_centre_in_english(english):
    response = english.web.get("/account-centre/")
    assert response.status_code == 200
    page = text_of(response)
    assert '<html lang="en">' in html(response)
    assert "<title>Account centre · SellerDesk</title>" in html(response) and "<h1>Account centre</h1>" in html(
        response
    )
    assert "Seller centre › Funds › Account centre" in page
    assert "Bound entity" in page and "My wallets" in page and "Notifications" in page
    assert "Anxin Wallet" in page and "View wallet" in page and "WeChat" in page and "Alipay" in page
    assert "Merchant balance withdrawal · Withdrawal bank card" in page
    assert chinese_left(response) == []


@pytest.mark.parametrize(
    "channel, title, change_label, account_label",
    [
        ("anxin", "Merchant balance withdrawal", "Change bank card", "Withdrawal bank card"),
        ("wechat", "WeChat balance withdrawal", "Change bank card", "Withdrawal bank card"),
        ("alipay", "Alipay balance withdrawal", "Change account", "Withdrawal account"),
    ],
)
def test_wallet_pages_in_english(english, channel, title, change_label, account_label):
    response = english.web.get(f"/account-centre/wallets/{channel}/")
    assert response.status_code == 200
    page = text_of(response)
    assert f"<h1>{title}</h1>" in html(response) and f"<title>{title} · SellerDesk</title>" in html(response)
    assert f'aria-label="{change_label}"' in html(response) and f">{change_label}</a>" in html(response)
    assert account_label in page and "Available to withdraw" in page and "Balance withdrawal" in page
    assert "Withdraw to " in page and "Withdrawal amount (¥)" in page
    assert chinese_left(response) == []


def test_wallet_pages_carry_the_articles_notes_in_english(english):
    anxin = text_of(english.web.get("/account-centre/wallets/anxin/"))
    assert "Tap › to the right of the withdrawal bank card to change it" in anxin
    assert "a change to a corporate account needs micro-deposit verification." in anxin
    assert "You can only change to a bank card in the name of the bound entity;" in anxin
    wechat = english.web.get("/account-centre/wallets/wechat/")
    assert "not in the WeChat Pay merchant back office" in text_of(wechat)
    assert WECHAT_WARNING not in html(wechat) and SAME_SUBJECT_CARD not in html(wechat)
    alipay = english.web.get("/account-centre/wallets/alipay/")
    assert "withdrawn to an Alipay account" in text_of(alipay) and SAME_SUBJECT_ALIPAY not in html(alipay)


def test_change_form_in_english(english):
    response = english.web.get("/account-centre/wallets/anxin/change/")
    assert response.status_code == 200
    page = text_of(response)
    assert "<h1>Change bank card</h1>" in html(response)
    assert (
        "Seller centre › Funds › Account centre › Anxin Wallet › Merchant balance withdrawal › Change bank card" in page
    )
    assert "Withdrawal bank card (current)" in page
    for label in (
        "Bank card / corporate account number",
        "Account holder",
        "Bank",
        "Corporate account",
        "Login password",
        "Confirm change",
    ):
        assert label in page
    assert 'placeholder="Enter your login password again"' in html(response)
    assert "Must match the bound entity's name" in page or "Must match the bound entity&#x27;s name" in page
    assert "A change to a corporate account needs micro-deposit verification:" in page
    assert "You can only change to a bank card in the name of the bound entity;" in page
    assert SAME_SUBJECT_CARD not in page and MERCHANT_CORPORATE not in page
    assert chinese_left(response) == []


def test_alipay_and_wechat_change_forms_in_english(english):
    alipay = english.web.get("/account-centre/wallets/alipay/change/")
    page = text_of(alipay)
    assert "<h1>Change account</h1>" in html(alipay)
    assert "Alipay account" in page and 'placeholder="Mobile number or e-mail address"' in html(alipay)
    assert "An enterprise without a corporate Alipay account must register one with Alipay first" in page
    assert ALIPAY_FILL not in page and chinese_left(alipay) == []
    wechat = english.web.get("/account-centre/wallets/wechat/change/")
    assert "Confirm and bind" in text_of(wechat) and "Note:" in text_of(wechat)
    assert chinese_left(wechat) == []


def test_refused_change_keeps_english_form_labels(english):
    response = english.web.post(
        "/account-centre/wallets/anxin/change/",
        {**bank_form(english, CORPORATE_NUMBER, corporate=True), "password": "wrong"},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Login password" in page and "Confirm change" in page and "ac-field-error" in html(response)
    assert not AccountChange.objects.exists()


def test_verification_page_in_english(english):
    response = english.web.post(
        "/account-centre/wallets/anxin/change/", bank_form(english, CORPORATE_NUMBER, corporate=True), follow=True
    )
    change = AccountChange.objects.get(wallet__subject=english.subject, status=ChangeStatus.PENDING_VERIFICATION)
    assert response.redirect_chain[-1][0] == f"/account-centre/account-changes/{change.pk}/"
    assert [str(m) for m in response.context["messages"]] == [
        f"The platform has sent a micro-deposit to {change.new_account.masked}; "
        "check the amount received to complete verification."
    ]
    page = text_of(response)
    assert "<h1>Micro-deposit verification</h1>" in html(response)
    assert (
        f"The platform has sent your new corporate account 中国建设银行 {change.new_account.masked} "
        "a small deposit of ¥0.01–¥9.99." in page
    )
    assert "Attempts left 3 attempts left" in page and "Valid until" in page and "(Beijing time)" in page
    assert "Amount received (¥)" in page and "Verify" in page and "Cancel this change" in page
    assert "View bank statement (sandbox)" in page
    assert chinese_left(response) == []

    run_rail_worker()
    wrong = change.expected_amount_fen % 99 + 1
    again = english.web.post(f"/account-centre/account-changes/{change.pk}/", {"amount": "0.371"})
    assert "at most two decimals" in text_of(again) and "3 attempts left" in text_of(again)
    for _ in range(3):
        failed = english.web.post(f"/account-centre/account-changes/{change.pk}/", {"amount": yuan(wrong)})
    page = text_of(failed)
    assert "Verification failed" in page and "No verification attempts left; the change to" in page
    assert "Change bank card again" in page and "Back to Merchant balance withdrawal" in page


def test_bank_statement_in_english(english):
    english.web.post("/account-centre/wallets/anxin/change/", bank_form(english, CORPORATE_NUMBER, corporate=True))
    run_rail_worker()
    response = english.web.get("/account-centre/sandbox/bank-statement/?last4=4321")
    page = text_of(response)
    assert "<h1>Bank statement</h1>" in html(response)
    assert "Only the account ending in 4321" in page and "Credited to **** 4321" in page
    assert "Micro-deposit verification" in page


def test_distributor_pages_in_english(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS)
    web = browser(seller.user, "en")
    hub = web.get("/account-centre/")
    assert "<h1>Commission</h1>" in html(hub) and "Bills" in text_of(hub) and "Creator wallet" in text_of(hub)
    assert chinese_left(hub) == []
    wallets = web.get("/account-centre/talent-wallet/")
    assert "Seller centre › Commission › Bills › Creator wallet" in text_of(wallets)
    assert "Anxin Wallet" in text_of(wallets) and "View wallet" in text_of(wallets)
    assert chinese_left(wallets) == []
    anxin = web.get("/account-centre/wallets/anxin/")
    assert "<h1>Promoter balance withdrawal</h1>" in html(anxin)
    assert "A change to a corporate account needs micro-deposit verification:" in text_of(
        web.get("/account-centre/wallets/anxin/change/")
    )


def test_individual_distributor_sees_why_in_english(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    web = browser(seller.user, "en")
    page = text_of(web.get("/account-centre/wallets/wechat/"))
    assert "only individual businesses and enterprises can change the WeChat withdrawal bank card" in page
    assert "WeChat Change (commission paid order by order)" in page and "个人的佣金" not in page
    response = web.get("/account-centre/wallets/wechat/change/", follow=True)
    assert "never withdrawn to a bank card" in " ".join(str(m) for m in response.context["messages"])


# --- Chinese stays the default and unchanged -------------------------------------------------------


def test_default_language_is_chinese_with_the_articles_sentences(merchant):
    web = browser(merchant.user)
    centre = web.get("/account-centre/")
    assert '<html lang="zh-CN">' in html(centre)
    assert "<h1>账户中心</h1>" in html(centre) and "卖家后台 › 账户资金 › 账户中心" in text_of(centre)
    assert "Account centre" not in html(centre)
    anxin = web.get("/account-centre/wallets/anxin/")
    assert "<h1>商家余额提现</h1>" in html(anxin) and ">更换银行卡</a>" in html(anxin)
    assert "点击提现银行卡右侧的 ›，即可更换银行卡；更换为对公账户需要小额打款验证。" in html(anxin)
    change = html(web.get("/account-centre/wallets/anxin/change/"))
    assert "<h1>更换银行卡</h1>" in change and SAME_SUBJECT_CARD in change and MERCHANT_CORPORATE in change
    assert "Change bank card" not in change and "Login password" not in change
    assert WECHAT_WARNING in html(web.get("/account-centre/wallets/wechat/change/"))
    alipay = html(web.get("/account-centre/wallets/alipay/change/"))
    assert ALIPAY_FILL in alipay and SAME_SUBJECT_ALIPAY in alipay and "手机号或邮箱" in alipay


def test_distributor_default_language_keeps_the_articles_sentences(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS)
    web = browser(seller.user)
    assert "佣金收入 › 账单管理 › 达人钱包" in text_of(web.get("/account-centre/talent-wallet/"))
    assert DISTRIBUTOR_CORPORATE in html(web.get("/account-centre/wallets/anxin/change/"))
    assert DISTRIBUTOR_WECHAT in html(web.get("/account-centre/wallets/wechat/"))


def test_switching_back_to_chinese(english):
    assert "<h1>Account centre</h1>" in html(english.web.get("/account-centre/"))
    english.web.post("/i18n/setlang/", {"language": "zh-hans", "next": "/account-centre/"})
    page = english.web.get("/account-centre/wallets/anxin/change/")
    assert "<h1>更换银行卡</h1>" in html(page) and SAME_SUBJECT_CARD in html(page)
    assert "Change bank card" not in html(page)


def test_the_apis_labels_stay_the_articles_its_messages_and_notifications_follow_the_reader(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    assert "微信零钱" in seller.wallets()["wechat"]["change_blocked_reason"]
    seller.api.client.cookies["django_language"] = "en"
    wallets = seller.wallets()
    assert wallets["wechat"]["change_label"] == "更换银行卡" and wallets["wechat"]["page_title"] == "微信余额提现"
    # the reason is a message, like every refusal: in the reader's language, with the same code
    assert wallets["wechat"]["change_blocked_code"] == "individual_commission_to_wechat_change"
    assert "WeChat" in wallets["wechat"]["change_blocked_reason"]
    assert "微信零钱" not in wallets["wechat"]["change_blocked_reason"]

    merchant = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    web = browser(merchant.user, "en")
    web.post("/account-centre/wallets/anxin/change/", bank_form(merchant, CORPORATE_NUMBER, corporate=True))
    note = Notification.objects.get(user=merchant.user, topic="payout_account.change_requested")
    with translation.override("zh-hans"):
        assert render(note)[1].startswith("有人申请将安心钱包的提现账户更换为 **** ")
    with translation.override("en"):
        assert render(note)[1].startswith("Someone asked to change the Anxin Wallet withdrawal account")
