"""Validation of subjects' identity numbers (python-stdnum does the checksums)."""

import unicodedata

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

from sellerdesk.core.errors import InvalidInput
from sellerdesk.identity.error_codes import IdentityErrorCode as Code


def check_subject_id(kind: str, id_number: str) -> str:
    """Return the compact, checksum-valid ID for a subject of `kind`, or raise InvalidInput."""
    from .models import SubjectKind

    try:
        if kind == SubjectKind.INDIVIDUAL:
            return ric.validate(id_number)
        return uscc.validate(id_number)
    except stdnum_exceptions.ValidationError as exc:
        code = Code.INVALID_RESIDENT_ID if kind == SubjectKind.INDIVIDUAL else Code.INVALID_CREDIT_CODE
        raise InvalidInput(code, details={"reason": exc.message}) from exc


def normalise_name(name: str) -> str:
    """Legal names compare equal across full-/half-width brackets, spaces and letter case."""
    folded = unicodedata.normalize("NFKC", name or "")
    return "".join(folded.split()).casefold()
