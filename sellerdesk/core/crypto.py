"""Secrets at rest: MultiFernet encryption (newest key first) and an HMAC blind index.

Shared by withdrawal account numbers (payouts) and subjects' ID numbers (identity). Keys come from
settings.SELLERDESK_ACCOUNT_KEYS and SELLERDESK_FINGERPRINT_KEY. The fingerprint key is never
rotated by `rotate_account_keys`: it would change every blind index at once.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.SELLERDESK_ACCOUNT_KEYS if k and k.strip()]
    if not keys:
        raise ImproperlyConfigured("SELLERDESK_ACCOUNT_KEYS must hold at least one Fernet key")
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (decrypting with whichever key made it)."""
    return _fernet().rotate(token.encode()).decode()


def fingerprint(kind: str, number: str) -> str:
    """Blind index: the same value gives the same fingerprint, across rows and key rotations.
    `kind` separates the domains (an account number and an ID number never share an index)."""
    key = settings.SELLERDESK_FINGERPRINT_KEY.encode()
    return hmac.new(key, f"{kind}:{number}".encode(), hashlib.sha256).hexdigest()
