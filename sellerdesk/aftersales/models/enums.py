from django.db import models
from django.utils.translation import gettext_lazy as _

from sellerdesk.identity.models import Role


class Status(models.TextChoices):
    AWAITING_MERCHANT = "awaiting_merchant", _("待商家处理")
    AWAITING_RETURN = "awaiting_return", _("待买家退货")
    AWAITING_RECEIPT = "awaiting_receipt", _("待商家收货")
    MERCHANT_REJECTED = "merchant_rejected", _("商家已拒绝")
    DISPUTE_AWAITING_EVIDENCE = "dispute_awaiting_evidence", _("待商家提供凭证")
    DISPUTE_PLATFORM_REVIEW = "dispute_platform_review", _("平台处理中")
    DISPUTE_AWAITING_SUPPLEMENT = "dispute_awaiting_supplement", _("待补充凭证")
    REFUNDED = "refunded", _("退款成功")
    CLOSED = "closed", _("售后关闭")
    CANCELLED = "cancelled", _("已撤销")


FINAL_STATUSES = frozenset({Status.REFUNDED, Status.CLOSED, Status.CANCELLED})
DISPUTE_STATUSES = frozenset(
    {Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_PLATFORM_REVIEW, Status.DISPUTE_AWAITING_SUPPLEMENT}
)
# 待处理: the merchant's answer is awaited (the request itself, or the returned goods).
MERCHANT_PENDING_STATUSES = (Status.AWAITING_MERCHANT, Status.AWAITING_RECEIPT)


class AfterSaleType(models.TextChoices):
    REFUND_ONLY = "refund_only", _("仅退款")
    RETURN_REFUND = "return_refund", _("退货退款")


class Party(models.TextChoices):
    """A side of an after-sale: the roles that act in one (Role's values, named as a side: 买家),
    and the system for what deadlines do."""

    BUYER = Role.BUYER.value, _("买家")
    MERCHANT = Role.MERCHANT.value, _("商家")
    CS = Role.CS.value, _("平台客服")
    SYSTEM = "system", _("系统")


class DisputeStatus(models.TextChoices):
    AWAITING_EVIDENCE = "awaiting_evidence", _("待商家举证")
    PLATFORM_REVIEW = "platform_review", _("平台处理中")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("待补充凭证")
    RESOLVED = "resolved", _("纠纷完成")
    CANCELLED = "cancelled", _("纠纷取消")


class Outcome(models.TextChoices):
    REFUND = "refund", _("全额退款")
    PARTIAL_REFUND = "partial_refund", _("部分退款")
    NO_REFUND = "no_refund", _("不退款")


class Liable(models.TextChoices):
    """Who a ruling holds liable (判责): one of the parties, or no one."""

    MERCHANT = Party.MERCHANT.value, _("商家责任")
    BUYER = Party.BUYER.value, _("买家责任")
    NONE = "none", _("无责")


class RulingReason(models.TextChoices):
    """Why a ruling's outcome and liability point different ways: required when they do (a refund
    with the buyer liable, no refund with the merchant liable), never otherwise."""

    PLATFORM_GUARANTEE = "platform_guarantee", _("平台保障：买家有责，仍按保障规则退款")
    NO_REASON_RETURN = "no_reason_return", _("七天无理由退货：买家有责，仍可退款")
    NO_LOSS_TO_BUYER = "no_loss_to_buyer", _("商家有责，但买家没有损失，不退款")


class HistoryKind(models.TextChoices):
    CREATED = "created", _("买家申请售后")
    APPROVED = "approved", _("商家同意售后")
    AUTO_APPROVED = "auto_approved", _("商家超时未处理，系统同意")
    REJECTED = "rejected", _("商家拒绝售后")
    RETURN_SHIPPED = "return_shipped", _("买家已退货")
    RETURN_TIMED_OUT = "return_timed_out", _("买家超时未退货，售后关闭")
    RECEIPT_CONFIRMED = "receipt_confirmed", _("商家确认收货")
    RECEIPT_AUTO_CONFIRMED = "receipt_auto_confirmed", _("商家超时未收货，系统确认收货")
    RECEIPT_REJECTED = "receipt_rejected", _("商家拒绝收货")
    ESCALATION_WINDOW_CLOSED = "escalation_window_closed", _("买家未申请平台介入，售后关闭")
    ESCALATED = "escalated", _("买家申请平台介入")
    EVIDENCE_SUBMITTED = "evidence_submitted", _("提交凭证")
    EVIDENCE_TIMED_OUT = "evidence_timed_out", _("商家超时未举证")
    EVIDENCE_REQUESTED = "evidence_requested", _("平台要求补充凭证")
    SUPPLEMENT_TIMED_OUT = "supplement_timed_out", _("补充凭证超时")
    MESSAGE = "message", _("留言")
    OFFER_MADE = "offer_made", _("商家提出部分退款方案")
    OFFER_ACCEPTED = "offer_accepted", _("买家接受方案")
    OFFER_DECLINED = "offer_declined", _("买家拒绝方案")
    OFFER_SUPERSEDED = "offer_superseded", _("商家以新方案取代原方案")
    OFFER_LAPSED = "offer_lapsed", _("部分退款方案已失效")
    CANCELLED = "cancelled", _("买家撤销申请")
    RULED = "ruled", _("平台判责")
    REFUNDED = "refunded", _("退款成功")
    REFUND_SUCCEEDED = "refund_succeeded", _("退款已到账")
    REFUND_FAILED = "refund_failed", _("退款未成功")
    REFUND_RETRIED = "refund_retried", _("平台客服重新发起退款")
    APPEALED = "appealed", _("提交售后申诉")
    APPEAL_UPHELD = "appeal_upheld", _("申诉复核：维持原判")
    APPEAL_OVERTURNED = "appeal_overturned", _("申诉复核：改判")
    COMPENSATED = "compensated", _("平台补偿商家")
    CASE_CLAIMED = "case_claimed", _("客服认领")
    CASE_RELEASED = "case_released", _("客服释放")
    CS_NOTE = "cs_note", _("客服内部备注")
    DEADLINE_EXTENDED = "deadline_extended", _("平台延长期限")


class Visibility(models.TextChoices):
    ALL = "all", _("双方与平台")
    PLATFORM = "platform", _("仅平台")


# Django's get_FOO_display() rebuilds a hashable copy of the choices on every call, which was a
# quarter of a list request's CPU (docs/benchmarks.md); these look labels up directly.
_STATUS_LABELS = dict(Status.choices)
_HISTORY_LABELS = dict(HistoryKind.choices)


def status_label(value: str) -> str:
    return str(_STATUS_LABELS.get(value, value))


def history_label(value: str) -> str:
    return str(_HISTORY_LABELS.get(value, value))
