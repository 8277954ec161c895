"""Forms of the account-centre pages. They only shape what the user typed; the rules (same subject,
card checks, step-up) live in payouts.checks / payouts.actions and come back as coded errors."""

from django import forms
from django.utils.translation import gettext_lazy

from sellerdesk.core.money import YuanField


def _password_field():
    """Step-up: the login password again. PasswordInput never renders the value back."""
    return forms.CharField(
        label=gettext_lazy("登录密码"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "placeholder": gettext_lazy("请再次输入登录密码")}
        ),
    )


STEP_UP_CODES = ("step_up_failed", "step_up_required", "step_up_method_unavailable", "step_up_throttled")


class StepUpMixin:
    """Step-up fields: the login password, or for a user who enrolled an authenticator app, a code
    from it (or a recovery code). Pass `otp_enabled=False` to leave the code field out. Neither is
    required here: check_step_up answers an empty proof with step_up_required, like the API."""

    def __init__(self, *args, otp_enabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"] = _password_field()
        if otp_enabled:
            self.fields["otp"] = forms.CharField(
                label=gettext_lazy("身份验证器验证码"),
                required=False,
                max_length=12,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "one-time-code",
                        "inputmode": "numeric",
                        "placeholder": gettext_lazy("6位数字，或一个恢复码"),
                    }
                ),
            )

    @property
    def otp_enabled(self) -> bool:
        return "otp" in self.fields

    def step_up_kwargs(self) -> dict:
        return {"password": self.cleaned_data.get("password") or None, "otp": self.cleaned_data.get("otp") or None}

    def step_up_field(self, code: str) -> str | None:
        """The field a step-up error belongs to: the code field when only a code was typed."""
        if code not in STEP_UP_CODES:
            return None
        typed_code = self.otp_enabled and self.cleaned_data.get("otp") and not self.cleaned_data.get("password")
        return "otp" if typed_code else "password"


class BankCardChangeForm(StepUpMixin, forms.Form):
    """更换银行卡: required-ness and number checks are the domain's, so every channel and the API
    answer the same way; the form keeps what was typed (never the password) for a re-render."""

    account_no = forms.CharField(
        label=gettext_lazy("银行卡号 / 对公账号"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": gettext_lazy("请输入新的银行卡号或对公账号"),
            }
        ),
    )
    holder_name = forms.CharField(
        label=gettext_lazy("开户名"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bank_name = forms.CharField(
        label=gettext_lazy("开户银行"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如:中国工商银行"), "autocomplete": "off"}),
    )
    is_corporate = forms.BooleanField(label=gettext_lazy("对公账户"), required=False)

    # Which field a domain error belongs to (by its code); others are shown above the form.
    FIELD_OF_CODE = {
        "account_no_required": "account_no",
        "card_number_not_digits": "account_no",
        "card_number_length": "account_no",
        "card_number_checksum": "account_no",
        "account_number_not_digits": "account_no",
        "account_number_length": "account_no",
        "same_account": "account_no",
        "account_bound_to_other_subject": "account_no",
        "bank_name_required": "bank_name",
        "holder_name_required": "holder_name",
        "subject_mismatch": "holder_name",
        "corporate_account_required": "is_corporate",
        "corporate_not_allowed": "is_corporate",
    }

    def change_request_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "account_no": d["account_no"],
            "holder_name": d["holder_name"],
            "bank_name": d["bank_name"],
            "is_corporate": d["is_corporate"],
            **self.step_up_kwargs(),
        }


class AlipayChangeForm(StepUpMixin, forms.Form):
    """更换账户 (支付宝): the account is a mobile number or an e-mail address."""

    alipay_account = forms.CharField(
        label=gettext_lazy("支付宝账号"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": gettext_lazy("手机号或邮箱")}),
    )

    FIELD_OF_CODE = {
        "alipay_account_required": "alipay_account",
        "alipay_account_invalid": "alipay_account",
        "alipay_account_not_found": "alipay_account",
        "corporate_alipay_required": "alipay_account",
        "subject_mismatch": "alipay_account",
        "same_account": "alipay_account",
        "account_bound_to_other_subject": "alipay_account",
    }

    def change_request_kwargs(self) -> dict:
        return {"alipay_account": self.cleaned_data["alipay_account"], **self.step_up_kwargs()}


class VerifyForm(forms.Form):
    """小额打款验证: the amount the user read on their bank statement, in yuan."""

    amount = YuanField(
        label=gettext_lazy("到账金额（元）"),
        min_fen=1,
        max_fen=999,
        range_message=gettext_lazy("小额打款的金额在 ¥0.01 到 ¥9.99 之间，请按银行流水填写，例如 3.27。"),
        widget=forms.TextInput(attrs={"placeholder": "0.00"}),
    )


class WithdrawForm(StepUpMixin, forms.Form):
    """余额提现: the amount, and step-up like an account change (money leaves the platform)."""

    amount = YuanField(
        label=gettext_lazy("提现金额（元）"),
        min_fen=1,
        max_fen=10**11,
        range_message=gettext_lazy("提现金额须大于 ¥0.00。"),
        widget=forms.TextInput(attrs={"placeholder": "0.00"}),
    )
