import itertools
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from stdnum import luhn
from stdnum.cn import ric, uscc

from sellerdesk.identity.checks import check_subject_id
from sellerdesk.identity.models import ApiToken, Role, Shop, Subject, SubjectKind, User
from sellerdesk.payouts.actions import do_open_wallet
from sellerdesk.payouts.models import AccountKind, Channel, HolderRole
from sellerdesk.payouts.rails.simulator import SimulatorRail
from sellerdesk.testing.rail_server import http_rail, rail_server  # noqa: F401 (fixtures for this package)

PASSWORD = "correct horse battery staple"
IP = "203.0.113.7"
UA = "SellerDeskTest/1.0 (pytest)"
_seq = itertools.count(1)


def run_rail_worker(now=None) -> int:
    """What the worker does after commit, now: end the holds that are over and send every due
    rail instruction (refunds, payouts, micro-deposits) to the simulator. Returns how many."""
    from sellerdesk.payouts.tasks import sweep_money

    return sweep_money(now=now)


def resident_id(n: int) -> str:
    base = f"110105199003{n % 28 + 1:02d}{n % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def uscc_code(n: int, kind: str) -> str:
    # 92… is an individual business (个体工商户), 91… an enterprise.
    base = ("92" if kind == SubjectKind.INDIVIDUAL_BUSINESS else "91") + f"110108{n:09d}"
    return base + uscc.calc_check_digit(base)


def card_number(n: int, prefix: str = "622202") -> str:
    """A Luhn-valid 16-digit personal card number."""
    body = f"{prefix}{n:09d}"
    return body + luhn.calc_check_digit(body)


def corporate_number(n: int) -> str:
    return f"1100601490{n:010d}"


class Api:
    """Django's test Client with a Bearer token; remembers every response body it saw."""

    def __init__(self, user):
        _, raw = ApiToken.issue(user)
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
        self.seen: list[str] = []

    def _keep(self, response):
        self.seen.append(response.content.decode())
        return response

    def get(self, path, **params):
        return self._keep(self.client.get(f"/api/v1{path}", params))

    def post(self, path, body=None, **headers):
        return self._keep(
            self.client.post(
                f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json", headers=headers
            )
        )


class Seller:
    def __init__(self, user, subject):
        self.user = user
        self.subject = subject
        self.api = Api(user)

    def wallet(self, channel):
        from sellerdesk.payouts.models import Wallet

        role = HolderRole.MERCHANT if self.user.role == Role.MERCHANT else HolderRole.DISTRIBUTOR
        return Wallet.objects.select_related("account").get(subject=self.subject, holder_role=role, channel=channel)

    def wallets(self):
        response = self.api.get("/wallets")
        assert response.status_code == 200, response.content
        return {w["channel"]: w for w in response.json()["items"]}

    def change(self, channel, password=PASSWORD, **body):
        body.setdefault("password", password)
        return self.api.post(f"/wallets/{channel}/account-changes", body)

    def change_card(self, channel, number, *, holder=None, corporate=False, bank="中国工商银行", own=True, **extra):
        """Ask to change to card `number`. With own=True the card really is this subject's: the
        simulated bank knows it as theirs (holder name and resident ID) unless it already knows it
        as someone else's. own=False: a card the bank cannot say about."""
        if own and not corporate:
            bank_knows_card(number, self.subject)
        return self.change(
            channel,
            account_no=number,
            holder_name=self.subject.legal_name if holder is None else holder,
            bank_name=bank,
            is_corporate=corporate,
            **extra,
        )

    def statement_amount(self, last4):
        run_rail_worker()  # the micro-deposit leaves after the request commits, sent by the worker
        response = self.api.get("/sandbox/rail/statement", account_last4=last4)
        assert response.status_code == 200, response.content
        lines = [line for line in response.json()["items"] if line["kind"] == "micro_deposit"]
        return lines[0]["amount_fen"]


def bank_knows_card(number: str, subject, *, id_number=None) -> None:
    """The simulated bank has card `number` on file as `subject`'s (its holder's resident ID too,
    for an individual), unless it already has it as someone's."""
    from sellerdesk.payouts import crypto
    from sellerdesk.payouts.checks import _clean_number
    from sellerdesk.payouts.models import SimulatedAccount

    number = _clean_number(number)
    if SimulatedAccount.objects.filter(
        account_kind=AccountKind.BANK_CARD, fingerprint=crypto.fingerprint(AccountKind.BANK_CARD, number)
    ).exists():
        return
    if id_number is None:
        id_number = subject.id_number if subject.kind == SubjectKind.INDIVIDUAL else ""
    SimulatorRail().open_account(
        kind=AccountKind.BANK_CARD, number=number, holder_name=subject.legal_name, id_number=id_number
    )


def make_subject(kind, legal_name) -> Subject:
    n = next(_seq)
    raw = resident_id(n) if kind == SubjectKind.INDIVIDUAL else uscc_code(n, kind)
    return Subject.objects.create(kind=kind, legal_name=legal_name, id_number=check_subject_id(kind, raw))


DEFAULT_NAMES = {
    SubjectKind.INDIVIDUAL: "李雷",
    SubjectKind.INDIVIDUAL_BUSINESS: "杭州市西湖区李雷服装店",
    SubjectKind.ENTERPRISE: "杭州好物（滨江）科技有限公司",
}


@pytest.fixture
def rail():
    return SimulatorRail()


@pytest.fixture
def make_seller(db):
    """make_seller(role, kind, legal_name=None, qualified=True, bind=True) → Seller.

    With bind=True every wallet the table gives the role gets a first account (personal card for
    individuals, corporate account for enterprises) and a balance, as onboarding would leave it.
    """

    def make(
        role=Role.MERCHANT, kind=SubjectKind.ENTERPRISE, legal_name=None, qualified=True, bind=True, username=None
    ):
        n = next(_seq)
        subject = make_subject(kind, legal_name or DEFAULT_NAMES[kind])
        user = User.objects.create_user(
            username=username or f"{role}{n}",
            password=PASSWORD,
            role=role,
            distributor_qualified=qualified and role == Role.DISTRIBUTOR,
        )
        if role == Role.MERCHANT:
            user.shops.add(Shop.objects.create(name=f"店铺{n}", subject=subject), through_defaults={"is_owner": True})
        else:
            user.subject = subject
            user.save()
        if bind:
            _bind_defaults(user, subject, n)
        return Seller(user, subject)

    return make


def _bind_defaults(user, subject, n):
    corporate = subject.kind == SubjectKind.ENTERPRISE

    def bank(seed):
        return {
            "kind": AccountKind.BANK_CARD,
            "number": corporate_number(seed) if corporate else card_number(seed),
            "is_corporate": corporate,
            "bank_name": "中国银行",
        }

    if user.role == Role.MERCHANT:
        do_open_wallet(
            subject=subject,
            holder_role=HolderRole.MERCHANT,
            channel=Channel.ANXIN,
            balance_fen=100_000,
            **bank(n * 10 + 1),
        )
        do_open_wallet(
            subject=subject,
            holder_role=HolderRole.MERCHANT,
            channel=Channel.WECHAT,
            balance_fen=50_000,
            **bank(n * 10 + 2),
        )
        alipay = f"old{n}@example.cn"
        SimulatorRail().open_account(
            kind=AccountKind.ALIPAY, number=alipay, holder_name=subject.legal_name, is_corporate=corporate
        )
        do_open_wallet(
            subject=subject,
            holder_role=HolderRole.MERCHANT,
            channel=Channel.ALIPAY,
            balance_fen=30_000,
            kind=AccountKind.ALIPAY,
            number=alipay,
            is_corporate=corporate,
        )
    else:
        if user.distributor_qualified:
            do_open_wallet(
                subject=subject,
                holder_role=HolderRole.DISTRIBUTOR,
                channel=Channel.ANXIN,
                balance_fen=20_000,
                **bank(n * 10 + 1),
            )
        if subject.kind != SubjectKind.INDIVIDUAL:
            do_open_wallet(
                subject=subject,
                holder_role=HolderRole.DISTRIBUTOR,
                channel=Channel.WECHAT,
                balance_fen=10_000,
                **bank(n * 10 + 2),
            )


@pytest.fixture
def merchant(make_seller):
    return make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)


def error_code(response):
    return response.json()["error"]["code"]


def race(*actors):
    """Run each actor in its own thread, released at once by a barrier (PostgreSQL race tests).
    Returns each actor's value, or the code of the coded error it raised."""
    from sellerdesk.core.errors import CodedError

    barrier = threading.Barrier(len(actors))
    results = [None] * len(actors)

    def run(i, actor):
        try:
            barrier.wait()
            results[i] = actor()
        except CodedError as exc:
            results[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def yuan(fen: int) -> str:
    """Fen as a user types yuan: 327 → "3.27"."""
    return f"{fen // 100}.{fen % 100:02d}"
