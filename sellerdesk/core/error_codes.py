"""Refusals that belong to no app: rate limits, paging, roles (see core/errors.py)."""
from django.utils.translation import gettext_lazy as _

from .errors import ErrorCode


class CoreErrorCode(ErrorCode):
    RATE_LIMITED = "rate_limited", _("操作太频繁，请 %(retry_after_seconds)s 秒后再试。")
    RATE_LIMIT_UNAVAILABLE = "rate_limit_unavailable", _("系统繁忙，暂时无法确认操作频率，请稍后再试。")
    INVALID_CURSOR = "invalid_cursor", _("翻页链接已失效，请从第一页重新查看。")
    INVALID_LIMIT = "invalid_limit", _("每页条数须在 1 到 %(max_limit)s 之间。")
    FORBIDDEN_ROLE = "forbidden_role", _("您的角色不能使用这个功能。")
