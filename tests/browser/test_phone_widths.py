"""Every page at 390 px (issue 12, item 2): on a phone (a phone's User-Agent, 390×844), each page a
buyer, a merchant (routed to the seller app where it has one), a CS agent and a distributor can
open fits the screen: no page scrolls sideways. Walked on the demo data."""

import pytest
from django.core.management import call_command

from sellerdesk.aftersales.models import AfterSale, Attachment, Status
from sellerdesk.orders.models import Order

from .seller_app import phone_login, sideways_overflow  # noqa: F401  (fixture)
from .shots import SHOTS

pytestmark = [pytest.mark.browser]

DEMO_PW = "sellerdesk-demo"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def pages_of(username: str) -> list[str]:
    if username == "buyer":
        mine = AfterSale.objects.filter(buyer__username="buyer")
        dispute = mine.filter(dispute__isnull=False).first()
        lines = Order.objects.filter(buyer__username="buyer", aftersales__isnull=True).order_by("-id").first()
        return [
            "/buyer/orders/",
            f"/buyer/orders/{lines.pk}/aftersale/",
            f"/buyer/aftersales/{dispute.pk}/",
            f"/buyer/aftersales/{dispute.pk}/history/",
            "/notifications/",
            "/account/api-tokens/",
        ]
    if username == "merchant":
        mine = AfterSale.objects.filter(shop__staff__username="merchant")
        ev = mine.filter(status=Status.DISPUTE_AWAITING_EVIDENCE).first()
        return [
            "/",
            "/workbench/",
            "/workbench/aftersales/?quick=disputes_pending",
            f"/workbench/aftersales/{ev.pk}/",
            f"/workbench/aftersales/{ev.pk}/history/",
            "/m/orders/",
            f"/m/aftersales/{ev.pk}/",
            f"/m/aftersales/{ev.pk}/history/",
            "/workbench/webhooks/",
            "/notifications/",
            "/account-centre/",
            "/account-centre/wallets/anxin/",
            "/account-centre/wallets/anxin/change/",
            "/account-centre/staff/",
            "/account-centre/security/",
            "/account/api-tokens/",
        ]
    if username == "cs":
        case = AfterSale.objects.filter(status=Status.DISPUTE_PLATFORM_REVIEW).first()
        attachment = Attachment.objects.order_by("id").first()
        pages = [
            "/cs/",
            "/cs/?tab=resolved",
            f"/cs/cases/{case.pk}/",
            f"/cs/cases/{case.pk}/history/",
            "/notifications/",
        ]
        return pages + ([f"/cs/attachments/{attachment.pk}/integrity/"] if attachment else [])
    return ["/account-centre/", "/account-centre/talent-wallet/", "/account-centre/security/"]


@pytest.mark.parametrize("username", ["buyer", "merchant", "cs", "distributor"])
def test_no_page_scrolls_sideways_on_a_phone(demo, phone_login, username):  # noqa: F811
    page = phone_login(username, DEMO_PW)
    wide = {}
    for path in pages_of(username):
        response = page.goto(path)
        assert response.status < 400, (path, response.status)
        overflow = sideways_overflow(page)
        if overflow > 0:
            wide[path] = overflow
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"wide-{username}-{len(wide)}.png"), full_page=True)
    assert wide == {}, f"pages wider than 390 px (CSS px too wide): {wide}"
