from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from ninja import Field, Router, Schema, Status

from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError, InvalidInput, NotFound, Throttled
from sellerdesk.core.fields import InputSchema
from sellerdesk.identity.error_codes import IdentityErrorCode as Code

from .models import ApiToken, Role, ShopRequired

router = Router(tags=["identity"])


class TokenIn(InputSchema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to tell tokens apart")
    state: str = Field(description="active, expired or revoked")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = Field(description="Within a minute")
    revoked_at: datetime | None
    current: bool = Field(description="The token this request was made with")


class TokenList(Schema):
    items: list[TokenInfoOut]


class SubjectOut(Schema):
    kind: str
    legal_name: str
    id_number_masked: str


class ShopRoleOut(Schema):
    id: int
    name: str
    role: str  # "owner" or "staff" (子账号)
    permissions: list[str]  # e.g. ["manage_payout_accounts"]


class MeOut(Schema):
    id: int
    username: str
    role: str
    shop_ids: list[int]
    shops: list[ShopRoleOut]
    subject: SubjectOut | None  # null for a merchant with several shops: it depends on the shop chosen


@router.post("/auth/token", auth=None, response=TokenOut, openapi_extra={"x-error-statuses": ["401"]})
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for an API token. Repeated failures are throttled (django-axes)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer with the API's error body; left set, AxesMiddleware would swap it for plain text.
        request.axes_locked_out = False
        cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
        raise Throttled(Code.LOGIN_THROTTLED, retry_after=cooloff, details={"retry_minutes": cooloff // 60})
    if user is None:
        raise CodedError(Code.INVALID_CREDENTIALS, status=401)
    # A token is a log-in: the signal resets django-axes' failure count (AXES_RESET_ON_SUCCESS)
    # and records last_login, as a page log-in would.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, raw = ApiToken.issue(user, name="api")
    return {"token": raw, "expires_at": token.expires_at}


@router.delete("/auth/token", response={204: None})
def revoke_current_token(request):
    """Revoke the token this request was made with (log out an integration). 204; it no longer works."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise InvalidInput(Code.NO_API_TOKEN)
    token.revoke()
    return Status(204, None)


def token_info(token, now, current_id=None) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "state": token.state(now),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "current": token.pk == current_id,
    }


@router.get("/auth/tokens", response=TokenList)
def list_tokens(request):
    """The caller's API tokens, newest first (never the tokens themselves: only their prefix)."""
    now = clock.now()
    current = getattr(getattr(request, "api_token", None), "pk", None)
    rows = ApiToken.objects.filter(user=request.auth).order_by("-id")[:200]
    return {"items": [token_info(t, now, current) for t in rows]}


@router.delete("/auth/tokens/{token_id}", response={204: None})
def revoke_token(request, token_id: int):
    """Revoke one of the caller's tokens (404 for anyone else's). Revoking twice is fine."""
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise NotFound(Code.API_TOKEN_NOT_FOUND)
    token.revoke()
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request):
    user = request.auth
    try:
        subject = user.acting_subject()
    except ShopRequired:
        subject = None
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "shop_ids": user.shop_ids(),
        "shops": [
            {
                "id": m.shop_id,
                "name": m.shop.name,
                "role": "owner" if m.is_owner else "staff",
                "permissions": ["manage_payout_accounts"] if m.may_manage_payout_accounts else [],
            }
            for m in (user.memberships() if user.role == Role.MERCHANT else [])
        ],
        "subject": (
            {"kind": subject.kind, "legal_name": subject.legal_name, "id_number_masked": subject.masked_id}
            if subject
            else None
        ),
    }
