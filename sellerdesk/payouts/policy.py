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


def micro_deposit_max_fen() -> int:
    """Micro-deposits are 1..this many fen. 999 values and 3 attempts: a guess succeeds with
    probability 0.3% per change (with 1..99 it was 3%)."""
    return _int("SELLERDESK_MICRO_DEPOSIT_MAX_FEN", 999)


def account_changes_per_day() -> int:
    return _int("SELLERDESK_ACCOUNT_CHANGES_PER_DAY", 5)


def step_up_failure_limit() -> int:
    return _int("SELLERDESK_STEP_UP_FAILURE_LIMIT", 5)


def step_up_window() -> timedelta:
    return timedelta(seconds=_int("SELLERDESK_STEP_UP_WINDOW_SECONDS", 15 * 60))


def payout_cooloff() -> timedelta:
    """Hold withdrawals to a newly bound account this long (0 = off, the default)."""
    return timedelta(seconds=_int("SELLERDESK_PAYOUT_COOLOFF_SECONDS", 0))


def payout_cooloff_release_delay() -> timedelta:
    """A hold is met at `held_until` exactly (like every deadline), so it is released one second after."""
    return timedelta(seconds=1)


# Rail instructions (refunds, payouts, micro-deposits) sent by the worker --------------------------


def rail_max_attempts() -> int:
    """Sends per round before a transient failure becomes `failed` (a refund then goes to CS)."""
    return _int("SELLERDESK_RAIL_MAX_ATTEMPTS", 8)


def rail_retry_base() -> timedelta:
    """Delay after the first transient failure; each next one is 6 times longer, up to the cap."""
    return timedelta(seconds=_int("SELLERDESK_RAIL_RETRY_BASE_SECONDS", 5))


def rail_retry_cap() -> timedelta:
    return timedelta(seconds=_int("SELLERDESK_RAIL_RETRY_MAX_SECONDS", 6 * 3600))


def rail_lease() -> timedelta:
    """How long a claimed instruction belongs to its worker; after it, another worker re-sends it
    with the same reference. Longer than any rail call may take (the HTTP adapter's timeout)."""
    return timedelta(seconds=_int("SELLERDESK_RAIL_LEASE_SECONDS", 120))


def rail_sweep_batch() -> int:
    return _int("SELLERDESK_RAIL_SWEEP_BATCH", 50)


# Corporate (对公) account numbers are not card numbers: Chinese banks use 9 to 30 digits.
CARD_LENGTH = (12, 19)
CORPORATE_LENGTH = (9, 30)
