"""do_request_change / do_verify_change / do_cancel_change / do_expire_changes.

One transaction per change. Refusals are raised as coded errors after the transaction that would
have made the change is rolled back, and their audit entry is written outside it, so a refused
attempt leaves exactly one audit row and nothing else.
"""

import hmac
import logging
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError, Conflict, Throttled, Unprocessable
from sellerdesk.core.locks import ACCOUNT_FINGERPRINT, lock_value
from sellerdesk.events.outbox import emit
from sellerdesk.identity.checks import normalise_name
from sellerdesk.identity.models import Role, SubjectKind, User

from .. import policy
from ..access import access_change, access_wallet, check_channel, check_payout_permission, owner_subject
from ..checks import (
    NewAccount,
    bank_account_problems,
    check_alipay_account,
    check_bank_account,
    check_corporate_allowed,
    check_same_subject,
    check_step_up,
    step_up_missing,
)
from ..error_codes import PayoutErrorCode as Code
from ..models import (
    AccountChange,
    AccountKind,
    AuditAction,
    ChangeFailure,
    ChangeStatus,
    HolderRole,
    InstructionKind,
    InstructionState,
    RailInstruction,
    SubjectProof,
    Wallet,
    WithdrawalAccount,
)
from ..rails import AccountRef, RailUnavailable, RealNameCheck, get_rail
from ..table import availability
from .audit import RequestMeta, record
from .instructions import order_instruction
from .permissions import refuse_unless_permitted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeRequest:
    """What the user typed. `account_no` / `alipay_account` are clear text: never log this."""

    account_no: str | None = None
    holder_name: str | None = None
    bank_name: str | None = None
    is_corporate: bool = False
    alipay_account: str | None = None
    password: str | None = None
    otp: str | None = None

    def __repr__(self):
        return "ChangeRequest(…)"

    __str__ = __repr__


def account_ref(account: WithdrawalAccount | NewAccount, *, fingerprint: str = "", masked: str = "") -> AccountRef:
    if isinstance(account, WithdrawalAccount):
        return AccountRef(
            kind=account.kind,
            number=account.number,
            fingerprint=account.fingerprint,
            masked=account.masked,
            last4=account.last4,
            holder_name=account.holder_name,
            bank_name=account.bank_name,
            is_corporate=account.is_corporate,
        )
    return AccountRef(
        kind=account.kind,
        number=account.number,
        fingerprint=fingerprint,
        masked=masked,
        last4=account.number[-4:],
        holder_name=account.holder_name,
        bank_name=account.bank_name,
        is_corporate=account.is_corporate,
    )


def subject_users(subject, holder_role: str):
    """The people told about changes to this subject's accounts (second channel)."""
    if holder_role == HolderRole.DISTRIBUTOR:
        return User.objects.filter(role=Role.DISTRIBUTOR, subject=subject, is_active=True)
    return (
        User.objects.filter(role=Role.MERCHANT, is_active=True)
        .filter(Q(subject=subject) | Q(shops__subject=subject))
        .distinct()
    )


def _wallet_link(wallet) -> str:
    return f"/account-centre/wallets/{wallet.channel}/"


# --- request ------------------------------------------------------------------------------------


def do_request_change(
    *, acting_user, channel: str, request: ChangeRequest, ip: str | None = None, user_agent: str = "", now=None
) -> AccountChange:
    """Ask to replace the withdrawal account of the caller's `channel` wallet.

    Same subject is proven, never assumed: an Alipay account by Alipay's real-name record, a
    personal card by the bank's real-name check (name + resident ID + card); when that check cannot
    be made (corporate accounts, individual businesses, a card the bank cannot say about) the change
    waits for micro-deposit verification. Returns the change: `completed` or
    `pending_verification` (the micro-deposit is a rail instruction the worker sends after commit).
    Raises a coded error and changes nothing but the audit log otherwise.
    """
    now = now or clock.now()
    meta = RequestMeta(ip=ip, user_agent=user_agent)
    context: dict = {"channel": channel}
    subject = None
    try:
        subject = owner_subject(acting_user)
        check_payout_permission(acting_user)  # owner or staff with manage_payout_accounts (403)
        check_channel(channel)
        new, probe = _check_request(acting_user, subject, channel, request, context)
        # Cheap refusals first (no lock, nothing written), so no proof or rail call is spent on them;
        # they are checked again under the wallet's lock.
        _check_wallet_state(access_wallet(acting_user, subject, channel), probe.fingerprint, now, record_expired=False)
        # Outside the transaction, so that django-otp's failure throttle and a spent recovery code
        # stay written whatever happens next.
        check_step_up(acting_user, password=request.password, otp=request.otp, now=now)
        # The rail's checks move no money but are remote calls: made before any row is locked.
        proof, holder_name = _prove_same_subject(
            subject, new, account_ref(new, fingerprint=probe.fingerprint, masked=probe.masked)
        )
        context["proof"] = proof
        _check_not_bound_elsewhere(subject, probe.fingerprint, now)  # after the rail: its "not yours" comes first
        with transaction.atomic():
            return _request_change(acting_user, subject, channel, new, proof, holder_name, meta, now, context)
    except CodedError as exc:
        action = AuditAction.STEP_UP_FAILED if exc.code == "step_up_failed" else AuditAction.CHANGE_REFUSED
        wallet = context.get("wallet")
        if wallet is not None and not Wallet.objects.filter(pk=wallet.pk).exists():
            wallet = None  # created by the attempt that was just rolled back
        record(
            action,
            success=False,
            meta=meta,
            actor=acting_user,
            subject=subject,
            wallet=wallet,
            code=exc.code,
            details={k: v for k, v in context.items() if k != "wallet"},
            now=now,
        )
        log.info("account change refused: user=%s channel=%s code=%s", acting_user.pk, channel, exc.code)
        raise


def _check_request(user, subject, channel, request: ChangeRequest, context) -> tuple[NewAccount, WithdrawalAccount]:
    """The wallet may be changed and the input is a valid account this subject may bind. Reads only."""
    allowed = availability(user, subject, channel)
    if not allowed.can_change:
        raise Conflict(allowed.blocked, details={"reason": allowed.blocked_code, "channel": channel})
    if allowed.spec.account_kind == AccountKind.ALIPAY:
        new = check_alipay_account(request.alipay_account)
    else:
        new = check_bank_account(
            account_no=request.account_no,
            holder_name=request.holder_name,
            bank_name=request.bank_name,
            is_corporate=request.is_corporate,
        )
    probe = WithdrawalAccount(subject=subject, kind=new.kind)
    probe.set_number(new.number)
    context.update(kind=new.kind, masked=probe.masked, fingerprint=probe.fingerprint, is_corporate=new.is_corporate)
    check_corporate_allowed(subject, new)
    if new.kind == AccountKind.BANK_CARD:
        check_same_subject(subject, new.holder_name)  # the typed name, before asking the bank anything
    return new, probe


def change_input_problems(*, acting_user, channel: str, request: ChangeRequest) -> list[CodedError]:
    """Every problem with what the user typed for a change, all at once, in the order
    do_request_change would raise them one by one (a page shows them together). Reads only: no
    audit row, no rail call, and the step-up proof is not checked, only whether one was given.
    Empty when the wallet cannot be changed at all (do_request_change says why)."""
    try:
        subject = owner_subject(acting_user)
        check_channel(channel)
    except CodedError:
        return []
    allowed = availability(acting_user, subject, channel)
    if subject is None or not allowed.can_change:
        return []
    problems: list[CodedError] = []
    if allowed.spec.account_kind == AccountKind.ALIPAY:
        try:
            check_alipay_account(request.alipay_account)
        except CodedError as err:
            problems.append(err)
    else:
        problems += bank_account_problems(
            account_no=request.account_no,
            holder_name=request.holder_name,
            bank_name=request.bank_name,
            is_corporate=request.is_corporate,
        )
        shape = NewAccount(AccountKind.BANK_CARD, "", "", "", bool(request.is_corporate))
        for check in (
            lambda: check_corporate_allowed(subject, shape),
            lambda: check_same_subject(subject, request.holder_name) if (request.holder_name or "").strip() else None,
        ):
            try:
                check()
            except CodedError as err:
                problems.append(err)
    if not (request.password or request.otp):
        problems.append(step_up_missing(acting_user))
    return problems


def _request_change(
    user, subject, channel, new: NewAccount, proof: str, holder_name: str, meta, now, context
) -> AccountChange:
    wallet = access_wallet(user, subject, channel, lock=True, create=True)
    context["wallet"] = wallet
    account = WithdrawalAccount(
        subject=subject,
        kind=new.kind,
        holder_name=holder_name,
        bank_name=new.bank_name,
        is_corporate=new.is_corporate,
        created_at=now,
    )
    account.set_number(new.number)
    # One subject at a time may bind a given number: two subjects racing for it do not both pass.
    lock_value(ACCOUNT_FINGERPRINT, account.fingerprint)
    _check_wallet_state(wallet, account.fingerprint, now, record_expired=True)
    _check_not_bound_elsewhere(subject, account.fingerprint, now)
    account.save()
    change = AccountChange.objects.create(
        wallet=wallet,
        requested_by=user,
        old_account=wallet.account,
        new_account=account,
        status=ChangeStatus.PENDING_VERIFICATION,
        proof=proof,
        created_at=now,
    )
    record(
        AuditAction.CHANGE_REQUESTED,
        success=True,
        meta=meta,
        actor=user,
        subject=subject,
        wallet=wallet,
        change=change,
        details={
            "channel": channel,
            "kind": account.kind,
            "masked": account.masked,
            "fingerprint": account.fingerprint,
            "is_corporate": account.is_corporate,
            "proof": proof,
        },
        now=now,
    )
    if proof == SubjectProof.MICRO_DEPOSIT:
        _order_micro_deposit(change, meta, now)
    else:
        _complete(change, acting_user=user, meta=meta, now=now)
    return change


def _check_wallet_state(wallet, fingerprint: str, now, *, record_expired: bool) -> None:
    """Not the account already bound, within the day's changes, no other change waiting."""
    if wallet is None:
        return
    if wallet.account_id and wallet.account.fingerprint == fingerprint:
        raise Conflict(Code.SAME_ACCOUNT)
    _check_changes_today(wallet, now)
    pending = _pending_change(wallet, now, record_expired=record_expired)
    if pending is not None:
        raise Conflict(
            Code.CHANGE_ALREADY_PENDING, details={"change_id": pending.pk, "expires_at": pending.expires_at.isoformat()}
        )


def _check_not_bound_elsewhere(subject, fingerprint: str, now) -> None:
    """An account number bound to (or being verified for) another subject's wallet is refused: a
    card has one holder, so two subjects claiming it means one of them is not its holder."""
    bound = Wallet.objects.filter(account__fingerprint=fingerprint).exclude(subject=subject).exists()
    claimed = (
        AccountChange.objects.filter(
            status=ChangeStatus.PENDING_VERIFICATION, expires_at__gte=now, new_account__fingerprint=fingerprint
        )
        .exclude(wallet__subject=subject)
        .exists()
    )
    if bound or claimed:
        raise Conflict(Code.ACCOUNT_BOUND_TO_OTHER_SUBJECT)


def _prove_same_subject(subject, new: NewAccount, ref: AccountRef) -> tuple[str, str]:
    """How the new account is shown to be the subject's (a SubjectProof) and the holder name to store.
    Raises subject_mismatch when the rail says it is someone else's; 503 when it cannot be asked."""
    rail = get_rail()
    try:
        real = rail.real_name_of(ref)
        if new.kind == AccountKind.ALIPAY:
            return SubjectProof.NAME_CHECK, _check_alipay_holder(subject, real)
        if real is not None and normalise_name(real.holder_name) != normalise_name(subject.legal_name):
            # The typed name matches, but the bank says the account is someone else's.
            raise Unprocessable(Code.BANK_NAME_CHECK_MISMATCH, details={"source": "bank_name_check"})
        if not new.is_corporate and subject.kind == SubjectKind.INDIVIDUAL:
            # A name is not a person (namesakes are common): the bank checks name + resident ID + card.
            answer = rail.real_name_check(
                ref,
                holder_name=subject.legal_name,
                id_number=subject.id_number,
                reference=f"real-name-{uuid.uuid4().hex[:24]}",
            )
            if answer == RealNameCheck.MATCH:
                return SubjectProof.REAL_NAME_CHECK, new.holder_name
            if answer == RealNameCheck.NO_MATCH:
                raise Unprocessable(Code.REAL_NAME_CHECK_MISMATCH, details={"source": "real_name_check"})
    except RailUnavailable:
        raise CodedError(Code.RAIL_UNAVAILABLE, status=503) from None
    # Nobody could say whose account it is: the owner proves it by reading the micro-deposit.
    return SubjectProof.MICRO_DEPOSIT, new.holder_name


def _check_alipay_holder(subject, real) -> str:
    if real is None:
        raise Unprocessable(Code.ALIPAY_ACCOUNT_NOT_FOUND)
    if subject.kind == SubjectKind.ENTERPRISE and not real.is_corporate:
        raise Unprocessable(Code.CORPORATE_ALIPAY_REQUIRED)
    if normalise_name(real.holder_name) != normalise_name(subject.legal_name):
        raise Unprocessable(Code.ALIPAY_REAL_NAME_MISMATCH, details={"source": "alipay_real_name"})
    return real.holder_name


def _check_changes_today(wallet, now) -> None:
    """At most policy.account_changes_per_day() changes of one wallet in 24 h (WeChat allows 5)."""
    since = now - timedelta(days=1)
    today = list(
        AccountChange.objects.filter(wallet=wallet, created_at__gt=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    limit = policy.account_changes_per_day()
    if len(today) >= limit:
        retry_after = (today[-limit] + timedelta(days=1) - now).total_seconds()
        raise Throttled(Code.ACCOUNT_CHANGES_THROTTLED, details={"per_day": limit}, retry_after=math.ceil(retry_after))


def _pending_change(wallet, now, *, record_expired: bool) -> AccountChange | None:
    """The change waiting for verification, if any; expired ones are recorded as failed when asked."""
    for change in AccountChange.objects.filter(wallet=wallet, status=ChangeStatus.PENDING_VERIFICATION):
        if not change.is_expired(now):
            return change
        if record_expired:
            _fail(change, ChangeFailure.EXPIRED, meta=RequestMeta(), actor=None, now=now)
    return None


def _order_micro_deposit(change, meta, now) -> None:
    """Choose the amount and write the instruction; the worker sends it after commit."""
    since = now - timedelta(days=1)
    # Every micro-deposit ordered counts, sent or not yet: each is money and three guesses.
    ordered_today = RailInstruction.objects.filter(
        kind=InstructionKind.MICRO_DEPOSIT, change__wallet=change.wallet, created_at__gt=since
    ).count()
    if ordered_today >= policy.micro_deposits_per_day():
        raise Throttled(
            Code.MICRO_DEPOSIT_THROTTLED, details={"per_day": policy.micro_deposits_per_day()}, retry_after=24 * 3600
        )
    change.expected_amount_fen = secrets.randbelow(policy.micro_deposit_max_fen()) + 1
    change.rail_reference = f"acct-change-{change.pk}"
    change.attempts_left = policy.micro_deposit_attempts()
    change.expires_at = now + policy.micro_deposit_ttl()
    change.save(update_fields=["expected_amount_fen", "rail_reference", "attempts_left", "expires_at"])
    order_instruction(
        InstructionKind.MICRO_DEPOSIT,
        reference=change.rail_reference,
        amount_fen=change.expected_amount_fen,
        account=change.new_account,
        change=change,
        now=now,
    )
    wallet = change.wallet
    emit(
        "payout_account.change_requested",
        aggregate_type="wallet",
        aggregate_id=wallet.pk,
        payload={
            "change_id": change.pk,
            "channel": wallet.channel,
            "subject_id": wallet.subject_id,
            "holder_role": wallet.holder_role,
            "new_account": change.new_account.masked,
            "expires_at": change.expires_at.isoformat(),
        },
    )


def _complete(change, *, acting_user, meta, now) -> None:
    wallet = change.wallet
    account = change.new_account
    account.verified_at = now
    account.save(update_fields=["verified_at"])
    wallet.account = account
    wallet.account_bound_at = now
    wallet.save(update_fields=["account", "account_bound_at"])
    change.status = ChangeStatus.COMPLETED
    change.completed_at = change.closed_at = now
    change.save(update_fields=["status", "completed_at", "closed_at"])
    get_rail().remember_bound(account_ref(account))
    old = change.old_account.masked if change.old_account_id else None
    record(
        AuditAction.CHANGE_COMPLETED,
        success=True,
        meta=meta,
        actor=acting_user,
        subject=wallet.subject,
        wallet=wallet,
        change=change,
        details={"masked": account.masked, "previous": old},
        now=now,
    )
    emit(
        "payout_account.changed",
        aggregate_type="wallet",
        aggregate_id=wallet.pk,
        payload={
            "change_id": change.pk,
            "channel": wallet.channel,
            "subject_id": wallet.subject_id,
            "holder_role": wallet.holder_role,
            "account": account.masked,
            "previous_account": old,
            "changed_at": now.isoformat(),
        },
    )
    log.info("withdrawal account changed: wallet=%s change=%s account=%s", wallet.pk, change.pk, account.masked)


def _fail(change, reason: str, *, meta, actor, now) -> None:
    change.status = ChangeStatus.FAILED
    change.failure_reason = reason
    change.closed_at = now
    change.save(update_fields=["status", "failure_reason", "closed_at"])
    wallet = change.wallet
    record(
        AuditAction.CHANGE_FAILED,
        success=False,
        meta=meta,
        actor=actor,
        subject=wallet.subject,
        wallet=wallet,
        change=change,
        code=reason,
        details={"masked": change.new_account.masked},
        now=now,
    )
    emit(
        "payout_account.change_failed",
        aggregate_type="wallet",
        aggregate_id=wallet.pk,
        payload={
            "change_id": change.pk,
            "channel": wallet.channel,
            "subject_id": wallet.subject_id,
            "holder_role": wallet.holder_role,
            "new_account": change.new_account.masked,
            "reason": reason,
        },
    )


def record_micro_deposit_result(instruction, *, now) -> None:
    """The rail answered the micro-deposit (called by record_outcome inside its transaction, the
    instruction locked). Sent: verification may start. Refused or never delivered: the change
    fails, the old account stays bound."""
    change = AccountChange.objects.select_related("wallet").get(pk=instruction.change_id)
    Wallet.objects.select_for_update(of=("self",)).get(pk=change.wallet_id)  # lock order: wallet, then change
    change = (
        AccountChange.objects.select_for_update(of=("self",))
        .select_related("wallet__subject", "new_account", "requested_by")
        .get(pk=change.pk)
    )
    wallet = change.wallet
    if instruction.state == InstructionState.SUCCEEDED:
        if change.micro_deposit_sent_at is None:
            change.micro_deposit_sent_at = now
            change.save(update_fields=["micro_deposit_sent_at"])
        record(
            AuditAction.MICRO_DEPOSIT_SENT,
            success=True,
            meta=RequestMeta(),
            actor=change.requested_by,
            subject=wallet.subject,
            wallet=wallet,
            change=change,
            details={"masked": change.new_account.masked, "reference": instruction.reference},
            now=now,
        )
    elif change.status == ChangeStatus.PENDING_VERIFICATION:
        _fail(change, ChangeFailure.MICRO_DEPOSIT_FAILED, meta=RequestMeta(), actor=None, now=now)
        log.info("account change %s failed: micro-deposit refused (%s)", change.pk, instruction.failed_reason)


# --- verify / cancel / expire -----------------------------------------------------------------


def _lock_change(user, change_id):
    """Lock order: wallet, then change (the same order as do_request_change)."""
    change = access_change(user, change_id)
    access_wallet(user, change.wallet.subject, change.wallet.channel, lock=True)
    return access_change(user, change_id, lock=True)


def do_verify_change(
    *, acting_user, change_id: int, amount_fen: int, ip: str | None = None, user_agent: str = "", now=None
) -> AccountChange:
    """Check the micro-deposit amount the owner read from their statement.

    Right amount before `expires_at` (inclusive) → completed. Wrong amount → one attempt fewer,
    failed at 0. After expiry → failed and refused with `verification_expired`.
    """
    now = now or clock.now()
    meta = RequestMeta(ip=ip, user_agent=user_agent)
    refuse_unless_permitted(
        acting_user,
        operation="verify_change",
        action=AuditAction.CHANGE_REFUSED,
        meta=meta,
        now=now,
        details={"change_id": change_id},
    )
    error = None
    with transaction.atomic():
        change = _lock_change(acting_user, change_id)
        if change.status != ChangeStatus.PENDING_VERIFICATION:
            error = Conflict(
                Code.CHANGE_NOT_VERIFIABLE, details={"status": change.status, "failure_reason": change.failure_reason}
            )
        elif change.is_expired(now):
            _fail(change, ChangeFailure.EXPIRED, meta=meta, actor=acting_user, now=now)
            error = Conflict(
                Code.VERIFICATION_EXPIRED,
                details={"status": change.status, "expired_at": change.expires_at.isoformat()},
            )
        elif change.micro_deposit_sent_at is None:
            # Nobody can have read an amount that has not arrived: no attempt is used.
            error = Conflict(
                Code.MICRO_DEPOSIT_NOT_SENT, details={"status": change.status, "attempts_left": change.attempts_left}
            )
        elif hmac.compare_digest(str(int(amount_fen)).encode(), str(change.expected_amount_fen).encode()):
            _complete(change, acting_user=acting_user, meta=meta, now=now)
        else:
            change.attempts_left = max(change.attempts_left - 1, 0)
            change.save(update_fields=["attempts_left"])
            record(
                AuditAction.VERIFICATION_FAILED,
                success=False,
                meta=meta,
                actor=acting_user,
                subject=change.wallet.subject,
                wallet=change.wallet,
                change=change,
                code="verification_failed",
                details={"attempts_left": change.attempts_left},
                now=now,
            )
            if change.attempts_left == 0:
                _fail(change, ChangeFailure.ATTEMPTS_EXHAUSTED, meta=meta, actor=acting_user, now=now)
                code = Code.VERIFICATION_FAILED_FINAL
            else:
                code = Code.VERIFICATION_FAILED
            error = Unprocessable(code, details={"attempts_left": change.attempts_left, "status": change.status})
    if error is not None:
        raise error  # after commit: the used attempt and the audit entry stay written
    return change


def do_cancel_change(
    *, acting_user, change_id: int, ip: str | None = None, user_agent: str = "", now=None
) -> AccountChange:
    now = now or clock.now()
    meta = RequestMeta(ip=ip, user_agent=user_agent)
    refuse_unless_permitted(
        acting_user,
        operation="cancel_change",
        action=AuditAction.CHANGE_REFUSED,
        meta=meta,
        now=now,
        details={"change_id": change_id},
    )
    with transaction.atomic():
        change = _lock_change(acting_user, change_id)
        if change.status != ChangeStatus.PENDING_VERIFICATION:
            raise Conflict(Code.CHANGE_NOT_PENDING, details={"status": change.status})
        change.status = ChangeStatus.CANCELLED
        change.closed_at = now
        change.save(update_fields=["status", "closed_at"])
        record(
            AuditAction.CHANGE_CANCELLED,
            success=True,
            meta=meta,
            actor=acting_user,
            subject=change.wallet.subject,
            wallet=change.wallet,
            change=change,
            now=now,
        )
    return change


def do_expire_changes(*, now=None) -> int:
    """Sweeper: record as failed every pending change past its expiry. Safe to run twice."""
    now = now or clock.now()
    done = 0
    due = AccountChange.objects.filter(status=ChangeStatus.PENDING_VERIFICATION, expires_at__lt=now)
    for change_id in due.values_list("id", flat=True):
        with transaction.atomic():
            change = (
                AccountChange.objects.select_for_update(of=("self",))
                .select_related("wallet", "new_account")
                .get(pk=change_id)
            )
            if change.status == ChangeStatus.PENDING_VERIFICATION and change.is_expired(now):
                _fail(change, ChangeFailure.EXPIRED, meta=RequestMeta(), actor=None, now=now)
                done += 1
    return done
