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
        found = token_of(request, token)
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


def token_of(request, raw: str) -> ApiToken | None:
    """ApiToken.usable(raw), looked up once per request: the idempotency middleware asks before
    ninja's TokenAuth does, and both get the same answer (live or not) from one query."""
    seen = request.__dict__.get("_sellerdesk_token")
    if seen is not None and seen[0] == raw:
        return seen[1]
    found = ApiToken.usable(raw)
    remember_token(request, raw, found)
    return found


def remember_token(request, raw: str, found: ApiToken | None) -> None:
    """What token_of(request, raw) answers from now on: the token found by a statement that read
    it together with something else (the idempotency middleware's claim, on PostgreSQL)."""
    request._sellerdesk_token = (raw, found)


def bearer_of(request) -> str | None:
    """The raw Bearer token of the request, or None when it sends no Bearer header."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def resolve_caller(request):
    """The caller of an API request, before ninja runs (used to scope idempotency keys)."""
    raw = bearer_of(request)
    if raw is not None:
        found = token_of(request, raw)
        return found.user if found else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
