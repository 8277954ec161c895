"""Account numbers at rest: the helpers of sellerdesk.core.crypto (MultiFernet encryption, newest key
first, and an HMAC blind index), plus how an account number is masked.

The fingerprint key is never rotated by `rotate_account_keys`: it would change every blind index at once.
"""

from sellerdesk.core.crypto import decrypt, encrypt, fingerprint, rotate

__all__ = ["decrypt", "encrypt", "fingerprint", "rotate", "mask"]


def mask(kind: str, number: str) -> str:
    """What pages, the API, the admin and logs show: the last four characters, nothing more."""
    if kind == "alipay" and "@" in number:
        local, _, domain = number.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"**** {number[-4:]}"
