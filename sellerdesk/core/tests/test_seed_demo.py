"""The demo seed (issue 10 part 9): one transaction, valid whatever the deadline settings."""

import pytest
from django.core.management import call_command

from sellerdesk.aftersales.models import AfterSale, Appeal
from sellerdesk.aftersales.states import allowed_actions
from sellerdesk.core import clock
from sellerdesk.identity.models import User

pytestmark = pytest.mark.django_db

EXPECTED_STATUSES = {
    "awaiting_merchant",
    "awaiting_return",
    "awaiting_receipt",
    "merchant_rejected",
    "dispute_awaiting_evidence",
    "dispute_platform_review",
    "dispute_awaiting_supplement",
    "refunded",
    "closed",
    "cancelled",
}


@pytest.mark.parametrize("seconds", [1, 60, None])
def test_the_demo_loads_with_every_deadline_however_short(settings, seconds):
    if seconds is not None:
        settings.SELLERDESK_DEADLINES = {name: seconds for name in settings.SELLERDESK_DEADLINES}
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (
        User.objects.filter(username__in=["buyer", "merchant", "merchant_staff", "cs", "cs2", "distributor"]).count()
        == 6
    )
    statuses = set(AfterSale.objects.values_list("status", flat=True))
    assert EXPECTED_STATUSES <= statuses, EXPECTED_STATUSES - statuses
    assert AfterSale.objects.filter(dispute__timed_out=True).count() == 1  # 商家超时未举证
    # 申诉待复核: a buyer's appeal of cs's ruling, which cs2 (not cs) may decide.
    appeal = Appeal.objects.get(status="pending")
    assert (appeal.appellant, appeal.ruling.ruled_by.username) == ("buyer", "cs")
    cs2 = User.objects.get(username="cs2")
    assert "decide_appeal" in allowed_actions(appeal.aftersale, party="cs", now=clock.now(), user=cs2)


def test_a_seed_that_fails_half_way_leaves_nothing_and_the_next_start_loads_it(monkeypatch):
    from sellerdesk.payouts import demo

    def broken(users):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "seed_payouts", broken)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert not User.objects.exists() and not AfterSale.objects.exists()
    monkeypatch.undo()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert User.objects.filter(username="merchant").exists()
