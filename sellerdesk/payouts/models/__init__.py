from .audit import AppendOnlyError, AuditLog
from .change import AccountChange
from .enums import (
    AccountKind,
    AuditAction,
    ChangeFailure,
    ChangeStatus,
    Channel,
    HolderRole,
    WithdrawalStatus,
)
from .rail import RailTransfer, SimulatedAccount
from .wallet import Wallet, Withdrawal, WithdrawalAccount

__all__ = [
    "AppendOnlyError", "AuditLog", "AccountChange", "AccountKind", "AuditAction", "ChangeFailure",
    "ChangeStatus", "Channel", "HolderRole", "WithdrawalStatus", "RailTransfer", "SimulatedAccount",
    "Wallet", "Withdrawal", "WithdrawalAccount",
]
