"""Account-centre policy values. Read from settings when set there, else these defaults."""
from datetime import timedelta

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def micro_deposit_attempts() -> int:
    return _int("SELLERDESK_MICRO_DEPOSIT_ATTEMPTS", 3)


def micro_deposit_ttl() -> timedelta:
    return timedelta(seconds=_int("SELLERDESK_MICRO_DEPOSIT_TTL_SECONDS", 48 * 3600))


def micro_deposits_per_day() -> int:
    """Micro-deposits one wallet may trigger in 24 h (each is money sent and 3 guesses)."""
    return _int("SELLERDESK_MICRO_DEPOSITS_PER_DAY", 3)


def step_up_failure_limit() -> int:
    return _int("SELLERDESK_STEP_UP_FAILURE_LIMIT", 5)


def step_up_window() -> timedelta:
    return timedelta(seconds=_int("SELLERDESK_STEP_UP_WINDOW_SECONDS", 15 * 60))


def payout_cooloff() -> timedelta:
    """Hold withdrawals to a newly bound account this long (0 = off, the default)."""
    return timedelta(seconds=_int("SELLERDESK_PAYOUT_COOLOFF_SECONDS", 0))


# Corporate (对公) account numbers are not card numbers: Chinese banks use 9 to 30 digits.
CARD_LENGTH = (12, 19)
CORPORATE_LENGTH = (9, 30)
