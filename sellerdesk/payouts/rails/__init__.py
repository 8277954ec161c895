from django.conf import settings
from django.utils.module_loading import import_string

from .base import AccountRef, NameCheck, Rail, RailError, RailRejected, RailUnavailable, SentTransfer, StatementLine


def get_rail() -> Rail:
    """The configured adapter (settings.SELLERDESK_RAIL_ADAPTER), a fresh instance per call."""
    return import_string(settings.SELLERDESK_RAIL_ADAPTER)()


__all__ = ["AccountRef", "NameCheck", "Rail", "RailError", "RailRejected", "RailUnavailable", "SentTransfer",
           "StatementLine", "get_rail"]
