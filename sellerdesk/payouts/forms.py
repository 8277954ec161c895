"""Forms of the account-centre pages. They only shape what the user typed; the rules (same subject,
card checks, step-up) live in payouts.checks / payouts.actions and come back as coded errors."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from sellerdesk.core.money import YuanField

from .banks import bank_choices, suggest_bank


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


class ErrorsMixin:
    """All of a form's errors at once: next to each field, and counted for the summary above the
    form (payouts/_errors.html)."""

    DEFAULT_ERROR_FIELD: str | None = None
    FIELD_OF_CODE: dict = {}

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())

    def show_refusals(self, refusals) -> None:
        """Each coded refusal next to its field (FIELD_OF_CODE, the step-up field), others above
        the form; a message already shown for that field is not repeated."""
        placed = [(self.field_of(err), err.message) for err in refusals]  # before add_error empties cleaned_data
        for where, message in placed:
            if message not in self.errors.get(where or "__all__", []):
                self.add_error(where, message)

    def field_of(self, err) -> str | None:
        return self.FIELD_OF_CODE.get(err.code, self.DEFAULT_ERROR_FIELD)


STEP_UP_CODES = ("step_up_failed", "step_up_required", "step_up_method_unavailable", "step_up_throttled")


class StepUpMixin(ErrorsMixin):
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
        data = getattr(self, "cleaned_data", None) or {}
        typed_code = self.otp_enabled and data.get("otp") and not data.get("password")
        return "otp" if typed_code else "password"

    def field_of(self, err) -> str | None:
        return self.step_up_field(err.code) or super().field_of(err)

    def proof_given(self) -> bool:
        """Whether a password or code was typed (read from the raw data: the form may be invalid)."""
        return bool(self.data.get("password") or (self.otp_enabled and self.data.get("otp")))


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
    # A select of banks.BANKS; still a CharField so that the domain's check_bank_name (the same for
    # the API) is what refuses a name that is not listed, with its own message.
    bank_name = forms.CharField(
        label=gettext_lazy("开户银行"),
        required=False,
        max_length=80,
        widget=forms.Select(attrs={"data-bank-select": ""}),
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
        "bank_name_unknown": "bank_name",
        "holder_name_required": "holder_name",
        "subject_mismatch": "holder_name",
        "corporate_account_required": "is_corporate",
        "corporate_not_allowed": "is_corporate",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_name"].widget.choices = [("", gettext("请选择开户银行"))] + bank_choices()
        suggested = suggest_bank(self.data.get("account_no") if self.is_bound else "")
        self.suggested_bank = suggested.name if suggested else ""

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


class VerifyForm(ErrorsMixin, forms.Form):
    """小额打款验证: the amount the user read on their bank statement, in yuan."""

    DEFAULT_ERROR_FIELD = "amount"

    amount = YuanField(
        label=gettext_lazy("到账金额（元）"),
        min_fen=1,
        max_fen=999,
        range_message=gettext_lazy("小额打款的金额在 ¥0.01 到 ¥9.99 之间，请按银行流水填写，例如 3.27。"),
        widget=forms.TextInput(attrs={"placeholder": "0.00"}),
    )


class WithdrawForm(StepUpMixin, forms.Form):
    """余额提现: the amount, and step-up like an account change (money leaves the platform)."""

    DEFAULT_ERROR_FIELD = "amount"

    amount = YuanField(
        label=gettext_lazy("提现金额（元）"),
        min_fen=1,
        max_fen=10**11,
        range_message=gettext_lazy("提现金额须大于 ¥0.00。"),
        widget=forms.TextInput(attrs={"placeholder": "0.00"}),
    )
