from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    AccountRef,
    NameCheck,
    Rail,
    RailError,
    RailRejected,
    RailUnavailable,
    RealNameCheck,
    SentTransfer,
    StatementLine,
)

# The short names of settings.SELLERDESK_RAIL_ADAPTER (api.md "Operations"); a dotted path works off production.
ADAPTERS = {
    "simulator": "sellerdesk.payouts.rails.simulator.SimulatorRail",
    "http": "sellerdesk.payouts.rails.http.HttpRail",
}


def rail_class() -> type[Rail]:
    name = settings.SELLERDESK_RAIL_ADAPTER
    return import_string(ADAPTERS.get(name, name))


def get_rail() -> Rail:
    """The configured adapter (settings.SELLERDESK_RAIL_ADAPTER), a fresh instance per call."""
    return rail_class()()


def sandbox_enabled() -> bool:
    """Whether the sandbox paths (the simulator's statement and admin pages) exist: only with the
    simulator as the adapter, and never in production."""
    return not settings.PRODUCTION and rail_class().is_simulator


__all__ = [
    "ADAPTERS",
    "AccountRef",
    "NameCheck",
    "Rail",
    "RailError",
    "RailRejected",
    "RailUnavailable",
    "RealNameCheck",
    "SentTransfer",
    "StatementLine",
    "get_rail",
    "rail_class",
    "sandbox_enabled",
]
