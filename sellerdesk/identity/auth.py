"""Who is calling: a Bearer API token or the browser session (with CSRF, checked by ninja)."""
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


class SessionUserAuth(SessionAuth):
    """Session auth that hands back the user (ninja's returns it too; kept explicit)."""


API_AUTH = [TokenAuth(), SessionUserAuth()]


def resolve_caller(request):
    """The caller of an API request, before ninja runs (used to scope idempotency keys)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return ApiToken.user_for(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
