from .error_codes import CoreErrorCode as Code
from .errors import Forbidden


def require_role(user, *roles) -> None:
    if user.role not in roles:
        raise Forbidden(Code.FORBIDDEN_ROLE, details={"role": user.role, "allowed": list(roles)})
