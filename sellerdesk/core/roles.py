from .errors import Forbidden


def require_role(user, *roles) -> None:
    if user.role not in roles:
        raise Forbidden("Your role may not use this endpoint.", code="forbidden_role",
                        details={"role": user.role, "allowed": list(roles)})
