"""Every refusal of the account centre: its API code and what it says, in the reader's language
(core/errors.py). Values after a colon name a variant of one API code."""

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import ErrorCode


class PayoutErrorCode(ErrorCode):
    # Input (checks.py)
    ACCOUNT_NO_REQUIRED = "account_no_required", _("请填写银行卡号。")
    ACCOUNT_NUMBER_NOT_DIGITS = "account_number_not_digits", _("对公账号只能包含数字。")
    ACCOUNT_NUMBER_LENGTH = "account_number_length", _("对公账号应为%(min)s到%(max)s位数字。")
    CARD_NUMBER_NOT_DIGITS = "card_number_not_digits", _("银行卡号只能包含数字。")
    CARD_NUMBER_LENGTH = "card_number_length", _("银行卡号应为%(min)s到%(max)s位数字。")
    CARD_NUMBER_CHECKSUM = "card_number_checksum", _("银行卡号校验未通过，请核对卡号。")
    BANK_NAME_REQUIRED = "bank_name_required", _("请选择开户银行。")
    BANK_NAME_UNKNOWN = "bank_name_unknown", _("暂不支持这家开户银行，请从列表中选择。")
    HOLDER_NAME_REQUIRED = "holder_name_required", _("请填写开户名（持卡人姓名或企业名称）。")
    ALIPAY_ACCOUNT_REQUIRED = "alipay_account_required", _("请填写支付宝账号（手机号或邮箱）。")
    ALIPAY_ACCOUNT_INVALID = "alipay_account_invalid", _("支付宝账号应为手机号或邮箱。")

    # Step-up (checks.check_step_up)
    STEP_UP_THROTTLED = "step_up_throttled", _("身份验证失败次数过多，请稍后再试。")
    OTP_THROTTLED = "step_up_throttled:otp", _("验证码尝试过于频繁，请稍后再试。")
    STEP_UP_FAILED = "step_up_failed", _("密码错误，身份验证未通过。")
    OTP_FAILED = "step_up_failed:otp", _("验证码错误或已使用，身份验证未通过。")
    STEP_UP_METHOD_UNAVAILABLE = (
        "step_up_method_unavailable",
        _("你还没有绑定身份验证器，请使用登录密码验证（可在账户中心的安全设置中绑定身份验证器）。"),
    )
    STEP_UP_REQUIRED = "step_up_required", _("这是高风险操作，需要再次验证身份：请输入登录密码。")
    STEP_UP_REQUIRED_OR_OTP = (
        "step_up_required:otp",
        _("这是高风险操作，需要再次验证身份：请输入登录密码或身份验证器验证码。"),
    )

    # The same subject (checks.py, actions/changes.py)
    SUBJECT_MISMATCH = "subject_mismatch", _("仅支持更换与绑定主体一致的账户：开户名与主体名称不一致。")
    BANK_NAME_CHECK_MISMATCH = (
        "subject_mismatch:bank_name_check",
        _("仅支持更换与绑定主体一致的银行卡：银行登记的开户名与主体名称不一致。"),
    )
    REAL_NAME_CHECK_MISMATCH = (
        "subject_mismatch:real_name_check",
        _("仅支持更换与绑定主体一致的银行卡：银行核验持卡人身份与主体不一致。"),
    )
    ALIPAY_REAL_NAME_MISMATCH = (
        "subject_mismatch:alipay_real_name",
        _("仅支持更换与绑定主体一致的支付宝账号：该支付宝账号的实名与主体名称不一致。"),
    )
    CORPORATE_ACCOUNT_REQUIRED = "corporate_account_required", _("企业主体请绑定企业的对公账户（勾选对公账户）。")
    CORPORATE_NOT_ALLOWED = "corporate_not_allowed", _("个人主体不能绑定对公账户，请使用本人的银行卡。")
    ACCOUNT_BOUND_TO_OTHER_SUBJECT = (
        "account_bound_to_other_subject",
        _(
            "这个账户已绑定在平台的其他主体名下，不能绑定到当前主体。请使用本主体名下的其他账户，如有疑问请联系平台客服。"
        ),
    )
    ALIPAY_ACCOUNT_NOT_FOUND = "alipay_account_not_found", _("支付宝未找到这个账号，请核对手机号或邮箱。")
    CORPORATE_ALIPAY_REQUIRED = (
        "corporate_alipay_required",
        _("企业主体需绑定与商户名一致的对公支付宝账号；若没有对公支付宝，请先去支付宝注册。"),
    )

    # Where the account cannot be changed at all (table.availability): the API's code is
    # change_not_allowed, with the variant as details.reason.
    CHANGE_NOT_ALLOWED_NO_SUCH_WALLET = (
        "change_not_allowed:no_such_wallet",
        _("您的账号没有这个钱包，无需设置提现账户。"),
    )
    CHANGE_NOT_ALLOWED_NO_SUBJECT = (
        "change_not_allowed:no_subject",
        _("账号尚未绑定经营主体（主体），暂不能设置提现账户。"),
    )
    CHANGE_NOT_ALLOWED_DISTRIBUTOR_NOT_QUALIFIED = (
        "change_not_allowed:distributor_not_qualified",
        _("完成资质填写与绑卡后才会开通安心钱包（达人钱包），目前没有可更换的提现银行卡。"),
    )
    CHANGE_NOT_ALLOWED_INDIVIDUAL_COMMISSION_TO_WECHAT = (
        "change_not_allowed:individual_commission_to_wechat_change",
        _("个人的佣金会逐笔到账于微信零钱，不提现至银行卡，无此更换环节；仅个体工商户和企业可以更换微信提现银行卡。"),
    )

    # Changes and micro-deposits (actions/changes.py)
    SAME_ACCOUNT = "same_account", _("新账户与当前提现账户相同，无需更换。")
    CHANGE_ALREADY_PENDING = "change_already_pending", _("已有一笔待验证的更换，请先完成小额打款验证或取消它。")
    CHANGE_NOT_PENDING = "change_not_pending", _("这条更换已经结束，不能取消。")
    CHANGE_NOT_VERIFIABLE = "change_not_pending:verify", _("这条更换已经结束，不能再验证。")
    ACCOUNT_CHANGES_THROTTLED = (
        "account_changes_throttled",
        _("这个钱包 24 小时内最多更换 %(per_day)s 次提现账户，请稍后再试。"),
    )
    MICRO_DEPOSIT_THROTTLED = "micro_deposit_throttled", _("今天的小额打款验证次数已用完，请明天再试。")
    MICRO_DEPOSIT_NOT_SENT = "micro_deposit_not_sent", _("小额打款正在发送，请稍后在银行流水中查看到账金额再填写。")
    VERIFICATION_EXPIRED = "verification_expired", _("小额打款验证已过期，请重新发起更换。原提现账户继续有效。")
    VERIFICATION_FAILED = "verification_failed", _("金额不正确，还可以再试 %(attempts_left)s 次。")
    VERIFICATION_FAILED_FINAL = (
        "verification_failed:final",
        _("金额不正确，验证次数已用完，本次更换失败。原提现账户继续有效。"),
    )
    RAIL_UNAVAILABLE = "rail_unavailable", _("暂时无法向银行或支付宝核验这个账户，请稍后再试。本次没有做任何更改。")

    # Wallets, withdrawals, permissions (access.py, actions/)
    WALLET_NOT_FOUND = "wallet_not_found", _("没有这个钱包。")
    ACCOUNT_CHANGE_NOT_FOUND = "account_change_not_found", _("没有找到这条更换记录。")
    WITHDRAWAL_NOT_FOUND = "withdrawal_not_found", _("没有找到这笔提现。")
    INVALID_AMOUNT = "invalid_amount", _("提现金额必须大于0。")
    NO_WITHDRAWAL_ACCOUNT = "no_withdrawal_account", _("还没有绑定提现账户。")
    INSUFFICIENT_BALANCE = "insufficient_balance", _("余额不足。")
    FORBIDDEN_PERMISSION = (
        "forbidden_permission",
        _(
            "您是本店铺的子账号，没有“管理提现账户”权限，不能更换提现账户或提现。请联系店铺主账号在“账户中心 → 子账号权限”中授权。"
        ),
    )
    OWNER_ONLY = "forbidden_permission:owner_only", _("只有店铺主账号可以管理子账号权限。")
    SHOP_NOT_FOUND = "shop_not_found", _("没有这个店铺。")
    STAFF_NOT_FOUND = "staff_not_found", _("这个店铺没有这个子账号。")
