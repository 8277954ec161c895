from .audit import AppendOnlyError, AuditLog
from .change import AccountChange
from .enums import (
    AccountKind,
    AuditAction,
    ChangeFailure,
    ChangeStatus,
    Channel,
    HolderRole,
    InstructionKind,
    InstructionState,
    SubjectProof,
    WithdrawalStatus,
)
from .instruction import RailInstruction
from .rail import RailFault, RailTransfer, SimulatedAccount
from .wallet import Wallet, WalletCredit, Withdrawal, WithdrawalAccount

__all__ = [
    "AppendOnlyError",
    "AuditLog",
    "AccountChange",
    "AccountKind",
    "AuditAction",
    "ChangeFailure",
    "ChangeStatus",
    "Channel",
    "HolderRole",
    "InstructionKind",
    "InstructionState",
    "WithdrawalStatus",
    "SubjectProof",
    "RailInstruction",
    "RailFault",
    "RailTransfer",
    "SimulatedAccount",
    "Wallet",
    "WalletCredit",
    "Withdrawal",
    "WithdrawalAccount",
]
