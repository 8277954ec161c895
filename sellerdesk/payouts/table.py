"""The wallet table of product.md §2 as data: which wallets a user has and whether each one's
withdrawal account may be changed. GET /wallets and the change action both read it."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from sellerdesk.identity.models import Role, SubjectKind

from .error_codes import PayoutErrorCode as Code
from .models import AccountKind, Channel, HolderRole

# User-facing texts are Chinese here and in the API; gettext_noop only marks them for makemessages, and
# the pages (views.py) translate them at render time. The wallet names (label) are the Channel choices'.

SAME_SUBJECT_CARD = gettext_noop("仅支持更换与绑定主体一致的银行卡。")
SAME_SUBJECT_ALIPAY = gettext_noop("仅支持更换与绑定主体一致的支付宝账号（支付宝账号一般为电话/邮箱）。")
CORPORATE_NOTE = gettext_noop("如是对公账户的变更，需要进行小额打款验证。")
WECHAT_BACKOFFICE_WARNING = gettext_noop("请勿登陆微信商户后台操作修改，谨防修改错误引发收款停用，影响消费者付款。")
ALIPAY_NOTE = gettext_noop(
    "请填写与商户名一致的支付宝账号（支付宝账号一般为电话/邮箱）；若为企业主体没有对公支付宝，请先去支付宝注册。"
)


@dataclass(frozen=True)
class WalletSpec:
    holder_role: str
    channel: str
    label: str  # what the account centre shows (安心钱包 / 微信 / 支付宝)
    page_title: str  # the withdrawal page (商家余额提现 …)
    account_kind: str
    change_label: str  # the button (更换银行卡 / 更换账户)
    path: str  # how a user gets there in the seller app, as the help article says
    notes: tuple[str, ...] = field(default=())


SPECS: dict[tuple[str, str], WalletSpec] = {
    (HolderRole.MERCHANT, Channel.ANXIN): WalletSpec(
        HolderRole.MERCHANT,
        Channel.ANXIN,
        "安心钱包",
        gettext_noop("商家余额提现"),
        AccountKind.BANK_CARD,
        gettext_noop("更换银行卡"),
        "app端卖家后台 → 账户资金 → 账户中心 → 安心钱包 → 查看钱包",
        (SAME_SUBJECT_CARD, CORPORATE_NOTE),
    ),
    (HolderRole.MERCHANT, Channel.WECHAT): WalletSpec(
        HolderRole.MERCHANT,
        Channel.WECHAT,
        "微信",
        gettext_noop("微信余额提现"),
        AccountKind.BANK_CARD,
        gettext_noop("更换银行卡"),
        "app端卖家后台 → 账户资金 → 账户中心 → 微信",
        (WECHAT_BACKOFFICE_WARNING, SAME_SUBJECT_CARD),
    ),
    (HolderRole.MERCHANT, Channel.ALIPAY): WalletSpec(
        HolderRole.MERCHANT,
        Channel.ALIPAY,
        "支付宝",
        gettext_noop("支付宝余额提现"),
        AccountKind.ALIPAY,
        gettext_noop("更换账户"),
        "app端卖家后台 → 账户资金 → 账户中心 → 支付宝",
        (ALIPAY_NOTE, SAME_SUBJECT_ALIPAY),
    ),
    (HolderRole.DISTRIBUTOR, Channel.ANXIN): WalletSpec(
        HolderRole.DISTRIBUTOR,
        Channel.ANXIN,
        "安心钱包",
        gettext_noop("推广者余额提现"),
        AccountKind.BANK_CARD,
        gettext_noop("更换银行卡"),
        "app端卖家后台 → 佣金收入 → 账单管理 → 达人钱包 → 安心钱包 → 查看钱包",
        (SAME_SUBJECT_CARD, CORPORATE_NOTE),
    ),
    (HolderRole.DISTRIBUTOR, Channel.WECHAT): WalletSpec(
        HolderRole.DISTRIBUTOR,
        Channel.WECHAT,
        "微信",
        gettext_noop("微信余额提现"),
        AccountKind.BANK_CARD,
        gettext_noop("更换银行卡"),
        "app端卖家后台 → 佣金收入 → 账单管理 → 达人钱包 → 微信",
        (
            gettext_noop(
                "仅支持个体工商户和企业在此更换，个人的佣金会逐笔到账于微信零钱，不提现至银行卡，无此更换环节。"
            ),
            SAME_SUBJECT_CARD,
        ),
    ),
}


@dataclass(frozen=True)
class Availability:
    spec: WalletSpec | None
    has_wallet: bool
    can_change: bool
    blocked: Code | None = None  # why the account cannot be changed here

    @property
    def blocked_code(self) -> str:
        """The API's `reason` of change_not_allowed ("" when the change is allowed)."""
        return self.blocked.value.partition(":")[2] if self.blocked else ""

    @property
    def blocked_reason(self) -> str:
        """The same, said in the reader's language."""
        return self.blocked.render({}) if self.blocked else ""


def holder_role_of(user) -> str | None:
    return {Role.MERCHANT: HolderRole.MERCHANT, Role.DISTRIBUTOR: HolderRole.DISTRIBUTOR}.get(user.role)


def availability(user, subject, channel: str) -> Availability:
    """Whether `user` (acting for `subject`) has the `channel` wallet and may change its account."""
    role = holder_role_of(user)
    spec = SPECS.get((role, channel))
    if spec is None:
        return Availability(None, False, False, Code.CHANGE_NOT_ALLOWED_NO_SUCH_WALLET)
    if subject is None:
        return Availability(spec, False, False, Code.CHANGE_NOT_ALLOWED_NO_SUBJECT)
    if role == HolderRole.DISTRIBUTOR and channel == Channel.ANXIN and not user.distributor_qualified:
        return Availability(spec, False, False, Code.CHANGE_NOT_ALLOWED_DISTRIBUTOR_NOT_QUALIFIED)
    if (
        role == HolderRole.DISTRIBUTOR
        and channel == Channel.WECHAT
        and subject.kind not in (SubjectKind.INDIVIDUAL_BUSINESS, SubjectKind.ENTERPRISE)
    ):
        return Availability(spec, True, False, Code.CHANGE_NOT_ALLOWED_INDIVIDUAL_COMMISSION_TO_WECHAT)
    return Availability(spec, True, True)


def wallet_channels(user) -> list[str]:
    role = holder_role_of(user)
    return [channel for (r, channel) in SPECS if r == role]
