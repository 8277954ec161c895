"""Every refusal of the webhook endpoints: its API code and what it says, in the reader's language
(core/errors.py). Values after a colon name a variant of one API code."""

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import ErrorCode


class EventsErrorCode(ErrorCode):
    INVALID_WEBHOOK_URL = "invalid_webhook_url", _("请填写以 https:// 或 http:// 开头的完整地址。")
    WEBHOOK_URL_HAS_CREDENTIALS = "webhook_url_has_credentials", _("地址中不能包含用户名或密码。")
    WEBHOOK_URL_TOO_LONG = "webhook_url_too_long", _("地址最长 500 个字符。")
    WEBHOOK_URL_NOT_HTTPS = "webhook_url_not_https", _("接收地址须使用 https://。")
    WEBHOOK_TARGET_UNRESOLVABLE = (
        "webhook_target_unresolvable",
        _("无法解析地址中的域名“%(host)s”，请检查是否拼写正确。"),
    )
    WEBHOOK_TARGET_NOT_ALLOWED = (
        "webhook_target_not_allowed",
        _("地址“%(host)s”指向本机或内网，不能接收推送，请使用公网可访问的地址。"),
    )
    NO_EVENT_TYPES = "invalid_event_types", _("请选择“全部事件”或至少一种事件类型。")
    UNKNOWN_EVENT_TYPES = "invalid_event_types:unknown", _("不认识的事件类型：%(unknown_list)s。")
    TOO_MANY_ENDPOINTS = "too_many_endpoints", _("最多可以添加 %(limit)s 个推送地址，请先停用不再使用的地址。")
    SHOP_REQUIRED = "shop_required", _("请选择这个推送地址属于哪个店铺。")
    NO_SHOP = "shop_required:none", _("您的账号还没有店铺，不能添加推送地址。")
    SHOP_NOT_FOUND = "not_found", _("没有找到这个店铺。")
    FORBIDDEN_ROLE = "forbidden_role", _("您的角色不能添加推送地址。")
    ENDPOINT_NOT_FOUND = "not_found:endpoint", _("没有找到这个推送地址。")
    DELIVERY_NOT_FOUND = "not_found:delivery", _("没有找到这条推送记录。")
    NOTIFICATION_NOT_FOUND = "not_found:notification", _("没有找到这条通知。")
    ENDPOINT_DISABLED = "endpoint_disabled", _("这个推送地址已停用，不能再操作。")
    DELIVERY_IN_FLIGHT = "delivery_in_flight", _("这条推送正在发送中，请稍后刷新页面再试。")

    def params(self, details: dict) -> dict:
        shown = super().params(details)
        if details.get("unknown"):
            shown["unknown_list"] = "、".join(details["unknown"])
        return shown
