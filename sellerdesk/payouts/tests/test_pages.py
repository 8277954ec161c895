"""The account-centre pages (issue 4 item 8): the article's paths, titles and notes where the article
puts them, forms that keep what was typed and change nothing when refused, and 404 for anything
that is not the user's own. Logged in with force_login; state is moved by posting the pages' forms."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from sellerdesk.core.money import yuan_to_fen
from sellerdesk.events.models import Notification
from sellerdesk.identity.models import Role, SubjectKind, User
from sellerdesk.payouts.models import AccountChange, AuditAction, AuditLog, ChangeStatus, Channel, RailTransfer
from sellerdesk.payouts.rails.simulator import SimulatorRail

from .conftest import IP, PASSWORD, UA, bank_knows_card, card_number, corporate_number, run_rail_worker, yuan

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
T0 = datetime(2025, 3, 1, 2, 0, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Shanghai


def browser_for(user) -> Client:
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page's visible text, roughly: tags dropped, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def seller(merchant):
    merchant.web = browser_for(merchant.user)
    return merchant


def bank_form(seller, number, *, corporate=False, holder=None, bank="中国建设银行", password=PASSWORD):
    return {
        "account_no": number,
        "holder_name": seller.subject.legal_name if holder is None else holder,
        "bank_name": bank,
        **({"is_corporate": "on"} if corporate else {}),
        "password": password,
    }


def start_corporate_change(seller, number="110060149018000654321") -> AccountChange:
    response = seller.web.post("/account-centre/wallets/anxin/change/", bank_form(seller, number, corporate=True))
    change = AccountChange.objects.get(wallet__subject=seller.subject, status=ChangeStatus.PENDING_VERIFICATION)
    assert response.status_code == 302 and response["Location"] == f"/account-centre/account-changes/{change.pk}/"
    run_rail_worker()  # the worker sends the micro-deposit after the request commits
    return change


def snapshot(seller):
    """Everything a refused form must leave as it was."""
    return (
        {w.channel: (w.account_id, w.balance_fen) for w in seller.subject.wallets.all()},
        list(AccountChange.objects.filter(wallet__subject=seller.subject).values_list("id", "status", "attempts_left")),
    )


# --- the article's paths ---------------------------------------------------------------------------


def test_merchant_account_centre_lists_anxin_with_view_wallet_then_wechat_and_alipay(seller):
    response = seller.web.get("/account-centre/")
    assert response.status_code == 200
    page = text_of(response)
    assert "卖家后台 › 账户资金 › 账户中心" in page
    assert page.index("安心钱包") < page.index("微信") < page.index("支付宝")
    assert "查看钱包" in page
    for channel in ("anxin", "wechat", "alipay"):
        assert f'href="/account-centre/wallets/{channel}/"' in html(response)
    anxin = seller.wallet(Channel.ANXIN)
    assert anxin.account.masked in page and "¥1,000.00" in page
    assert anxin.account.number not in html(response)


@pytest.mark.parametrize(
    "channel,title,change_label",
    [
        ("anxin", "商家余额提现", "更换银行卡"),
        ("wechat", "微信余额提现", "更换银行卡"),
        ("alipay", "支付宝余额提现", "更换账户"),
    ],
)
def test_merchant_wallet_page_shows_balance_masked_account_and_arrow_to_change(seller, channel, title, change_label):
    response = seller.web.get(f"/account-centre/wallets/{channel}/")
    assert response.status_code == 200
    page, wallet = html(response), seller.wallet(channel)
    assert f"<title>{title} · SellerDesk</title>" in page and f"<h1>{title}</h1>" in page
    assert re.search(r"¥[\d,]+\.\d\d", text_of(response))
    assert wallet.account.masked in page and wallet.account.number not in page
    assert "data-arrow" in page and "›" in page
    assert f'href="/account-centre/wallets/{channel}/change/"' in page and change_label in page
    assert ("提现账户" if channel == "alipay" else "提现银行卡") in page


def test_wechat_warning_is_on_the_wechat_pages_only(seller):
    assert WECHAT_WARNING in html(seller.web.get("/account-centre/wallets/wechat/"))
    assert WECHAT_WARNING in html(seller.web.get("/account-centre/wallets/wechat/change/"))
    assert WECHAT_WARNING not in html(seller.web.get("/account-centre/wallets/anxin/"))
    assert WECHAT_WARNING not in html(seller.web.get("/account-centre/wallets/alipay/change/"))


def test_bank_card_change_forms_carry_the_same_subject_note_and_anxin_the_corporate_note(seller):
    anxin = html(seller.web.get("/account-centre/wallets/anxin/change/"))
    assert SAME_SUBJECT_CARD in anxin and MERCHANT_CORPORATE in anxin
    for name in ("account_no", "holder_name", "bank_name", "is_corporate", "password"):
        assert f'name="{name}"' in anxin
    assert anxin.index('name="is_corporate"') < anxin.index(MERCHANT_CORPORATE)  # next to the checkbox
    assert anxin.index("data-submit") < anxin.index(SAME_SUBJECT_CARD)  # under the form
    wechat = html(seller.web.get("/account-centre/wallets/wechat/change/"))
    assert SAME_SUBJECT_CARD in wechat and "确认绑定" in wechat
    assert wechat.index(WECHAT_WARNING) < wechat.index('name="account_no"')


def test_alipay_change_form_asks_phone_or_email_with_the_articles_notes(seller):
    page = html(seller.web.get("/account-centre/wallets/alipay/change/"))
    assert 'name="alipay_account"' in page and 'name="password"' in page and 'name="account_no"' not in page
    assert ALIPAY_FILL in page and SAME_SUBJECT_ALIPAY in page and SAME_SUBJECT_CARD not in page
    assert "手机号或邮箱" in page


def test_distributor_path_is_commission_income_bills_then_talent_wallet(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS)
    web = browser_for(seller.user)
    hub = web.get("/account-centre/")
    assert hub.status_code == 200
    assert "佣金收入" in text_of(hub) and "账单管理" in text_of(hub)
    assert 'href="/account-centre/talent-wallet/"' in html(hub) and "达人钱包" in text_of(hub)
    wallet_page = web.get("/account-centre/talent-wallet/")
    assert wallet_page.status_code == 200
    page = text_of(wallet_page)
    assert "佣金收入 › 账单管理 › 达人钱包" in page
    assert "安心钱包" in page and "查看钱包" in page and "微信" in page
    anxin = web.get("/account-centre/wallets/anxin/")
    assert "<h1>推广者余额提现</h1>" in html(anxin) and "您已完成资质填写与绑卡，安心钱包已开通。" in html(anxin)
    assert DISTRIBUTOR_CORPORATE in html(web.get("/account-centre/wallets/anxin/change/"))
    wechat = web.get("/account-centre/wallets/wechat/")
    assert "<h1>微信余额提现</h1>" in html(wechat) and DISTRIBUTOR_WECHAT in html(wechat)
    assert 'href="/account-centre/wallets/wechat/change/"' in html(wechat)
    assert "确认绑定" in html(web.get("/account-centre/wallets/wechat/change/"))


def test_individual_distributor_wechat_shows_why_instead_of_the_arrow_and_cannot_change(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    web = browser_for(seller.user)
    page = html(web.get("/account-centre/wallets/wechat/"))
    assert "个人的佣金会逐笔到账于微信零钱" in page and "data-blocked-reason" in page
    assert "data-arrow" not in page and "/account-centre/wallets/wechat/change/" not in page
    before = snapshot(seller)
    assert web.get("/account-centre/wallets/wechat/change/")["Location"] == "/account-centre/wallets/wechat/"
    response = web.post("/account-centre/wallets/wechat/change/", bank_form(seller, card_number(777)), follow=True)
    assert "个人的佣金会逐笔到账于微信零钱" in " ".join(flashes(response))
    assert snapshot(seller) == before


def test_unqualified_distributor_has_no_anxin_wallet_to_open(make_seller):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL_BUSINESS, qualified=False)
    web = browser_for(seller.user)
    page = html(web.get("/account-centre/talent-wallet/"))
    assert "完成资质填写与绑卡后才会开通安心钱包" in page and "查看钱包" not in page
    assert web.get("/account-centre/wallets/anxin/").status_code == 404
    assert web.get("/account-centre/wallets/anxin/change/").status_code == 404
    assert web.post("/account-centre/wallets/anxin/change/", bank_form(seller, card_number(5))).status_code == 404
    assert not AccountChange.objects.exists()


# --- access ---------------------------------------------------------------------------------------


def test_pages_need_login(db):
    response = Client().get("/account-centre/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "path", ["/account-centre/", "/account-centre/wallets/anxin/", "/account-centre/sandbox/bank-statement/"]
)
def test_other_roles_get_404(db, path):
    buyer = User.objects.create_user(username="b", password=PASSWORD, role=Role.BUYER)
    assert browser_for(buyer).get(path).status_code == 404


def test_merchant_has_no_talent_wallet_and_unknown_channel_is_404(seller):
    assert seller.web.get("/account-centre/talent-wallet/").status_code == 404
    assert seller.web.get("/account-centre/wallets/paypal/").status_code == 404
    assert seller.web.get("/account-centre/wallets/paypal/change/").status_code == 404


def test_another_users_change_is_404_and_untouched(seller, make_seller):
    change = start_corporate_change(seller)
    other = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE, legal_name="宁波别家贸易有限公司")
    web = browser_for(other.user)
    amount = yuan(change.expected_amount_fen)
    assert web.get(f"/account-centre/account-changes/{change.pk}/").status_code == 404
    assert web.post(f"/account-centre/account-changes/{change.pk}/", {"amount": amount}).status_code == 404
    assert web.post(f"/account-centre/account-changes/{change.pk}/cancel/").status_code == 404
    change.refresh_from_db()
    assert (change.status, change.attempts_left) == (ChangeStatus.PENDING_VERIFICATION, 3)
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id
    statement = html(web.get("/account-centre/sandbox/bank-statement/"))
    assert "4321" not in statement  # the micro-deposit went to the other subject's account


# --- changing a card ----------------------------------------------------------------------------


def test_personal_card_change_completes_and_the_wallet_page_shows_the_new_masked_card(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)
    web = browser_for(seller.user)
    number = card_number(424242)
    bank_knows_card(number, seller.subject)
    response = web.post("/account-centre/wallets/wechat/change/", bank_form(seller, number), follow=True)
    assert response.redirect_chain[-1][0] == "/account-centre/wallets/wechat/"
    wallet = seller.wallet(Channel.WECHAT)
    assert wallet.account.last4 == number[-4:]
    assert f"已更换为 {wallet.account.masked}" in " ".join(flashes(response))
    assert wallet.account.masked in html(response) and number not in html(response)
    entry = AuditLog.objects.get(action=AuditAction.CHANGE_COMPLETED, actor=seller.user)
    assert (entry.ip, entry.user_agent, entry.actor_id) == (IP, UA, seller.user.pk)
    centre = text_of(web.get("/account-centre/"))
    assert "提现账户已更换" in centre  # the in-app notification, shown on the account centre


@pytest.mark.parametrize(
    "typed,corporate,message",
    [
        ("6222020200000000001", False, "银行卡号校验未通过"),  # Luhn failure
        ("6222O2O2000000000", False, "银行卡号只能包含数字"),  # letters
        ("", False, "请填写银行卡号"),
        ("1100AB49018000654321", True, "对公账号只能包含数字"),
        ("12345", True, "对公账号应为9到30位数字"),
    ],
)
def test_bad_card_number_is_shown_on_the_form_keeping_input_and_nothing_changes(seller, typed, corporate, message):
    before = snapshot(seller)
    response = seller.web.post(
        "/account-centre/wallets/wechat/change/",
        bank_form(seller, typed, bank="招商银行", holder="杭州好物（滨江）科技有限公司", corporate=corporate),
    )
    assert response.status_code == 200
    page = html(response)
    assert message in page and "ac-field-error" in page
    if typed:
        assert f'value="{typed}"' in page
    assert 'value="招商银行"' in page and 'value="杭州好物（滨江）科技有限公司"' in page
    assert ('name="is_corporate" id="id_is_corporate" checked' in page) == corporate
    assert PASSWORD not in page  # the password is never echoed back
    assert snapshot(seller) == before


def test_wrong_password_and_subject_mismatch_are_form_messages_and_change_nothing(seller):
    before = snapshot(seller)
    wrong = seller.web.post(
        "/account-centre/wallets/anxin/change/",
        bank_form(seller, corporate_number(9876), corporate=True, password="not-my-password"),
    )
    assert "密码错误" in html(wrong) and "not-my-password" not in html(wrong)
    assert f'value="{corporate_number(9876)}"' in html(wrong)
    other = seller.web.post(
        "/account-centre/wallets/anxin/change/",
        bank_form(seller, corporate_number(9877), corporate=True, holder="别人家的公司"),
    )
    assert "仅支持更换与绑定主体一致" in html(other) and 'value="别人家的公司"' in html(other)
    assert snapshot(seller) == before
    assert not RailTransfer.objects.exists()


def test_alipay_account_that_is_neither_phone_nor_email_is_refused_on_the_form(seller):
    before = snapshot(seller)
    response = seller.web.post(
        "/account-centre/wallets/alipay/change/", {"alipay_account": "not an account", "password": PASSWORD}
    )
    assert "支付宝账号应为手机号或邮箱" in html(response) and 'value="not an account"' in html(response)
    assert snapshot(seller) == before


def test_alipay_change_to_same_named_corporate_account_completes(seller):
    SimulatorRail().open_account(
        kind="alipay", number="pay@haowu.example.cn", holder_name=seller.subject.legal_name, is_corporate=True
    )
    response = seller.web.post(
        "/account-centre/wallets/alipay/change/",
        {"alipay_account": "pay@haowu.example.cn", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/account-centre/wallets/alipay/"
    assert "提现账户已更换为" in " ".join(flashes(response))
    assert seller.wallet(Channel.ALIPAY).account.masked in html(response)


# --- micro-deposit verification -------------------------------------------------------------------


def test_corporate_change_goes_to_verification_page_with_attempts_and_shanghai_expiry(seller):
    with time_machine.travel(T0, tick=False):
        change = start_corporate_change(seller)
        response = seller.web.get(f"/account-centre/account-changes/{change.pk}/")
        wallet_page = text_of(seller.web.get("/account-centre/wallets/anxin/"))
    assert response.status_code == 200
    page = text_of(response)
    assert "小额打款验证" in page and "平台已向您的新对公账户" in page and change.new_account.masked in page
    assert "还可以验证 3 次" in page
    assert re.search("有效期至 2025-03-03 10:00:00 ?（北京时间）", page)  # 48 h after 10:00 Shanghai time
    assert 'href="/account-centre/sandbox/bank-statement/?last4=4321&amp;change=' in html(response)
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id  # old card still in force
    assert "待小额打款验证" in wallet_page


def test_statement_page_shows_the_micro_deposit_sent_to_the_users_account(seller):
    change = start_corporate_change(seller)
    page = text_of(seller.web.get(f"/account-centre/sandbox/bank-statement/?last4=4321&change={change.pk}"))
    fen = change.expected_amount_fen
    assert "+¥" + yuan(fen) in page and "小额打款验证" in page and "4321" in page


class NoStatementRail(SimulatorRail):
    is_simulator = False


def test_statement_page_and_its_link_exist_only_with_the_simulator(seller, settings):
    change = start_corporate_change(seller)
    settings.SELLERDESK_RAIL_ADAPTER = f"{__name__}.NoStatementRail"
    assert seller.web.get("/account-centre/sandbox/bank-statement/").status_code == 404
    page = html(seller.web.get(f"/account-centre/account-changes/{change.pk}/"))
    assert "bank-statement" not in page


def test_wrong_amount_says_attempts_left_then_right_amount_binds_the_new_card(seller):
    change = start_corporate_change(seller)
    url = f"/account-centre/account-changes/{change.pk}/"
    right = change.expected_amount_fen
    wrong = right % 99 + 1
    response = seller.web.post(url, {"amount": yuan(wrong)})
    assert response.status_code == 200
    assert "金额不正确，还可以再试 2 次。" in html(response) and "还可以验证 2 次" in text_of(response)
    assert f'value="{yuan(wrong)}"' in html(response)
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id
    response = seller.web.post(url, {"amount": "¥" + yuan(right)}, follow=True)
    assert response.redirect_chain[-1][0] == "/account-centre/wallets/anxin/"
    wallet = seller.wallet(Channel.ANXIN)
    assert wallet.account_id == change.new_account_id
    assert "小额打款验证通过" in " ".join(flashes(response))
    assert wallet.account.masked in html(response) and "4321" in wallet.account.masked


@pytest.mark.parametrize(
    "typed,message",
    [
        ("abc", "金额格式不正确"),
        ("0.375", "金额格式不正确"),
        ("1e-2", "金额格式不正确"),
        ("NaN", "金额格式不正确"),
        ("-0.37", "金额格式不正确"),
        ("", "这个字段是必填项"),
        ("10.00", "小额打款的金额在 ¥0.01 到 ¥9.99 之间"),
        ("0", "小额打款的金额在 ¥0.01 到 ¥9.99 之间"),
    ],
)
def test_bad_amount_input_is_refused_without_using_an_attempt(seller, typed, message):
    change = start_corporate_change(seller)
    response = seller.web.post(f"/account-centre/account-changes/{change.pk}/", {"amount": typed})
    assert response.status_code == 200 and message in html(response)
    change.refresh_from_db()
    assert (change.status, change.attempts_left) == (ChangeStatus.PENDING_VERIFICATION, 3)


def test_three_wrong_amounts_fail_the_change_and_the_old_card_stays(seller):
    change = start_corporate_change(seller)
    url = f"/account-centre/account-changes/{change.pk}/"
    wrong = change.expected_amount_fen % 99 + 1
    for _ in range(3):
        response = seller.web.post(url, {"amount": yuan(wrong)})
    assert "验证次数已用完" in html(response) and "重新发起更换银行卡" in html(response)
    change.refresh_from_db()
    assert change.status == ChangeStatus.FAILED
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id
    again = seller.web.post(url, {"amount": yuan(change.expected_amount_fen)}, follow=True)
    assert "不能再验证" in " ".join(flashes(again))
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id


def test_right_amount_after_expiry_is_refused(seller):
    with time_machine.travel(T0, tick=False) as traveller:
        change = start_corporate_change(seller)
        traveller.shift(timedelta(hours=48, seconds=1))
        page = text_of(seller.web.get(f"/account-centre/account-changes/{change.pk}/"))
        assert "验证已过期" in page
        seller.web.post(f"/account-centre/account-changes/{change.pk}/", {"amount": yuan(change.expected_amount_fen)})
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id


def test_cancel_keeps_the_old_card(seller):
    change = start_corporate_change(seller)
    response = seller.web.post(f"/account-centre/account-changes/{change.pk}/cancel/", follow=True)
    assert "已取消本次更换" in " ".join(flashes(response))
    change.refresh_from_db()
    assert change.status == ChangeStatus.CANCELLED
    assert seller.wallet(Channel.ANXIN).account_id == change.old_account_id


def test_a_second_change_while_one_is_pending_leads_to_the_pending_one(seller):
    change = start_corporate_change(seller)
    response = seller.web.get("/account-centre/wallets/anxin/change/")
    assert response["Location"] == f"/account-centre/account-changes/{change.pk}/"


def test_account_centre_shows_the_latest_payout_notifications_only(seller):
    start_corporate_change(seller)
    Notification.objects.create(user=seller.user, topic="aftersale.created", params={"number": "AS1"})
    page = text_of(seller.web.get("/account-centre/"))
    assert "提现账户更换待验证" in page and "新的售后申请" not in page


# --- withdrawal -------------------------------------------------------------------------------------


def test_withdrawal_from_the_wallet_page_goes_to_the_bound_card(seller):
    response = seller.web.post(
        "/account-centre/wallets/anxin/", {"amount": "100.50", "password": PASSWORD}, follow=True
    )
    wallet = seller.wallet(Channel.ANXIN)
    assert wallet.balance_fen == 100_000 - 10_050
    assert f"已提交提现 ¥100.50，转入 {wallet.account.masked}" in " ".join(flashes(response))


def test_withdrawal_over_the_balance_is_a_form_message(seller):
    before = snapshot(seller)
    response = seller.web.post("/account-centre/wallets/anxin/", {"amount": "999999", "password": PASSWORD})
    assert "余额不足" in html(response) and 'value="999999"' in html(response)
    assert snapshot(seller) == before


# --- yuan to fen --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,fen",
    [
        ("0.37", 37),
        ("¥0.05", 5),
        (".5", 50),
        ("0.5", 50),
        ("０.３７", 37),
        ("1", 100),
        (" 0.37元 ", 37),
        ("1,234.56", 123456),
        ("￥0.99", 99),
    ],
)
def test_yuan_to_fen_is_exact(typed, fen):
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize("typed", ["", "abc", "0.375", "1e-2", "NaN", "Infinity", "-1", "+1", ".", "0.3.7"])
def test_yuan_to_fen_refuses_bad_input(typed):
    with pytest.raises(ValueError):
        yuan_to_fen(typed)


def test_a_personal_card_the_bank_cannot_check_goes_to_the_micro_deposit_page_saying_why(make_seller):
    seller = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL_BUSINESS)
    web = browser_for(seller.user)
    old = seller.wallet(Channel.WECHAT).account_id
    number = card_number(434343)
    response = web.post("/account-centre/wallets/wechat/change/", bank_form(seller, number), follow=True)
    change = AccountChange.objects.get(new_account__last4=number[-4:])
    assert response.redirect_chain[-1][0] == f"/account-centre/account-changes/{change.pk}/"
    page = html(response)
    assert "银行无法核验这张卡的持卡人身份" in page and "平台已向您的新银行卡" in page
    assert seller.wallet(Channel.WECHAT).account_id == old


def test_a_card_bound_to_another_subject_is_refused_on_the_form_keeping_the_input(make_seller):
    first = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL_BUSINESS)
    second = make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL_BUSINESS)
    number = card_number(454545)
    first.change_card("wechat", number, own=False)  # waiting for its micro-deposit
    response = browser_for(second.user).post("/account-centre/wallets/wechat/change/", bank_form(second, number))
    assert response.status_code == 200
    page = html(response)
    assert "已绑定在平台的其他主体名下" in page and "ac-field-error" in page
    assert not AccountChange.objects.filter(wallet__subject=second.subject).exists()
