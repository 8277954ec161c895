from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from ninja import Router, Schema

from sellerdesk.core.errors import CodedError, Throttled

from .models import ApiToken

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


class MeOut(Schema):
    id: int
    username: str
    role: str
    shop_ids: list[int]
    subject: SubjectOut | None


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
    subject = user.acting_subject()
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "shop_ids": user.shop_ids(),
        "subject": (
            {"kind": subject.kind, "legal_name": subject.legal_name, "id_number_masked": subject.masked_id}
            if subject else None
        ),
    }
