"""Issue 12, item 6: the account centre inside the workbench shell on PC and the seller-app shell
on a phone; every form error at once, nothing typed lost but the password."""

import pytest
from django.test import Client

from sellerdesk.payouts.models import AccountChange, AuditAction, AuditLog

from .conftest import IP, PASSWORD, UA

PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def _web(user, **headers) -> Client:
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=headers.pop("ua", UA), **headers)
    client.force_login(user)
    return client


@pytest.fixture
def seller(merchant):
    merchant.web = _web(merchant.user)
    return merchant


@pytest.mark.parametrize(
    "path", ["/account-centre/", "/account-centre/wallets/anxin/", "/account-centre/wallets/anxin/change/"]
)
def test_account_centre_on_pc_is_inside_the_workbench_shell(seller, path):
    page = seller.web.get(path)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="sidebar"' in body and 'data-shell="pc"' in body and 'class="m-bar"' not in body
    assert 'href="/notifications/"' in body and 'action="/i18n/setlang/"' in body
    assert "Sec-CH-UA-Mobile" in page["Vary"]


@pytest.mark.parametrize("headers", [{"HTTP_SEC_CH_UA_MOBILE": "?1"}, {"ua": PHONE_UA}])
def test_account_centre_on_a_phone_is_in_the_seller_app_shell_with_the_funds_tab(merchant, headers):
    body = _web(merchant.user, **headers).get("/account-centre/").content.decode()
    assert 'class="m-bar"' in body and 'data-shell="phone"' in body and 'class="sidebar"' not in body
    assert "data-funds-menu" in body and 'href="/m/orders/"' in body


def test_change_form_shows_every_input_error_at_once_and_keeps_what_was_typed(seller):
    response = seller.web.post(
        "/account-centre/wallets/anxin/change/",
        {"account_no": "12345", "holder_name": "别的公司", "bank_name": "测试银行", "is_corporate": "on"},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert {name: len(errors) for name, errors in form.errors.items()} == {
        "account_no": 1,
        "bank_name": 1,
        "holder_name": 1,
        "password": 1,
    }
    assert form.errors["bank_name"] == ["暂不支持这家开户银行，请从列表中选择。"]
    body = response.content.decode()
    assert "有 4 处需要修改：" in body and body.count("data-error-item") == 4
    assert 'value="12345"' in body and 'value="别的公司"' in body
    # The action refused once, for the first problem, and audited that one attempt.
    assert AuditLog.objects.filter(actor=seller.user, action=AuditAction.CHANGE_REFUSED).count() == 1
    assert not AccountChange.objects.exists()


def test_change_form_never_renders_the_password_back(seller):
    response = seller.web.post(
        "/account-centre/wallets/anxin/change/",
        {"account_no": "12345", "holder_name": "x", "bank_name": "中国银行", "password": PASSWORD},
    )
    assert PASSWORD not in response.content.decode()
    assert "selected>中国银行</option>" in response.content.decode()


def test_withdrawal_form_shows_the_amount_and_the_missing_password_together(seller):
    response = seller.web.post("/account-centre/wallets/anxin/", {"amount": "abc"})
    assert set(response.context["form"].errors) == {"amount", "password"}


def test_the_articles_instructions_read_as_product_copy(seller):
    for channel in ("anxin", "wechat", "alipay"):
        for path in (f"/account-centre/wallets/{channel}/", f"/account-centre/wallets/{channel}/change/"):
            body = seller.web.get(path).content.decode()
            assert "小箭头" not in body and "点击【" not in body and "登陆" not in body
    wechat = seller.web.get("/account-centre/wallets/wechat/").content.decode()
    assert "不要登录微信商户后台修改" in wechat and "收款停用" in wechat
