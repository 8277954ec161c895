"""Refusals of log-in, tokens, authenticators and shops (core/errors.py)."""

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import ErrorCode


class IdentityErrorCode(ErrorCode):
    LOGIN_THROTTLED = "login_throttled", _("登录失败次数过多，请 %(retry_minutes)s 分钟后再试。")
    INVALID_CREDENTIALS = "invalid_credentials", _("用户名或密码错误。")
    NO_API_TOKEN = "no_api_token", _("这个请求不是用 API 令牌发出的；请用 DELETE /auth/tokens/{id} 按编号撤销令牌。")
    API_TOKEN_NOT_FOUND = "api_token_not_found", _("没有这个 API 令牌。")
    SHOP_NOT_FOUND = "shop_not_found", _("没有这个店铺。")
    INVALID_RESIDENT_ID = "invalid_subject_id", _("身份证号码无效（%(reason)s）。")
    INVALID_CREDIT_CODE = "invalid_subject_id:credit_code", _("统一社会信用代码无效（%(reason)s）。")
    OTP_ALREADY_ENROLLED = "otp_already_enrolled", _("已绑定身份验证器。如需更换，请先输入登录密码解除绑定。")
    OTP_NOT_ENROLLING = "otp_not_enrolling", _("请先开始绑定身份验证器。")
    OTP_INVALID = "otp_invalid", _("验证码不正确，请输入身份验证器上当前显示的6位数字。")
