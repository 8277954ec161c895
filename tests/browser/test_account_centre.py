# ruff: noqa: F811  (pytest fixtures imported from seller_app.py / test_account_centre.py are parameters)
"""The account-centre journey in Debian's chromium, clicked, not posted (issue 4, product.md §2):

a merchant logs in, goes 账户中心 → 安心钱包 (查看钱包) → 商家余额提现 → the arrow › → 更换银行卡, binds a
corporate account of the same subject, lands on 小额打款验证, reads the amount on the sandbox 银行流水,
enters a wrong amount once (attempts left shown), then the right one; the wallet page shows the new
masked card. Screenshots go to docs/screenshots/account-centre-*.png (phone 390×844 and PC).

Uses tests/browser/conftest.py (`login`, which skips with a message where /usr/bin/chromium is
missing: `apt-get install -y chromium fonts-wqy-microhei`).
"""

import re

import pytest

from .conftest import PC
from .seller_app import phone_login  # noqa: F401  (fixture)
from .shots import SHOTS  # noqa: E402

PASSWORD = "sellerdesk-journey-pw"
LEGAL_NAME = "杭州好物（滨江）科技有限公司"
NEW_CORPORATE_ACCOUNT = "110060149018000654321"
# The page's heading: the seller-app bar on a phone, the page head inside the workbench shell on PC.
HEADING = ".m-bar h1, [data-page-title] h1"

pytestmark = [pytest.mark.browser]


@pytest.fixture
def enterprise_merchant(transactional_db):
    """An enterprise merchant whose 安心钱包 withdraws to a corporate account, as onboarding leaves it."""
    from stdnum.cn import uscc

    from sellerdesk.identity.checks import check_subject_id
    from sellerdesk.identity.models import Role, Shop, Subject, SubjectKind, User
    from sellerdesk.payouts.actions import do_open_wallet
    from sellerdesk.payouts.models import AccountKind, Channel, HolderRole
    from sellerdesk.payouts.rails.simulator import SimulatorRail

    base = "91330108MA2" + "GJ0001"
    code = check_subject_id(SubjectKind.ENTERPRISE, base + uscc.calc_check_digit(base))
    subject = Subject.objects.create(kind=SubjectKind.ENTERPRISE, legal_name=LEGAL_NAME, id_number=code)
    user = User.objects.create_user(username="journey_merchant", password=PASSWORD, role=Role.MERCHANT)
    user.shops.add(Shop.objects.create(name="好物旗舰店", subject=subject), through_defaults={"is_owner": True})
    do_open_wallet(
        subject=subject,
        holder_role=HolderRole.MERCHANT,
        channel=Channel.ANXIN,
        balance_fen=1_288_800,
        kind=AccountKind.BANK_CARD,
        number="110060149018000120111",
        is_corporate=True,
        bank_name="中国工商银行",
    )
    do_open_wallet(
        subject=subject,
        holder_role=HolderRole.MERCHANT,
        channel=Channel.WECHAT,
        balance_fen=356_000,
        kind=AccountKind.BANK_CARD,
        number="110060149018000120112",
        is_corporate=True,
        bank_name="中国工商银行",
    )
    alipay = "finance@journey.example.cn"
    SimulatorRail().open_account(kind=AccountKind.ALIPAY, number=alipay, holder_name=LEGAL_NAME, is_corporate=True)
    do_open_wallet(
        subject=subject,
        holder_role=HolderRole.MERCHANT,
        channel=Channel.ALIPAY,
        balance_fen=92_050,
        kind=AccountKind.ALIPAY,
        number=alipay,
        is_corporate=True,
    )
    return user


def _yuan_to_fen(text: str) -> int:
    yuan, fen = re.search(r"(\d+)\.(\d{2})", text).groups()
    return int(yuan) * 100 + int(fen)


def _open(login, phone_login, device, username, start="/"):
    """Log in on a phone (the seller app) or a PC (the workbench)."""
    if device == "phone":
        return phone_login(username, PASSWORD, start=start)
    return login(username, PASSWORD, viewport=PC, start=start)


@pytest.mark.parametrize("device", ["phone", "pc"])
def test_merchant_changes_anxin_card_to_corporate_account_with_micro_deposit(
    login, phone_login, enterprise_merchant, device
):
    from playwright.sync_api import expect

    from sellerdesk.payouts.models import AccountChange, ChangeStatus, Wallet

    SHOTS.mkdir(parents=True, exist_ok=True)
    # On PC merchants land on the workbench, whose sidebar leads to 账户资金 → 账户中心; on a phone
    # on the seller app, whose bottom tab 账户资金 opens 账户中心.
    page = _open(login, phone_login, device, "journey_merchant")

    def shot(step):
        page.screenshot(path=str(SHOTS / f"account-centre-{step}-{device}.png"), full_page=True)

    if device == "phone":
        page.locator("[data-funds-menu] summary").click()
        page.locator("[data-funds-menu]").get_by_role("link", name="账户中心").click()
    else:
        page.locator(".sidebar").get_by_role("link", name="账户中心").click()
    expect(page.locator(HEADING)).to_have_text("账户中心")
    expect(page.locator(".ac-path")).to_contain_text("账户资金")
    for label in ("安心钱包", "微信", "支付宝"):
        expect(page.locator(".ac-entry .m-title", has_text=label).first).to_be_visible()
    shot("1-centre")

    # 安心钱包 → 查看钱包 → 商家余额提现, with the card masked and the arrow on its right.
    page.locator("[data-wallet=anxin]").get_by_text("查看钱包").click()
    expect(page.locator(HEADING)).to_have_text("商家余额提现")
    expect(page.locator("[data-account-row] [data-masked]")).to_have_text("**** 0111")
    page.locator("[data-arrow]").click()
    shot("2-wallet")
    page.get_by_role("link", name="更换银行卡").click()

    # 更换银行卡: a corporate account of the same subject, and the password again.
    expect(page.locator(HEADING)).to_have_text("更换银行卡")
    expect(page.locator("[data-change-form]")).to_contain_text("仅支持更换为与绑定主体一致的银行卡")
    expect(page.locator("[data-corporate-note]")).to_contain_text("更换为对公账户需要小额打款验证")
    page.fill("input[name=account_no]", NEW_CORPORATE_ACCOUNT)
    expect(page.locator("input[name=holder_name]")).to_have_value(LEGAL_NAME)
    page.select_option("select[name=bank_name]", label="中国建设银行")
    expect(page.locator("input[name=is_corporate]")).to_be_checked()
    page.fill("input[name=password]", PASSWORD)
    shot("3-change-form")
    page.locator("[data-submit]").click()

    # 小额打款验证: attempts left and the expiry; the old card stays in force.
    expect(page.locator(HEADING)).to_have_text("小额打款验证")
    expect(page.locator("[data-new-account]")).to_contain_text("4321")
    expect(page.locator("[data-attempts-left]")).to_contain_text("3")
    expect(page.locator("[data-expires-at]")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"))
    change = AccountChange.objects.get()
    assert change.status == ChangeStatus.PENDING_VERIFICATION
    assert Wallet.objects.get(channel="anxin").account.last4 == "0111"
    shot("4-verify")
    # The worker sends the micro-deposit after the request committed.
    from sellerdesk.payouts.tests.conftest import run_rail_worker

    assert run_rail_worker() == 1

    # The sandbox bank statement, where the user reads the amount as in their banking app.
    page.locator("[data-statement-link]").click()
    expect(page.locator(HEADING)).to_have_text("银行流水")
    line = page.locator("[data-statement-line][data-kind=micro_deposit]").first
    expect(line).to_contain_text("4321")
    amount_fen = _yuan_to_fen(line.locator("[data-amount]").inner_text())
    assert amount_fen == change.expected_amount_fen
    shot("5-statement")
    page.get_by_role("link", name="返回填写到账金额").click()

    # A wrong amount once: told how many attempts are left, nothing bound yet.
    wrong = amount_fen % 99 + 1
    page.fill("input[name=amount]", f"{wrong // 100}.{wrong % 100:02d}")
    page.get_by_role("button", name="确认验证").click()
    expect(page.locator("[data-verify-error]")).to_contain_text("还可以再试 2 次")
    expect(page.locator("[data-attempts-left]")).to_contain_text("2")
    assert Wallet.objects.get(channel="anxin").account.last4 == "0111"
    shot("6-wrong-amount")

    # The right amount: back on the wallet page with the new masked card and a flash message.
    page.fill("input[name=amount]", f"{amount_fen // 100}.{amount_fen % 100:02d}")
    page.get_by_role("button", name="确认验证").click()
    expect(page.locator(HEADING)).to_have_text("商家余额提现")
    expect(page.locator(".flash-success")).to_contain_text("**** 4321")
    expect(page.locator("[data-account-row] [data-masked]")).to_have_text("**** 4321")
    expect(page.locator("[data-account-row]")).to_contain_text("中国建设银行")
    assert Wallet.objects.get(channel="anxin").account.last4 == "4321"
    shot("7-changed")

    # The account centre tells the subject (in-app notification).
    page.goto("/account-centre/")
    expect(page.locator(".ac-notifications")).to_contain_text("提现账户已更换")
    shot("8-notifications")


@pytest.fixture
def individual_distributor(transactional_db):
    """A qualified individual distributor: a 安心钱包 with a personal card, commission to 微信零钱."""
    from stdnum import luhn
    from stdnum.cn import ric

    from sellerdesk.identity.checks import check_subject_id
    from sellerdesk.identity.models import Role, Subject, SubjectKind, User
    from sellerdesk.payouts.actions import do_open_wallet
    from sellerdesk.payouts.models import AccountKind, Channel, HolderRole

    base = "11010519900307123"
    code = check_subject_id(SubjectKind.INDIVIDUAL, base + ric.calc_check_digit(base + "0"))
    subject = Subject.objects.create(kind=SubjectKind.INDIVIDUAL, legal_name="李雷", id_number=code)
    user = User.objects.create_user(
        username="journey_talent", password=PASSWORD, role=Role.DISTRIBUTOR, subject=subject, distributor_qualified=True
    )
    card = "622202020000131" + luhn.calc_check_digit("622202020000131")
    do_open_wallet(
        subject=subject,
        holder_role=HolderRole.DISTRIBUTOR,
        channel=Channel.ANXIN,
        balance_fen=45_600,
        kind=AccountKind.BANK_CARD,
        number=card,
        bank_name="中国工商银行",
    )
    do_open_wallet(subject=subject, holder_role=HolderRole.DISTRIBUTOR, channel=Channel.WECHAT)
    return user


@pytest.mark.parametrize("device", ["phone", "pc"])
def test_individual_distributor_finds_talent_wallet_and_wechat_cannot_be_changed(
    login, phone_login, individual_distributor, device
):
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(login, phone_login, device, "journey_talent", start="/account-centre/")

    # 佣金收入 → 账单管理 → 达人钱包: the 安心钱包 card with 查看钱包, and the 微信 card.
    expect(page.locator(HEADING)).to_have_text("佣金收入")
    expect(page.locator("#bills")).to_have_text("账单管理")
    page.get_by_role("link", name=re.compile("达人钱包")).click()
    expect(page.locator(HEADING)).to_have_text("达人钱包")
    expect(page.locator("[data-wallet=anxin]")).to_contain_text("查看钱包")
    page.screenshot(path=str(SHOTS / f"account-centre-talent-wallet-{device}.png"), full_page=True)

    # 微信: an individual's commission goes to 微信零钱, so the page says why and offers no arrow.
    page.locator("a[data-wallet=wechat]").click()
    expect(page.locator(HEADING)).to_have_text("微信余额提现")
    expect(page.locator("[data-blocked-reason]")).to_contain_text("个人的佣金会逐笔到账于微信零钱")
    expect(page.locator("[data-arrow]")).to_have_count(0)
    page.screenshot(path=str(SHOTS / f"account-centre-talent-wechat-{device}.png"), full_page=True)

    # 安心钱包 → 查看钱包 → 推广者余额提现, with its arrow to 更换银行卡.
    page.go_back()
    page.locator("[data-wallet=anxin]").get_by_text("查看钱包").click()
    expect(page.locator(HEADING)).to_have_text("推广者余额提现")
    page.locator("[data-arrow]").click()
    expect(page.get_by_role("link", name="更换银行卡")).to_be_visible()


def test_merchant_enrols_an_authenticator_and_changes_an_account_with_its_code(login, enterprise_merchant):
    """安全设置 → password → QR code and secret → the app's first code → 10 recovery codes shown once;
    then 更换支付宝账号 asks for the app's code instead of the password (issue 9 part 4)."""
    import base64
    import time

    from django_otp.oath import TOTP
    from playwright.sync_api import expect

    from sellerdesk.payouts.models import AccountKind
    from sellerdesk.payouts.rails.simulator import SimulatorRail

    def app_code(secret_text: str, at: float) -> str:
        key = base64.b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8))
        totp = TOTP(key, step=30, t0=0, digits=6)
        totp.time = at
        return f"{totp.token():06d}"

    page = login("journey_merchant", PASSWORD, start="/account-centre/")
    page.get_by_test_id("security").click()
    expect(page.locator("[data-authenticator]")).to_have_attribute("data-authenticator", "none")
    page.fill("input[name=password]", PASSWORD)
    page.locator("[data-enrol-otp]").click()
    expect(page.locator("[data-qr] svg")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text()
    page.fill("input[name=code]", app_code(secret, time.time()))
    page.locator("[data-confirm-otp]").click()
    expect(page.locator("[data-recovery-code]")).to_have_count(10)
    page.get_by_role("link", name="我已保存").click()
    expect(page.locator("[data-authenticator]")).to_have_attribute("data-authenticator", "enrolled")
    expect(page.locator("[data-codes-left]")).to_contain_text("10")

    # Each code works once: the next time step's code (within the app's one-step tolerance).
    new_alipay = "treasury@journey.example.cn"
    SimulatorRail().open_account(kind=AccountKind.ALIPAY, number=new_alipay, holder_name=LEGAL_NAME, is_corporate=True)
    page.goto("/account-centre/wallets/alipay/change/")
    page.fill("input[name=alipay_account]", new_alipay)
    page.fill("input[name=otp]", app_code(secret, time.time() + 30))
    page.locator("[data-submit]").click()
    expect(page.locator(".flash").first).to_contain_text("t***@journey.example.cn")
