"""Deadline durations (product.md §1), read from settings (environment variables, in seconds)."""

from datetime import timedelta

from django.conf import settings


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=settings.SELLERDESK_DEADLINES[name])


def merchant_response() -> timedelta:
    return _seconds("merchant_response")


def return_shipment() -> timedelta:
    return _seconds("return_shipment")


def receipt() -> timedelta:
    return _seconds("receipt")


def escalation_window() -> timedelta:
    return _seconds("escalation_window")


def evidence() -> timedelta:
    return _seconds("evidence")


def supplement() -> timedelta:
    return _seconds("supplement")


def aftersale_window() -> timedelta:
    return _seconds("aftersale_window")


def appeal_window() -> timedelta:
    return _seconds("appeal_window")


def evidence_due_soon() -> timedelta:
    return timedelta(seconds=settings.SELLERDESK_EVIDENCE_DUE_SOON_SECONDS)


def evidence_reminder_hours() -> tuple[int, ...]:
    """Hours before an evidence request's deadline when the asked party is reminded (4, 1)."""
    return tuple(settings.SELLERDESK_EVIDENCE_REMINDER_HOURS)


# Limits of free text, shown in the API docs.
MAX_REASON_CHARS = 200
MAX_DESCRIPTION_CHARS = 2000
MAX_MESSAGE_CHARS = 2000
MAX_NOTE_CHARS = 1000
MAX_APPEAL_REASON_CHARS = 1000
MAX_SUPPLEMENT_HOURS = 168
# The most one extension moves an evidence deadline (CS's extend-deadline).
MAX_EXTEND_HOURS = 168
