"""Who is calling: a Bearer API token or the browser session (with CSRF, checked by ninja)."""
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class TokenAuth(HttpBearer):
    def __call__(self, request):
        # ninja's own version logs any other scheme's header in full when DEBUG is on, and a Basic
        # header is a password: another scheme is simply not ours.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        found = ApiToken.usable(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # DELETE /auth/token revokes this one
        return found.user


class SessionUserAuth(SessionAuth):
    """The browser session, CSRF-checked. A request that no session logs in (an ERP whose token
    expired, say) is simply not authenticated: 401, not a CSRF refusal for a cookie it never had."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


API_AUTH = [TokenAuth(), SessionUserAuth()]


def resolve_caller(request):
    """The caller of an API request, before ninja runs (used to scope idempotency keys)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return ApiToken.user_for(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
