"""Demo data for the account centre, called by the main demo seed (embedded default only).

What a demo user can try (password `sellerdesk-demo` for step-up):
- merchant (enterprise): 安心钱包 bound to a corporate account; change it to another corporate
  account, e.g. 110060149018000654321 at 中国建设银行 with the subject's legal name as holder, then
  read the micro-deposit in GET /api/v1/sandbox/rail/statement?account_last4=4321 and verify it.
  支付宝: DEMO_ALIPAY_CORPORATE is the enterprise's corporate Alipay; DEMO_ALIPAY_PERSONAL is its
  legal representative's personal one (refused: register a corporate Alipay first).
- distributor (individual): 微信 card cannot be changed (commission goes to 微信零钱). Its 安心钱包
  card can: DEMO_SPARE_PERSONAL_CARD is on file at the simulated bank as the distributor's (name and
  resident ID), so the bank's real-name check binds it at once; any other valid card number (e.g.
  DEMO_UNCHECKABLE_CARD) is unknown to the bank and goes through micro-deposit verification.
- distributor_biz (individual business): 安心钱包 and 微信 with personal cards; a new card always
  needs micro-deposit verification (no resident ID of the operator to check it against).
- merchant2: its 微信 card is frozen at the simulated bank, so a withdrawal from 微信余额提现 fails
  once the worker sends it, and the amount comes back on the balance.
- cs: the oldest demo refund is refused once by the simulated rail (原支付账户已注销), so it lands in
  the CS console's 退款失败待处理 list once the worker ran; 重新退款 sends it again and it succeeds.
More faults: the admin's RailFault and SimulatedAccount tables (the simulated world).
"""

from stdnum import luhn

from sellerdesk.identity.models import SubjectKind

from .actions import do_open_wallet
from .models import AccountKind, Channel, HolderRole
from .rails.simulator import SimulatorRail

DEMO_ALIPAY_CORPORATE = "finance@merchant-demo.example.cn"
DEMO_ALIPAY_PERSONAL = "13800138000"
DEMO_SPARE_CORPORATE_ACCOUNT = "110060149018000654321"
DEMO_SPARE_PERSONAL_CARD = "6222020200099999"
DEMO_UNCHECKABLE_CARD = "6222020200088885"


def demo_card(prefix: str) -> str:
    """A Luhn-valid 16-digit demo card number from a 15-digit prefix."""
    return prefix + luhn.calc_check_digit(prefix)


def _bank_account(subject, seed: int) -> dict:
    corporate = subject.kind == SubjectKind.ENTERPRISE
    if corporate:
        return {
            "kind": AccountKind.BANK_CARD,
            "number": f"1100601490180{seed:08d}",
            "is_corporate": True,
            "bank_name": "中国工商银行",
        }
    return {
        "kind": AccountKind.BANK_CARD,
        "number": demo_card(f"6222020200{seed:05d}"),
        "is_corporate": False,
        "bank_name": "中国工商银行",
    }


def seed_payouts(users: dict) -> dict:
    """Wallets, bound accounts and balances for merchant, merchant2, distributor, distributor_biz.

    Idempotent: wallets that already have an account are left as they are.
    """
    # Demo data exists only on the embedded default, whose rail is the simulator: its world gets the
    # accounts the demo users own.
    rail = SimulatorRail()
    made = {}
    for seed, name in enumerate(["merchant", "merchant2", "distributor", "distributor_biz"], start=11):
        user = users.get(name)
        subject = user.acting_subject() if user else None
        if subject is None:
            continue
        role = HolderRole.MERCHANT if name.startswith("merchant") else HolderRole.DISTRIBUTOR
        wallets = []
        if role == HolderRole.MERCHANT:
            wallets.append(
                do_open_wallet(
                    subject=subject,
                    holder_role=role,
                    channel=Channel.ANXIN,
                    balance_fen=1_288_800 + seed * 100,
                    **_bank_account(subject, seed * 10 + 1),
                )
            )
            wallets.append(
                do_open_wallet(
                    subject=subject,
                    holder_role=role,
                    channel=Channel.WECHAT,
                    balance_fen=356_000,
                    **_bank_account(subject, seed * 10 + 2),
                )
            )
            alipay = DEMO_ALIPAY_CORPORATE if name == "merchant" else f"finance{seed}@merchant-demo.example.cn"
            is_corp = subject.kind == SubjectKind.ENTERPRISE
            rail.open_account(
                kind=AccountKind.ALIPAY, number=alipay, holder_name=subject.legal_name, is_corporate=is_corp
            )
            wallets.append(
                do_open_wallet(
                    subject=subject,
                    holder_role=role,
                    channel=Channel.ALIPAY,
                    balance_fen=92_050,
                    kind=AccountKind.ALIPAY,
                    number=alipay,
                    is_corporate=is_corp,
                )
            )
            if name == "merchant":
                rail.open_account(kind=AccountKind.ALIPAY, number=DEMO_ALIPAY_PERSONAL, holder_name="张伟")
        else:
            if user.distributor_qualified:
                wallets.append(
                    do_open_wallet(
                        subject=subject,
                        holder_role=role,
                        channel=Channel.ANXIN,
                        balance_fen=45_600,
                        **_bank_account(subject, seed * 10 + 1),
                    )
                )
            if subject.kind == SubjectKind.INDIVIDUAL:
                # Commission is paid per transaction to 微信零钱: a wallet with no card to change.
                wallets.append(do_open_wallet(subject=subject, holder_role=role, channel=Channel.WECHAT))
            else:
                wallets.append(
                    do_open_wallet(
                        subject=subject,
                        holder_role=role,
                        channel=Channel.WECHAT,
                        balance_fen=12_300,
                        **_bank_account(subject, seed * 10 + 2),
                    )
                )
        if subject.kind == SubjectKind.INDIVIDUAL:
            # The simulated bank has the subject's own cards on file with their resident ID.
            for number in [w.account.number for w in wallets if w.account_id] + [DEMO_SPARE_PERSONAL_CARD]:
                rail.open_account(
                    kind=AccountKind.BANK_CARD,
                    number=number,
                    holder_name=subject.legal_name,
                    id_number=subject.id_number,
                )
        made[name] = [w.pk for w in wallets]
        if name == "merchant2":
            wechat = _bank_account(subject, seed * 10 + 2)
            rail.freeze_account(kind=wechat["kind"], number=wechat["number"])
    _demo_refund_fault(rail)
    return made


def _demo_refund_fault(rail) -> None:
    from sellerdesk.aftersales.models import Refund

    refund = Refund.objects.order_by("id").first()
    if refund is not None:
        rail.fail(
            mode="reject",
            operation="refund",
            reference=refund.reference,
            code="original_payment_closed",
            message="原支付账户已注销，请联系买家确认后重新退款。",
            times=1,
        )
