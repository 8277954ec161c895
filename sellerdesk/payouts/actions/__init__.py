from .audit import RequestMeta, record
from .changes import (
    ChangeRequest,
    change_input_problems,
    do_cancel_change,
    do_expire_changes,
    do_request_change,
    do_verify_change,
)
from .onboarding import do_open_wallet
from .withdrawals import do_request_withdrawal

__all__ = [
    "RequestMeta",
    "record",
    "ChangeRequest",
    "change_input_problems",
    "do_cancel_change",
    "do_expire_changes",
    "do_request_change",
    "do_verify_change",
    "do_request_withdrawal",
    "do_open_wallet",
]
