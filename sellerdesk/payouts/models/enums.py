from django.db import models
from django.utils.translation import gettext_lazy as _

from sellerdesk.identity.models import Role


class Channel(models.TextChoices):
    ANXIN = "anxin", _("安心钱包")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")


# Which side of the marketplace a wallet serves (one subject may be both): the two roles that hold
# wallets, with Role's values and labels, so a user's role and a wallet's side are one spelling.
HolderRole = models.TextChoices("HolderRole", [(r.name, (r.value, r.label)) for r in (Role.MERCHANT, Role.DISTRIBUTOR)])


class AccountKind(models.TextChoices):
    BANK_CARD = "bank_card", _("银行卡")
    ALIPAY = "alipay", _("支付宝账号")


class ChangeStatus(models.TextChoices):
    PENDING_VERIFICATION = "pending_verification", _("待小额打款验证")
    COMPLETED = "completed", _("已更换")
    FAILED = "failed", _("验证失败")
    CANCELLED = "cancelled", _("已取消")


class ChangeFailure(models.TextChoices):
    ATTEMPTS_EXHAUSTED = "attempts_exhausted", _("验证次数已用完")
    EXPIRED = "expired", _("验证已过期")
    MICRO_DEPOSIT_FAILED = "micro_deposit_failed", _("小额打款失败")


class SubjectProof(models.TextChoices):
    """How a new withdrawal account was shown to belong to the wallet's subject."""

    REAL_NAME_CHECK = "real_name_check", _("银行实名核验")  # name + resident ID + card agree at the bank
    NAME_CHECK = "name_check", _("支付宝实名校验")  # Alipay's real-name record is the subject's
    MICRO_DEPOSIT = "micro_deposit", _("小额打款验证")  # the owner read the amount sent to the account


class WithdrawalStatus(models.TextChoices):
    HELD = "held", _("冷静期暂缓")
    PROCESSING = "processing", _("提现中")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("提现失败")


class InstructionKind(models.TextChoices):
    REFUND = "refund", _("售后退款")
    PAYOUT = "payout", _("余额提现")
    MICRO_DEPOSIT = "micro_deposit", _("小额打款验证")


class InstructionState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SUCCEEDED = "succeeded", _("已成功")
    FAILED = "failed", _("已失败")


class AuditAction(models.TextChoices):
    CHANGE_REQUESTED = "change_requested"
    CHANGE_REFUSED = "change_refused"
    STEP_UP_FAILED = "step_up_failed"
    MICRO_DEPOSIT_SENT = "micro_deposit_sent"
    VERIFICATION_FAILED = "verification_failed"
    CHANGE_COMPLETED = "change_completed"
    CHANGE_FAILED = "change_failed"
    CHANGE_CANCELLED = "change_cancelled"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWAL_RELEASED = "withdrawal_released"
    WITHDRAWAL_PAID = "withdrawal_paid"
    WITHDRAWAL_FAILED = "withdrawal_failed"
    WITHDRAWAL_REFUSED = "withdrawal_refused"
    PAYOUT_PERMISSION_GRANTED = "payout_permission_granted"
    PAYOUT_PERMISSION_REVOKED = "payout_permission_revoked"
    KEYS_ROTATED = "keys_rotated"
    WALLET_CREDITED = "wallet_credited"
