"""The authorization matrix of the HTTP API: every endpoint of api.md (identity, orders, after-sales)
x every role x own vs another's object, through real HTTP with Bearer tokens.

The decisions checked here:
- no credentials: 401 `not_authenticated`;
- an object the caller may not see (another buyer's, another shop's, a request without a dispute
  for CS, anything for platform/distributor): 404 with an error body and no data, never 403;
- a visible object and a role that may not do this: 403 `forbidden_role`, nothing changed;
- lists only ever contain what the caller may see.
"""

import io
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.models import AfterSale, Attachment, Evidence, HistoryEntry, Offer, Refund
from sellerdesk.core import clock
from sellerdesk.identity.models import Role
from sellerdesk.orders.models import Order
from sellerdesk.testing import factories as f

ROLES_AND_OWNERSHIP = [
    ("buyer", "own"),
    ("buyer", "other"),
    ("merchant", "own"),
    ("merchant", "other"),
    ("cs", "-"),
    ("platform", "-"),
    ("admin", "-"),
    ("distributor", "-"),
    ("anonymous", "-"),
]


# ------------------------------------------------------------------------------------------ helpers


def png(name="proof.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def png_bytes() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = "photo.png"
    return buf


class Anonymous:
    """The same calls as the conftest's Api, with no credentials at all."""

    def __init__(self):
        self.client = Client()

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, data=None, *, key=None, files=None, raw=None):
        import json

        if files is not None:
            return self.client.post(f"/api/v1{path}", {**(data or {}), "files": files})
        return self.client.post(f"/api/v1{path}", json.dumps(data or {}), content_type="application/json")


def bring_to(w, state: str, *, type="refund_only") -> AfterSale:
    """An after-sale of world's buyer on world's order, moved to `state` with the real actions."""
    now = clock.now()
    if state in ("awaiting_return", "awaiting_receipt"):
        type = "return_refund"
    a = actions.do_open_aftersale(
        order_id=w.order.id,
        type=type,
        amount_fen=6000,
        reason="质量问题",
        description="商品有破损",
        acting_user=w.buyer,
        now=now,
    )
    if state == "awaiting_merchant":
        return AfterSale.objects.get(pk=a.pk)
    if state in ("awaiting_return", "awaiting_receipt"):
        actions.do_approve(a.pk, acting_user=w.merchant, now=now)
        if state == "awaiting_receipt":
            actions.do_submit_return(a.pk, carrier="顺丰", tracking_no="SF100", acting_user=w.buyer, now=now)
        return AfterSale.objects.get(pk=a.pk)
    actions.do_reject(a.pk, reason="商品无质量问题", acting_user=w.merchant, now=now)
    if state == "merchant_rejected":
        return AfterSale.objects.get(pk=a.pk)
    actions.do_escalate(a.pk, reason="商家拒绝不合理", acting_user=w.buyer, now=now)
    if state == "dispute_awaiting_evidence":
        return AfterSale.objects.get(pk=a.pk)
    actions.do_submit_evidence(a.pk, statement="发货前质检记录", uploads=[png()], acting_user=w.merchant, now=now)
    if state == "dispute_platform_review":
        return AfterSale.objects.get(pk=a.pk)
    raise ValueError(state)


def snapshot(a: AfterSale) -> dict:
    a.refresh_from_db()
    return {
        "status": a.status,
        "version": a.version,
        "due_at": a.due_at,
        "history": HistoryEntry.objects.filter(aftersale=a).count(),
        "refunds": Refund.objects.filter(aftersale=a).count(),
        "offers": list(Offer.objects.filter(aftersale=a).values_list("id", "state")),
        "evidence": Evidence.objects.filter(dispute__aftersale=a).count(),
        "attachments": Attachment.objects.filter(aftersale=a).count(),
        "refunded_fen": Order.objects.get(pk=a.order_id).refunded_fen,
    }


@pytest.fixture
def world_all_roles(world):
    world.distributor = f.make_user("dist1", role=Role.DISTRIBUTOR)
    return world


def caller(w, role: str, whose: str, api_as):
    if role == "anonymous":
        return Anonymous()
    user = {
        ("buyer", "own"): w.buyer,
        ("buyer", "other"): w.other_buyer,
        ("merchant", "own"): w.merchant,
        ("merchant", "other"): w.other_merchant,
        ("cs", "-"): w.cs,
        ("platform", "-"): w.platform,
        ("admin", "-"): w.admin,
        ("distributor", "-"): w.distributor,
    }[(role, whose)]
    return api_as(user)


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code


# --------------------------------------------------------------------------------- the after-sales matrix

DISPUTE_STATES = {"dispute_awaiting_evidence", "dispute_platform_review", "dispute_awaiting_supplement"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {id}, {offer}, {attachment} are filled in
    state: str
    ok: dict  # role -> success status
    body: dict | None = None
    multipart: bool = False
    setup: str | None = None  # "offer", "attachment"
    # role -> (status, code) for a visible object refused for another reason than the role.
    refusals: dict = field(default_factory=dict)


ENDPOINTS = [
    Endpoint(
        "detail",
        "GET",
        "/aftersales/{id}",
        "dispute_awaiting_evidence",
        {"buyer": 200, "merchant": 200, "cs": 200, "admin": 200},
    ),
    Endpoint(
        "detail_without_dispute",
        "GET",
        "/aftersales/{id}",
        "awaiting_merchant",
        {"buyer": 200, "merchant": 200, "cs": 200, "admin": 200},
    ),
    Endpoint(
        "history",
        "GET",
        "/aftersales/{id}/history",
        "dispute_awaiting_evidence",
        {"buyer": 200, "merchant": 200, "cs": 200, "admin": 200},
    ),
    Endpoint(
        "history_without_dispute",
        "GET",
        "/aftersales/{id}/history",
        "awaiting_merchant",
        {"buyer": 200, "merchant": 200, "cs": 200, "admin": 200},
    ),
    Endpoint("approve", "POST", "/aftersales/{id}/approve", "awaiting_merchant", {"merchant": 200}),
    Endpoint(
        "approve_during_dispute", "POST", "/aftersales/{id}/approve", "dispute_awaiting_evidence", {"merchant": 200}
    ),
    Endpoint(
        "reject", "POST", "/aftersales/{id}/reject", "awaiting_merchant", {"merchant": 200}, body={"reason": "不同意"}
    ),
    Endpoint(
        "return_shipment",
        "POST",
        "/aftersales/{id}/return-shipment",
        "awaiting_return",
        {"buyer": 200},
        body={"carrier": "顺丰", "tracking_no": "SF200"},
    ),
    Endpoint("confirm_receipt", "POST", "/aftersales/{id}/confirm-receipt", "awaiting_receipt", {"merchant": 200}),
    Endpoint(
        "reject_receipt",
        "POST",
        "/aftersales/{id}/reject-receipt",
        "awaiting_receipt",
        {"merchant": 200},
        body={"reason": "退回商品已损坏"},
    ),
    Endpoint(
        "escalate",
        "POST",
        "/aftersales/{id}/escalate",
        "merchant_rejected",
        {"buyer": 200},
        body={"reason": "申请平台介入"},
    ),
    # A buyer may submit evidence only when CS asked the buyer: refused by state, not by role.
    Endpoint(
        "evidence",
        "POST",
        "/aftersales/{id}/evidence",
        "dispute_awaiting_evidence",
        {"merchant": 200},
        body={"statement": "物流签收记录"},
        multipart=True,
        refusals={"buyer": (409, "invalid_transition")},
    ),
    Endpoint(
        "messages",
        "POST",
        "/aftersales/{id}/messages",
        "dispute_awaiting_evidence",
        {"buyer": 201, "merchant": 201},
        body={"body": "我们再沟通一下"},
        multipart=True,
    ),
    Endpoint(
        "offers",
        "POST",
        "/aftersales/{id}/offers",
        "dispute_awaiting_evidence",
        {"merchant": 201},
        body={"amount_fen": 3000, "note": "退一半"},
    ),
    Endpoint(
        "offer_accept",
        "POST",
        "/aftersales/{id}/offers/{offer}/accept",
        "dispute_awaiting_evidence",
        {"buyer": 200},
        setup="offer",
    ),
    Endpoint(
        "offer_decline",
        "POST",
        "/aftersales/{id}/offers/{offer}/decline",
        "dispute_awaiting_evidence",
        {"buyer": 200},
        setup="offer",
    ),
    Endpoint("cancel", "POST", "/aftersales/{id}/cancel", "dispute_awaiting_evidence", {"buyer": 200}),
    Endpoint("cancel_before_dispute", "POST", "/aftersales/{id}/cancel", "awaiting_merchant", {"buyer": 200}),
    Endpoint(
        "request_evidence",
        "POST",
        "/aftersales/{id}/request-evidence",
        "dispute_platform_review",
        {"cs": 201, "admin": 201},
        body={"party": "merchant", "note": "请补充发货视频", "due_hours": 24},
    ),
    Endpoint(
        "rule",
        "POST",
        "/aftersales/{id}/rule",
        "dispute_platform_review",
        {"cs": 200, "admin": 200},
        body={"outcome": "no_refund", "liable": "buyer", "note": "商家证据充分"},
    ),
    Endpoint(
        "attachment",
        "GET",
        "/attachments/{attachment}",
        "dispute_platform_review",
        {"buyer": 200, "merchant": 200, "cs": 200, "admin": 200},
        setup="attachment",
    ),
    Endpoint(
        "attachment_without_dispute",
        "GET",
        "/attachments/{attachment}",
        "awaiting_merchant",
        {"buyer": 200, "merchant": 200, "cs": 200, "admin": 200},
        setup="attachment",
    ),
]


def may_see(role: str, whose: str, state: str) -> bool:
    """Independent statement of the scoping rule (product.md §4), not a call into access.py."""
    if role in ("buyer", "merchant"):
        return whose == "own"
    if role == "cs":
        return state in DISPUTE_STATES
    return role == "admin"


def expected(ep: Endpoint, role: str, whose: str) -> tuple[int, str | None]:
    if role == "anonymous":
        return 401, "not_authenticated"
    if not may_see(role, whose, ep.state):
        return 404, "not_found"
    if role in ep.ok:
        return ep.ok[role], None
    return ep.refusals.get(role, (403, "forbidden_role"))


def prepare(w, ep: Endpoint):
    a = bring_to(w, ep.state)
    path = ep.path.replace("{id}", str(a.pk))
    now = clock.now()
    if ep.setup == "offer":
        offer = actions.do_make_offer(a.pk, amount_fen=3000, note="退一半", acting_user=w.merchant, now=now)
        path = path.replace("{offer}", str(offer.pk))
    if ep.setup == "attachment":
        if ep.state == "awaiting_merchant":
            actions.do_post_message(a.pk, body="照片", uploads=[png("buyer.png")], acting_user=w.buyer, now=now)
        attachment = Attachment.objects.filter(aftersale=a).order_by("id").first()
        path = path.replace("{attachment}", str(attachment.pk))
    return a, path


def call(client, ep: Endpoint, path: str):
    if ep.method == "GET":
        return client.get(path)
    if ep.multipart:
        files = [png_bytes()] if ep.name == "evidence" else []
        return client.post(path, ep.body, files=files)
    return client.post(path, ep.body)


CASES = [
    pytest.param(ep, role, whose, id=f"{ep.name}-{role}-{whose}")
    for ep in ENDPOINTS
    for role, whose in ROLES_AND_OWNERSHIP
]


@pytest.mark.parametrize("ep,role,whose", CASES)
def test_aftersales_endpoint_answers_each_role_by_scope_then_role(world_all_roles, api_as, ep, role, whose):
    # given an after-sale of world's buyer and shop in the endpoint's state
    w = world_all_roles
    aftersale, path = prepare(w, ep)
    before = snapshot(aftersale)
    status, code = expected(ep, role, whose)

    # when the caller in `role` calls the endpoint
    response = call(caller(w, role, whose, api_as), ep, path)

    # then the answer follows scope (404), then role (403), and a refusal changes nothing
    if code is None:
        assert response.status_code == status, response.content
        if ep.name.startswith("detail"):
            assert response.json()["id"] == aftersale.pk
        if ep.name.startswith("attachment"):
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert_error(response, status, code)
        assert snapshot(aftersale) == before


# ------------------------------------------------------------------------------------- opening a request


@pytest.mark.parametrize("role,whose", ROLES_AND_OWNERSHIP, ids=[f"{r}-{o}" for r, o in ROLES_AND_OWNERSHIP])
def test_only_the_orders_buyer_can_open_an_aftersale_on_it(world_all_roles, api_as, role, whose):
    # given world's paid order of buyer b1 at shop m1
    w = world_all_roles
    client = caller(w, role, whose, api_as)

    # when the caller opens a request on it
    response = client.post(
        "/aftersales", {"order_id": w.order.id, "type": "refund_only", "amount_fen": 1000, "reason": "不想要了"}
    )

    # then only its buyer succeeds; another buyer gets 404, other roles 403, anonymous 401
    if (role, whose) == ("buyer", "own"):
        assert response.status_code == 201
        assert response.json()["order"]["id"] == w.order.id
        assert AfterSale.objects.count() == 1
        return
    if role == "anonymous":
        assert_error(response, 401, "not_authenticated")
    elif role == "buyer":
        assert_error(response, 404, "order_not_found")
    else:
        assert_error(response, 403, "forbidden_role")
    assert AfterSale.objects.count() == 0


# ------------------------------------------------------------------------------------------------ lists


def test_merchant_list_never_contains_another_shops_request(world, api_as):
    # given a request at each shop
    own = bring_to(world, "awaiting_merchant")
    other_order = f.make_order(shop=world.other_shop, buyer=world.buyer)
    other = actions.do_open_aftersale(
        order_id=other_order.id,
        type="refund_only",
        amount_fen=100,
        reason="x",
        acting_user=world.buyer,
        now=clock.now(),
    )

    # when each merchant lists
    mine = api_as(world.merchant).get("/aftersales").json()["items"]
    theirs = api_as(world.other_merchant).get("/aftersales").json()["items"]

    # then each sees only their shop's request
    assert [i["id"] for i in mine] == [own.pk]
    assert [i["id"] for i in theirs] == [other.pk]


def test_buyer_list_contains_only_their_own_requests(world, api_as):
    # given a request of each buyer
    mine = bring_to(world, "awaiting_merchant")
    order_b2 = f.make_order(shop=world.shop, buyer=world.other_buyer)
    theirs = actions.do_open_aftersale(
        order_id=order_b2.id,
        type="refund_only",
        amount_fen=100,
        reason="x",
        acting_user=world.other_buyer,
        now=clock.now(),
    )

    # when each buyer lists
    b1 = api_as(world.buyer).get("/aftersales").json()["items"]
    b2 = api_as(world.other_buyer).get("/aftersales").json()["items"]

    # then each sees only their own
    assert [i["id"] for i in b1] == [mine.pk]
    assert [i["id"] for i in b2] == [theirs.pk]


def test_cs_list_contains_only_requests_with_a_dispute(world, api_as):
    # given one request in dispute and one that never was
    disputed = bring_to(world, "dispute_awaiting_evidence")
    order2 = f.make_order(shop=world.shop, buyer=world.buyer)
    plain = actions.do_open_aftersale(
        order_id=order2.id, type="refund_only", amount_fen=100, reason="x", acting_user=world.buyer, now=clock.now()
    )

    # when CS lists everything, and looks for the plain one by number
    items = api_as(world.cs).get("/aftersales").json()["items"]
    searched = api_as(world.cs).get("/aftersales", q=plain.number).json()["items"]

    # then only the disputed one is there
    assert [i["id"] for i in items] == [disputed.pk]
    assert searched == []


def test_cs_still_sees_a_dispute_the_buyer_cancelled(world, api_as):
    # given a dispute the buyer cancelled
    a = bring_to(world, "dispute_awaiting_evidence")
    actions.do_cancel(a.pk, acting_user=world.buyer, now=clock.now())

    # when CS lists and opens it
    items = api_as(world.cs).get("/aftersales").json()["items"]
    detail = api_as(world.cs).get(f"/aftersales/{a.pk}")

    # then it is still visible (it had a dispute), with no action left
    assert [i["id"] for i in items] == [a.pk]
    assert detail.status_code == 200
    assert detail.json()["allowed_actions"] == ["cs_note"]  # an internal note is all that is left


@pytest.mark.parametrize("role", ["platform", "distributor"])
def test_roles_without_aftersales_desk_list_nothing(world_all_roles, api_as, role):
    # given a request in dispute
    bring_to(world_all_roles, "dispute_awaiting_evidence")

    # when platform or distributor lists
    response = api_as(getattr(world_all_roles, role)).get("/aftersales")

    # then the list is empty
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None, "search_capped": False}


def test_admin_lists_every_request(world, api_as):
    # given a request at each shop, one in dispute
    a = bring_to(world, "dispute_awaiting_evidence")
    other_order = f.make_order(shop=world.other_shop, buyer=world.other_buyer)
    b = actions.do_open_aftersale(
        order_id=other_order.id,
        type="refund_only",
        amount_fen=100,
        reason="x",
        acting_user=world.other_buyer,
        now=clock.now(),
    )

    # when the admin lists
    items = api_as(world.admin).get("/aftersales").json()["items"]

    # then both, newest first
    assert [i["id"] for i in items] == [b.pk, a.pk]


def test_anonymous_list_is_refused(world):
    response = Anonymous().get("/aftersales")
    assert_error(response, 401, "not_authenticated")


def test_history_hides_platform_only_entries_from_parties(world, api_as):
    # given a dispute with a history entry visible to the platform only
    from sellerdesk.aftersales.models import HistoryKind, Visibility

    a = bring_to(world, "dispute_awaiting_evidence")
    HistoryEntry.objects.create(
        aftersale=a,
        at=clock.now(),
        actor=world.cs,
        actor_role="cs",
        kind=HistoryKind.MESSAGE,
        body="内部备注",
        visibility=Visibility.PLATFORM,
    )
    total = HistoryEntry.objects.filter(aftersale=a).count()

    # when each side reads the history
    by_cs = api_as(world.cs).get(f"/aftersales/{a.pk}/history").json()
    by_buyer = api_as(world.buyer).get(f"/aftersales/{a.pk}/history").json()
    by_merchant = api_as(world.merchant).get(f"/aftersales/{a.pk}/history").json()

    # then CS sees every entry, the parties all but the platform-only one
    assert len(by_cs) == total
    assert "内部备注" in [e["body"] for e in by_cs]
    for entries in (by_buyer, by_merchant):
        assert len(entries) == total - 1
        assert "内部备注" not in [e["body"] for e in entries]


# ------------------------------------------------------------------------------------ attachments served


def test_attachment_is_served_as_a_download_with_nosniff_and_the_stored_bytes(world, api_as):
    # given merchant evidence with one PNG
    a = bring_to(world, "dispute_platform_review")
    attachment = Attachment.objects.get(aftersale=a)

    # when the buyer downloads it
    response = api_as(world.buyer).get(f"/attachments/{attachment.pk}")

    # then it is the stored file, as an attachment that browsers must not sniff or render
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="{attachment.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    with attachment.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_unknown_attachment_is_404_like_anothers(world, api_as):
    response = api_as(world.buyer).get("/attachments/999999")
    assert_error(response, 404, "not_found")


# ---------------------------------------------------------------------------------- identity and orders


@pytest.mark.parametrize("role", ["buyer", "merchant", "cs", "platform", "admin", "distributor"])
def test_me_answers_every_role_with_its_own_identity(world_all_roles, api_as, role):
    w = world_all_roles
    user = {
        "buyer": w.buyer,
        "merchant": w.merchant,
        "cs": w.cs,
        "platform": w.platform,
        "admin": w.admin,
        "distributor": w.distributor,
    }[role]

    body = api_as(user).get("/me").json()

    assert body["id"] == user.id
    assert body["username"] == user.username
    assert body["role"] == role
    assert body["shop_ids"] == ([w.shop.id] if role == "merchant" else [])


def test_me_without_credentials_is_401(world):
    assert_error(Anonymous().get("/me"), 401, "not_authenticated")


def test_me_with_a_revoked_token_is_401(world):
    from sellerdesk.identity.models import ApiToken

    token, raw = ApiToken.issue(world.buyer)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    assert_error(response, 401, "not_authenticated")


def test_me_with_an_inactive_users_token_is_401(world, api_as):
    client = api_as(world.buyer)
    world.buyer.is_active = False
    world.buyer.save()
    assert_error(client.get("/me"), 401, "not_authenticated")


@pytest.mark.parametrize("role", ["buyer", "merchant", "cs", "platform", "admin", "distributor"])
def test_every_role_can_exchange_its_password_for_a_token(world_all_roles, role):
    w = world_all_roles
    user = {
        "buyer": w.buyer,
        "merchant": w.merchant,
        "cs": w.cs,
        "platform": w.platform,
        "admin": w.admin,
        "distributor": w.distributor,
    }[role]

    response = Anonymous().post("/auth/token", {"username": user.username, "password": "sellerdesk-test-pw"})

    assert response.status_code == 200
    me = Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}").get("/api/v1/me").json()
    assert me["id"] == user.id


def order_payload(w, order_no="P-1"):
    return {
        "order_no": order_no,
        "shop_id": w.shop.id,
        "buyer_id": w.buyer.id,
        "items": [{"sku": "A", "title": "商品", "quantity": 2, "unit_price_fen": 1500}],
        "paid_fen": 3000,
        "paid_at": "2025-01-02T03:04:05+00:00",
    }


@pytest.mark.parametrize("role", ["buyer", "merchant", "cs", "platform", "admin", "distributor", "anonymous"])
def test_only_the_order_system_pushes_paid_orders(world_all_roles, api_as, role):
    # given the order system's role (platform; admin may too) and everyone else
    w = world_all_roles
    client = caller(w, role, "own" if role in ("buyer", "merchant") else "-", api_as)
    before = Order.objects.count()

    # when each pushes a paid order
    response = client.post("/platform/orders", order_payload(w))

    # then only platform and admin create it
    if role in ("platform", "admin"):
        assert response.status_code == 201
        assert Order.objects.count() == before + 1
        return
    if role == "anonymous":
        assert_error(response, 401, "not_authenticated")
    else:
        assert_error(response, 403, "forbidden_role")
    assert Order.objects.count() == before


@pytest.mark.parametrize("role,whose", ROLES_AND_OWNERSHIP, ids=[f"{r}-{o}" for r, o in ROLES_AND_OWNERSHIP])
def test_order_detail_is_shown_to_its_buyer_its_shop_and_admin_only(world_all_roles, api_as, role, whose):
    # given world's order (buyer b1, shop of m1)
    w = world_all_roles

    # when the caller reads it
    response = caller(w, role, whose, api_as).get(f"/orders/{w.order.id}")

    # then its buyer, its shop and the admin see it; anyone else gets 404
    if role == "anonymous":
        assert_error(response, 401, "not_authenticated")
    elif (role, whose) in (("buyer", "own"), ("merchant", "own"), ("admin", "-")):
        assert response.status_code == 200
        assert response.json()["id"] == w.order.id
        assert response.json()["refundable_fen"] == 10000
    else:
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("role,whose", ROLES_AND_OWNERSHIP, ids=[f"{r}-{o}" for r, o in ROLES_AND_OWNERSHIP])
def test_order_list_contains_only_the_callers_orders(world_all_roles, api_as, role, whose):
    # given world's order and one at the other shop for the other buyer
    w = world_all_roles
    theirs = f.make_order(shop=w.other_shop, buyer=w.other_buyer)

    # when the caller lists orders
    response = caller(w, role, whose, api_as).get("/orders")

    # then only what they may see
    if role == "anonymous":
        assert_error(response, 401, "not_authenticated")
        return
    expected_ids = {
        ("buyer", "own"): [w.order.id],
        ("buyer", "other"): [theirs.id],
        ("merchant", "own"): [w.order.id],
        ("merchant", "other"): [theirs.id],
        ("admin", "-"): [theirs.id, w.order.id],
    }.get((role, whose), [])
    assert response.status_code == 200
    assert [o["id"] for o in response.json()["items"]] == expected_ids
