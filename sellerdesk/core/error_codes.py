"""Refusals that belong to no app: the request itself, idempotency keys, rate limits, paging, roles
(see core/errors.py)."""

from django.utils.translation import gettext_lazy as _

from .errors import ErrorCode


class CoreErrorCode(ErrorCode):
    RATE_LIMITED = "rate_limited", _("操作太频繁，请 %(retry_after_seconds)s 秒后再试。")
    RATE_LIMIT_UNAVAILABLE = "rate_limit_unavailable", _("系统繁忙，暂时无法确认操作频率，请稍后再试。")
    INVALID_CURSOR = "invalid_cursor", _("翻页链接已失效，请从第一页重新查看。")
    CURSOR_TOO_LONG = "cursor_too_long", _("翻页链接太长（最多 %(max_chars)s 个字符），请从第一页重新查看。")
    INVALID_LIMIT = "invalid_limit", _("每页条数须在 1 到 %(max_limit)s 之间。")
    FORBIDDEN_ROLE = "forbidden_role", _("您的角色不能使用这个功能。")

    # The request as a whole (sellerdesk/api.py, core/idempotency.py)
    INVALID_INPUT = "invalid_input", _("请求内容不正确：%(summary)s")
    MALFORMED_JSON = "malformed_json", _("请求内容不是有效的 JSON。")
    NOT_AUTHENTICATED = "not_authenticated", _("请登录，或使用有效的 API 令牌。")
    NOT_FOUND = "not_found", _("没有找到。")
    FORBIDDEN = "forbidden", _("您不能进行这个操作（%(reason)s）。")
    NO_SUCH_ENDPOINT = "not_found:endpoint", _("没有这个 API 接口。")
    THROTTLED = "throttled", _("请求太频繁，请稍后再试。")
    METHOD_NOT_ALLOWED = "method_not_allowed", _("这里不能用 %(method)s，请用 %(allowed_list)s。")
    HTTP_ERROR = "http_error", _("请求无法处理（%(reason)s）。")
    REQUEST_TOO_LARGE = (
        "request_too_large",
        _("请求内容或表单字段超过 %(limit_mb)s MB；文件请作为 multipart 文件部分上传。"),
    )
    TOO_MANY_FILES = "too_many_files", _("文件太多，每次最多上传 %(limit_files)s 个。")
    TOO_MANY_FIELDS = "too_many_fields", _("表单字段超过 %(limit_fields)s 个。")
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key", _("Idempotency-Key 须为 1 到 255 个字符。")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", _("这个 Idempotency-Key 已用于另一个请求内容。")
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use", _("使用这个 Idempotency-Key 的请求仍在处理中。")

    def params(self, details: dict) -> dict:
        shown = super().params(details)
        if isinstance(details.get("limit_bytes"), int):
            shown["limit_mb"] = details["limit_bytes"] // 2**20
        if details.get("allowed") and isinstance(details["allowed"], list):
            shown["allowed_list"] = ", ".join(details["allowed"])
        return shown
