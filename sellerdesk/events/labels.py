"""What the pages call the webhook machinery's values: event types (api.md, the outbox topics),
endpoint statuses and delivery states. Chinese msgids under the context "webhook", so they are
catalogue entries of their own, apart from the same words used as buttons or history entries
elsewhere; a value missing here is shown as itself."""

from django.utils.translation import pgettext_lazy

# pgettext_lazy is written out each time (no alias): makemessages finds the strings by that name.

# The event types of api.md, grouped as the subscription form shows them.
EVENT_GROUPS = (
    (
        pgettext_lazy("webhook", "售后"),
        (
            ("aftersale.created", pgettext_lazy("webhook", "买家申请售后")),
            ("aftersale.approved", pgettext_lazy("webhook", "商家同意售后")),
            ("aftersale.auto_approved", pgettext_lazy("webhook", "超时自动同意售后")),
            ("aftersale.rejected", pgettext_lazy("webhook", "商家拒绝售后")),
            ("aftersale.return_shipped", pgettext_lazy("webhook", "买家已寄回商品")),
            ("aftersale.refunded", pgettext_lazy("webhook", "售后已退款")),
            ("aftersale.closed", pgettext_lazy("webhook", "售后已关闭")),
            ("aftersale.cancelled", pgettext_lazy("webhook", "买家撤销售后")),
            ("aftersale.message_posted", pgettext_lazy("webhook", "协商有新留言")),
            ("aftersale.offer_made", pgettext_lazy("webhook", "商家提出部分退款方案")),
            ("aftersale.offer_accepted", pgettext_lazy("webhook", "买家接受退款方案")),
            ("aftersale.offer_declined", pgettext_lazy("webhook", "买家拒绝退款方案")),
        ),
    ),
    (
        pgettext_lazy("webhook", "纠纷"),
        (
            ("dispute.opened", pgettext_lazy("webhook", "买家申请平台介入")),
            ("dispute.evidence_submitted", pgettext_lazy("webhook", "一方已提交凭证")),
            ("dispute.evidence_due_soon", pgettext_lazy("webhook", "举证即将到期（剩 4 小时、1 小时）")),
            ("dispute.timed_out", pgettext_lazy("webhook", "超时未举证")),
            ("dispute.evidence_requested", pgettext_lazy("webhook", "平台要求补充凭证")),
            ("dispute.supplement_timed_out", pgettext_lazy("webhook", "补充凭证已超时")),
            ("dispute.resolved", pgettext_lazy("webhook", "纠纷已完成")),
            ("dispute.cancelled", pgettext_lazy("webhook", "纠纷已撤销")),
            ("dispute.appealed", pgettext_lazy("webhook", "判责被申诉")),
            ("dispute.appeal_decided", pgettext_lazy("webhook", "申诉已处理")),
            ("dispute.deadline_extended", pgettext_lazy("webhook", "平台延长了举证期限")),
        ),
    ),
    (
        pgettext_lazy("webhook", "退款"),
        (
            ("refund.succeeded", pgettext_lazy("webhook", "退款已到账")),
            ("refund.failed", pgettext_lazy("webhook", "退款未成功")),
        ),
    ),
    (
        pgettext_lazy("webhook", "提现账户与提现"),
        (
            ("payout_account.change_requested", pgettext_lazy("webhook", "申请更换提现账户")),
            ("payout_account.changed", pgettext_lazy("webhook", "提现账户已更换")),
            ("payout_account.change_failed", pgettext_lazy("webhook", "提现账户更换未成功")),
            ("withdrawal.requested", pgettext_lazy("webhook", "已申请提现")),
            ("withdrawal.paid", pgettext_lazy("webhook", "提现已到账")),
            ("withdrawal.failed", pgettext_lazy("webhook", "提现未成功")),
        ),
    ),
)

EVENT_TYPE_LABELS = {value: label for _group, items in EVENT_GROUPS for value, label in items}
ALL_EVENTS = pgettext_lazy("webhook", "全部事件")

ENDPOINT_STATUS_LABELS = {
    "enabled": pgettext_lazy("webhook", "启用"),
    "failing": pgettext_lazy("webhook", "推送失败"),
    "disabled": pgettext_lazy("webhook", "已停用"),
}

DELIVERY_STATE_LABELS = {
    "pending": pgettext_lazy("webhook", "待发送"),
    "sending": pgettext_lazy("webhook", "发送中"),
    "succeeded": pgettext_lazy("webhook", "已成功"),
    "retrying": pgettext_lazy("webhook", "重试中"),
    "dead": pgettext_lazy("webhook", "已放弃"),
}


def event_type_label(topic: str) -> str:
    if topic == "*":
        return str(ALL_EVENTS)
    label = EVENT_TYPE_LABELS.get(topic)
    return str(label) if label is not None else topic


def event_groups(known: list[str]):
    """EVENT_GROUPS limited to the types the action accepts (webhooks.event_types()); a known type
    without a label here goes into a last group under its own name."""
    allowed = set(known)
    groups = [(title, [(v, label) for v, label in items if v in allowed]) for title, items in EVENT_GROUPS]
    rest = sorted(allowed - set(EVENT_TYPE_LABELS))
    if rest:
        groups.append((pgettext_lazy("webhook", "其他"), [(v, v) for v in rest]))
    return [(title, items) for title, items in groups if items]
