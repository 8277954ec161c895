# ruff: noqa: F811  (pytest fixtures imported from seller_app.py / test_account_centre.py are parameters)
"""Issue 12, item 6 and part of 2, clicked in Debian's chromium as a merchant would:

- PC 1440×900: the account centre sits inside the merchant workbench shell (sidebar, language
  switch, notifications); a form shows every error at once, next to its field and in a summary,
  and keeps what was typed (never the password);
- 开户银行 is chosen from a list and suggested from the card's BIN;
- phone 390×844: a merchant who logs in lands on the seller app, reaches 账户资金 → 账户中心 and
  the account-centre pages, none of which scrolls sideways.

Uses tests/browser/conftest.py (`login`, which skips with a message where /usr/bin/chromium is
missing) and seller_app.py (`phone_login`).
"""

import re

import pytest
from stdnum import luhn

from .conftest import PC
from .seller_app import phone_login, sideways_overflow  # noqa: F401  (fixture)
from .shots import SHOTS
from .test_account_centre import LEGAL_NAME, NEW_CORPORATE_ACCOUNT, PASSWORD, enterprise_merchant  # noqa: F401

pytestmark = [pytest.mark.browser]

ICBC_CARD = "6222020200123456"[:-1] + luhn.calc_check_digit("6222020200123456"[:-1])


def _to_change_form_on_pc(page):
    from playwright.sync_api import expect

    page.locator(".sidebar").get_by_role("link", name="账户中心").click()
    page.locator("[data-wallet=anxin]").get_by_text("查看钱包").click()
    page.locator("[data-arrow]").click()
    page.get_by_role("link", name="更换银行卡").click()
    expect(page.locator("[data-page-title] h1")).to_have_text("更换银行卡")


def test_account_centre_on_pc_sits_in_the_workbench_shell_and_shows_every_error_at_once_keeping_input(
    login, enterprise_merchant
):
    from playwright.sync_api import expect

    from sellerdesk.payouts.models import AccountChange

    page = login("journey_merchant", PASSWORD, viewport=PC)
    page.locator(".sidebar").get_by_role("link", name="账户中心").click()
    # The workbench shell: sidebar with 账户中心 active, language switch, notifications, header.
    expect(page.locator(".sidebar .nav a.active")).to_have_text("账户中心")
    expect(page.locator(".topbar")).to_contain_text("消息通知")
    expect(page.locator(".topbar select, .topbar form[action*=i18n], .topbar .lang").first).to_be_attached()
    expect(page.locator(".m-bar")).to_have_count(0)
    expect(page.locator("[data-page-title] h1")).to_have_text("账户中心")
    page.screenshot(path=str(SHOTS / "account-centre-shell-1-centre-pc.png"), full_page=True)

    page.locator("[data-wallet=anxin]").get_by_text("查看钱包").click()
    expect(page.locator(".sidebar .nav a.active")).to_have_text("账户中心")
    # The help article's instruction reads as the page's own hint, keeping its facts.
    expect(page.locator(".ac-howto")).to_have_text(
        "点击提现银行卡右侧的 ›，即可更换银行卡；更换为对公账户需要小额打款验证。"
    )
    page.locator("[data-arrow]").click()
    page.get_by_role("link", name="更换银行卡").click()

    # Four problems at once: a too-short account number, no bank, another subject's name, no password.
    page.fill("input[name=account_no]", "12345")
    page.fill("input[name=holder_name]", "别的公司")
    page.fill("input[name=password]", "")
    page.locator("[data-submit]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.locator("[data-error-item]")).to_have_count(4)
    expect(summary).to_contain_text("有 4 处需要修改")
    for field in ("account_no", "bank_name", "holder_name", "password"):
        expect(summary.locator(f"[data-error-field={field}]")).to_have_count(1)
        expect(page.locator(f".field.has-error:has([name={field}]) .ac-field-error")).to_have_count(1)
    expect(page.locator(".field:has([name=account_no]) .ac-field-error")).to_contain_text("对公账号应为")
    expect(page.locator(".field:has([name=bank_name]) .ac-field-error")).to_have_text("请选择开户银行。")
    expect(page.locator(".field:has([name=holder_name]) .ac-field-error")).to_contain_text("与主体名称不一致")
    expect(page.locator(".field:has([name=password]) .ac-field-error")).to_contain_text("请输入登录密码")
    # What was typed is kept; the password never comes back.
    expect(page.locator("input[name=account_no]")).to_have_value("12345")
    expect(page.locator("input[name=holder_name]")).to_have_value("别的公司")
    expect(page.locator("input[name=is_corporate]")).to_be_checked()
    expect(page.locator("input[name=password]")).to_have_value("")
    # A link in the summary takes the user to the field.
    summary.locator("[data-error-field=bank_name] a").click()
    expect(page.locator("select[name=bank_name]")).to_be_focused()
    expect(page.locator(".sidebar .nav a.active")).to_have_text("账户中心")
    page.screenshot(path=str(SHOTS / "account-centre-shell-2-all-errors-pc.png"), full_page=True)
    assert AccountChange.objects.count() == 0


def test_bank_is_chosen_from_the_list_and_suggested_from_the_card_bin(login, enterprise_merchant):
    from playwright.sync_api import expect

    from sellerdesk.payouts.banks import BANKS
    from sellerdesk.payouts.models import AccountChange

    page = login("journey_merchant", PASSWORD, viewport=PC)
    _to_change_form_on_pc(page)
    bank = page.locator("select[name=bank_name]")
    options = bank.locator("option")
    expect(options).to_have_count(len(BANKS) + 1)  # and 请选择开户银行
    expect(bank).to_have_value("")

    # A personal card's BIN (622202 is 中国工商银行) suggests its bank while the user types.
    page.locator("input[name=is_corporate]").uncheck()
    page.locator("input[name=account_no]").press_sequentially(ICBC_CARD[:8])
    expect(bank).to_have_value("中国工商银行")
    expect(page.locator("[data-bank-suggestion]")).to_have_text("已根据卡号选择中国工商银行，如果不是，请重新选择。")

    # The user's own choice wins; the hint says what the card looks like.
    bank.select_option(label="招商银行")
    page.locator("input[name=account_no]").press_sequentially(ICBC_CARD[8:])
    expect(bank).to_have_value("招商银行")
    expect(page.locator("[data-bank-suggestion]")).to_have_text("根据卡号，开户银行可能是中国工商银行。")
    page.fill("input[name=password]", PASSWORD)
    page.locator("[data-submit]").click()
    # An enterprise binds corporate accounts: refused, and the chosen bank is kept.
    expect(page.locator(".field:has([name=is_corporate]) .ac-field-error")).to_contain_text("对公账户")
    expect(bank).to_have_value("招商银行")
    expect(page.locator("input[name=account_no]")).to_have_value(ICBC_CARD)
    page.screenshot(path=str(SHOTS / "account-centre-shell-3-bank-list-pc.png"), full_page=True)

    # A corporate account number has no card BIN: the user picks the bank from the list.
    page.locator("input[name=is_corporate]").check()
    page.fill("input[name=account_no]", NEW_CORPORATE_ACCOUNT)
    bank.select_option(label="中国建设银行")
    page.fill("input[name=password]", PASSWORD)
    page.locator("[data-submit]").click()
    expect(page.locator("[data-page-title] h1")).to_have_text("小额打款验证")
    assert AccountChange.objects.get().new_account.bank_name == "中国建设银行"


def test_merchant_on_a_phone_lands_on_the_seller_app_and_reaches_the_account_centre_without_sideways_scroll(
    phone_login, enterprise_merchant
):
    from playwright.sync_api import expect

    page = phone_login("journey_merchant", PASSWORD)
    # The login lands on the seller app (商家后台 → 我的订单), not the PC workbench.
    expect(page).to_have_url(re.compile(r"/m/orders/$"))
    expect(page.locator(".m-bar h1")).to_have_text("我的订单")
    expect(page.locator(".sidebar")).to_have_count(0)
    seen = {"/m/orders/": sideways_overflow(page)}
    page.screenshot(path=str(SHOTS / "account-centre-shell-4-seller-app-phone.png"), full_page=True)

    # 账户资金 → 账户中心
    page.locator("[data-funds-menu] summary").click()
    expect(page.locator("[data-funds-menu]").get_by_role("link", name="账户中心")).to_be_visible()
    page.screenshot(path=str(SHOTS / "account-centre-shell-5-funds-menu-phone.png"))
    page.locator("[data-funds-menu]").get_by_role("link", name="账户中心").click()
    expect(page.locator(".m-bar h1")).to_have_text("账户中心")
    expect(page.locator(".ac-path")).to_contain_text("账户资金")
    seen["account centre"] = sideways_overflow(page)
    page.screenshot(path=str(SHOTS / "account-centre-shell-6-centre-phone.png"), full_page=True)

    for label in ("安心钱包", "微信", "支付宝"):
        expect(page.locator(".ac-entry .m-title", has_text=label).first).to_be_visible()
    page.locator("[data-wallet=anxin]").get_by_text("查看钱包").click()
    expect(page.locator(".m-bar h1")).to_have_text("商家余额提现")
    seen["wallet"] = sideways_overflow(page)
    page.locator("[data-arrow]").click()
    page.get_by_role("link", name="更换银行卡").click()
    expect(page.locator(".m-bar h1")).to_have_text("更换银行卡")
    seen["change form"] = sideways_overflow(page)
    page.locator("[data-submit]").click()  # nothing typed: every error at once, on a phone too
    expect(page.locator("[data-error-summary] [data-error-item]")).to_have_count(3)
    seen["change form with errors"] = sideways_overflow(page)
    page.screenshot(path=str(SHOTS / "account-centre-shell-7-errors-phone.png"), full_page=True)
    for channel in ("wechat", "alipay"):
        page.goto(f"/account-centre/wallets/{channel}/")
        seen[channel] = sideways_overflow(page)
        page.goto(f"/account-centre/wallets/{channel}/change/")
        seen[f"{channel} change"] = sideways_overflow(page)
    page.goto("/account-centre/security/")
    seen["security"] = sideways_overflow(page)
    assert seen == dict.fromkeys(seen, 0)
