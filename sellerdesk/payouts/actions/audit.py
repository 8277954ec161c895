from dataclasses import dataclass

from sellerdesk.core.addresses import client_ip

from ..models import AuditLog


@dataclass(frozen=True)
class RequestMeta:
    """Who is asking from where: written to every audit entry."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request) -> "RequestMeta":
        return cls(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400])


def record(
    action: str,
    *,
    success: bool,
    meta: RequestMeta,
    actor=None,
    subject=None,
    wallet=None,
    change=None,
    code: str = "",
    details: dict | None = None,
    now=None,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        success=success,
        actor=actor,
        subject=subject,
        wallet=wallet,
        change=change,
        code=code,
        ip=meta.ip,
        user_agent=(meta.user_agent or "")[:400],
        details=details or {},
    )
    if now is not None:
        entry.at = now
    entry.save()
    return entry
