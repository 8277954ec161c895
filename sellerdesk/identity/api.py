from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from ninja import Router, Schema

from sellerdesk.core.errors import CodedError, Throttled

from .models import ApiToken, Role, ShopRequired

router = Router(tags=["identity"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


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


@router.post("/auth/token", auth=None, response=TokenOut)
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for an API token. Repeated failures are throttled (django-axes)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer with the API's error body; left set, AxesMiddleware would swap it for plain text.
        request.axes_locked_out = False
        raise Throttled("Too many failed log-in attempts; try again in 15 minutes.", code="login_throttled",
                        retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if user is None:
        raise CodedError("Wrong username or password.", code="invalid_credentials", status=401)
    # A token is a log-in: the signal resets django-axes' failure count (AXES_RESET_ON_SUCCESS)
    # and records last_login, as a page log-in would.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    _, raw = ApiToken.issue(user, name="api")
    return {"token": raw}


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
        "shops": [{"id": m.shop_id, "name": m.shop.name, "role": "owner" if m.is_owner else "staff",
                   "permissions": ["manage_payout_accounts"] if m.may_manage_payout_accounts else []}
                  for m in (user.memberships() if user.role == Role.MERCHANT else [])],
        "subject": (
            {"kind": subject.kind, "legal_name": subject.legal_name, "id_number_masked": subject.masked_id}
            if subject else None
        ),
    }
