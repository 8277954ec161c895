"""Bad input through the HTTP API: each refusal has its error code, and nothing changed."""

import io

import pytest
from PIL import Image

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.files import MAX_FILE_BYTES, MAX_FILES
from sellerdesk.aftersales.models import AfterSale, Attachment
from sellerdesk.core import clock

from .test_api_authorization import assert_error, bring_to, snapshot


def upload(content: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(content)
    buf.name = name
    return buf


def png_data(size=(16, 16), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, format="PNG")
    return buf.getvalue()


def open_body(w, **overrides):
    return {
        "order_id": w.order.id,
        "type": "refund_only",
        "amount_fen": 5000,
        "reason": "质量问题",
        "description": "",
        **overrides,
    }


def assert_no_aftersale_opened(w):
    assert AfterSale.objects.count() == 0
    w.order.refresh_from_db()
    assert w.order.refunded_fen == 0


# ------------------------------------------------------------------------------------- opening a request


def test_opening_on_an_unknown_order_is_404_order_not_found(world, api_as):
    response = api_as(world.buyer).post("/aftersales", open_body(world, order_id=987654))
    assert_error(response, 404, "order_not_found")
    assert_no_aftersale_opened(world)


@pytest.mark.parametrize(
    "amount,status,code",
    [(0, 400, "invalid_amount"), (-100, 400, "invalid_amount"), (10001, 409, "amount_exceeds_refundable")],
)
def test_opening_with_an_amount_outside_1_to_refundable_is_refused(world, api_as, amount, status, code):
    # more than the order has left conflicts with the order's state: 409
    response = api_as(world.buyer).post("/aftersales", open_body(world, amount_fen=amount))
    assert_error(response, status, code)
    assert_no_aftersale_opened(world)


def test_opening_for_more_than_is_left_after_a_refund_is_refused(world, api_as):
    # given ¥60.00 of the ¥100.00 order already refunded
    first = bring_to(world, "awaiting_merchant")
    actions.do_approve(first.pk, acting_user=world.merchant, now=clock.now())

    # when the buyer asks for ¥40.01
    response = api_as(world.buyer).post("/aftersales", open_body(world, amount_fen=4001))

    # then refused with what is still refundable, and no second request
    assert_error(response, 409, "amount_exceeds_refundable")
    assert response.json()["error"]["details"] == {"refundable_fen": 4000}
    assert AfterSale.objects.count() == 1


def test_opening_with_an_unknown_type_is_invalid_type(world, api_as):
    response = api_as(world.buyer).post("/aftersales", open_body(world, type="exchange"))
    assert_error(response, 400, "invalid_type")
    assert_no_aftersale_opened(world)


@pytest.mark.parametrize("value", ["abc", 12.5, [100]])
def test_opening_with_a_non_integer_amount_is_invalid_input_naming_the_field(world, api_as, value):
    response = api_as(world.buyer).post("/aftersales", open_body(world, amount_fen=value))
    assert_error(response, 400, "invalid_input")
    assert [f["field"] for f in response.json()["error"]["details"]["fields"]] == ["amount_fen"]
    assert_no_aftersale_opened(world)


def test_opening_on_the_whole_order_without_an_amount_is_invalid_amount(world, api_as):
    # amount_fen may be left out only when `items` name the lines (their total is the amount).
    response = api_as(world.buyer).post("/aftersales", open_body(world, amount_fen=None))
    assert_error(response, 400, "invalid_amount")
    assert_no_aftersale_opened(world)


def test_opening_without_a_reason_is_invalid_input_naming_reason(world, api_as):
    body = open_body(world)
    del body["reason"]
    response = api_as(world.buyer).post("/aftersales", body)
    assert_error(response, 400, "invalid_input")
    assert response.json()["error"]["details"]["fields"] == [{"field": "reason", "message": "Field required"}]
    assert_no_aftersale_opened(world)


def test_opening_with_a_blank_reason_is_empty_reason(world, api_as):
    response = api_as(world.buyer).post("/aftersales", open_body(world, reason="   "))
    assert_error(response, 400, "empty_reason")
    assert_no_aftersale_opened(world)


def test_malformed_json_is_400_malformed_json(world, api_as):
    response = api_as(world.buyer).post("/aftersales", raw='{"order_id": 1, "type": ')
    assert_error(response, 400, "malformed_json")
    assert_no_aftersale_opened(world)


def test_a_json_body_of_the_wrong_shape_is_invalid_input_with_every_field(world, api_as):
    response = api_as(world.buyer).post("/aftersales", raw="[1, 2, 3]")
    assert_error(response, 400, "invalid_input")
    fields = {f["field"] for f in response.json()["error"]["details"]["fields"]}
    assert fields >= {"order_id", "type", "reason"}  # amount_fen may be left out with `items`
    assert_no_aftersale_opened(world)


def test_an_empty_body_is_invalid_input_naming_the_body(world, api_as):
    response = api_as(world.buyer).post("/aftersales", raw="")
    assert_error(response, 400, "invalid_input")
    assert response.json()["error"]["details"]["fields"] == [{"field": "body", "message": "Field required"}]
    assert_no_aftersale_opened(world)


def test_a_second_open_request_on_the_same_order_is_409(world, api_as):
    bring_to(world, "awaiting_merchant")
    response = api_as(world.buyer).post("/aftersales", open_body(world, amount_fen=100))
    assert_error(response, 409, "aftersale_already_open")
    assert AfterSale.objects.count() == 1


# ------------------------------------------------------------------------------ actions: state and role


def test_rejecting_an_already_rejected_request_is_invalid_transition(world, api_as):
    # given a request the merchant already rejected
    a = bring_to(world, "merchant_rejected")
    before = snapshot(a)

    # when the merchant rejects it again
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/reject", {"reason": "再次拒绝"})

    # then 409 invalid_transition, nothing changed
    assert_error(response, 409, "invalid_transition")
    assert response.json()["error"]["details"] == {"status": "merchant_rejected", "action": "reject"}
    assert snapshot(a) == before


def test_escalating_before_the_merchant_answered_is_invalid_transition(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    before = snapshot(a)
    response = api_as(world.buyer).post(f"/aftersales/{a.pk}/escalate", {"reason": "快点"})
    assert_error(response, 409, "invalid_transition")
    assert snapshot(a) == before


def test_any_action_on_a_final_request_is_invalid_transition(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    actions.do_cancel(a.pk, acting_user=world.buyer, now=clock.now())
    before = snapshot(a)
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/approve")
    assert_error(response, 409, "invalid_transition")
    assert snapshot(a) == before


def test_a_buyer_approving_their_own_request_is_forbidden_role(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    before = snapshot(a)
    response = api_as(world.buyer).post(f"/aftersales/{a.pk}/approve")
    assert_error(response, 403, "forbidden_role")
    assert snapshot(a) == before


def test_rejecting_with_a_blank_reason_is_empty_reason(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    before = snapshot(a)
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/reject", {"reason": " \n "})
    assert_error(response, 400, "empty_reason")
    assert snapshot(a) == before


def test_rejecting_without_a_body_is_invalid_input(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    before = snapshot(a)
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/reject", {})
    assert_error(response, 400, "invalid_input")
    assert response.json()["error"]["details"]["fields"] == [{"field": "reason", "message": "Field required"}]
    assert snapshot(a) == before


def test_a_non_integer_id_in_the_path_is_invalid_input(world, api_as):
    response = api_as(world.merchant).post("/aftersales/abc/approve")
    assert_error(response, 400, "invalid_input")
    assert response.json()["error"]["details"]["fields"][0]["field"] == "aftersale_id"


def test_an_unknown_aftersale_is_404(world, api_as):
    response = api_as(world.merchant).post("/aftersales/424242/approve")
    assert_error(response, 404, "not_found")


# ------------------------------------------------------------------------------------------------ offers


@pytest.mark.parametrize("amount", [6000, 6001, 0, -1])
def test_an_offer_not_strictly_between_zero_and_the_requested_amount_is_refused(world, api_as, amount):
    # given a dispute on a ¥60.00 request
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)

    # when the merchant offers the whole amount, more, nothing or less than nothing
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/offers", {"amount_fen": amount, "note": ""})

    # then invalid_offer_amount (409 when a positive amount is more than this request allows) and no offer
    assert_error(response, 409 if amount > 0 else 400, "invalid_offer_amount")
    assert response.json()["error"]["details"] == {"requested_fen": 6000, "refundable_fen": 6000}
    assert snapshot(a) == before


def test_accepting_an_offer_that_does_not_exist_is_refused(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    response = api_as(world.buyer).post(f"/aftersales/{a.pk}/offers/999999/accept")
    assert_error(response, 409, "no_open_offer")
    assert snapshot(a) == before


def test_accepting_an_offer_of_another_request_is_404(world, api_as):
    # given an open offer on one request and another request of the same buyer in dispute
    from sellerdesk.testing import factories as f

    a = bring_to(world, "dispute_awaiting_evidence")
    offer = actions.do_make_offer(a.pk, amount_fen=1000, acting_user=world.merchant, now=clock.now())
    other_order = f.make_order(shop=world.shop, buyer=world.buyer)
    b = actions.do_open_aftersale(
        order_id=other_order.id,
        type="refund_only",
        amount_fen=100,
        reason="x",
        acting_user=world.buyer,
        now=clock.now(),
    )
    actions.do_reject(b.pk, reason="no", acting_user=world.merchant, now=clock.now())
    actions.do_make_offer(b.pk, amount_fen=50, acting_user=world.merchant, now=clock.now())
    before_a, before_b = snapshot(a), snapshot(b)

    # when the buyer accepts a's offer through b's path
    response = api_as(world.buyer).post(f"/aftersales/{b.pk}/offers/{offer.pk}/accept")

    # then 404 and neither changed
    assert_error(response, 404, "not_found")
    assert snapshot(a) == before_a
    assert snapshot(b) == before_b


# ------------------------------------------------------------------------------------ CS: rule, request


def test_a_partial_ruling_without_amount_is_invalid_amount(world, api_as):
    a = bring_to(world, "dispute_platform_review")
    before = snapshot(a)
    response = api_as(world.cs).post(
        f"/aftersales/{a.pk}/rule", {"outcome": "partial_refund", "liable": "merchant", "note": "各担一半"}
    )
    assert_error(response, 400, "invalid_amount")
    assert snapshot(a) == before
    assert not hasattr(AfterSale.objects.get(pk=a.pk).dispute, "ruling")


@pytest.mark.parametrize(
    "body,code",
    [
        ({"outcome": "refund_all", "liable": "merchant", "note": "x"}, "invalid_outcome"),
        ({"outcome": "refund", "liable": "nobody", "note": "x"}, "invalid_liable"),
        ({"outcome": "no_refund", "liable": "buyer", "note": " "}, "empty_note"),
        ({"outcome": "partial_refund", "amount_fen": 6000, "liable": "merchant", "note": "x"}, "invalid_amount"),
    ],
)
def test_a_ruling_with_bad_fields_is_refused(world, api_as, body, code):
    a = bring_to(world, "dispute_platform_review")
    before = snapshot(a)
    response = api_as(world.cs).post(f"/aftersales/{a.pk}/rule", body)
    assert_error(response, 400, code)
    assert snapshot(a) == before


@pytest.mark.parametrize(
    "body,code",
    [
        ({"party": "cs", "note": "x"}, "invalid_party"),
        ({"party": "merchant", "note": "x", "due_hours": 0}, "invalid_due_hours"),
        ({"party": "merchant", "note": "x", "due_hours": 169}, "invalid_due_hours"),
        ({"party": "buyer", "note": ""}, "empty_note"),
    ],
)
def test_a_request_for_evidence_with_bad_fields_is_refused(world, api_as, body, code):
    a = bring_to(world, "dispute_platform_review")
    before = snapshot(a)
    response = api_as(world.cs).post(f"/aftersales/{a.pk}/request-evidence", body)
    assert_error(response, 400, code)
    assert snapshot(a) == before


# -------------------------------------------------------------------------------------------- evidence


def post_evidence(api_as, w, a, statement="发货记录", files=None):
    return api_as(w.merchant).post(
        f"/aftersales/{a.pk}/evidence", {"statement": statement}, files=files if files is not None else []
    )


def test_an_empty_statement_is_refused(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    response = post_evidence(api_as, world, a, statement="  \n ", files=[upload(png_data(), "a.png")])
    assert_error(response, 400, "empty_statement")
    assert snapshot(a) == before


def test_an_oversize_file_is_413(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    big = png_data() + b"\0" * (MAX_FILE_BYTES + 1)
    response = post_evidence(api_as, world, a, files=[upload(big, "big.png")])
    assert_error(response, 413, "file_too_large")
    assert response.json()["error"]["details"]["limit_bytes"] == MAX_FILE_BYTES
    assert snapshot(a) == before


def test_too_many_files_is_refused(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    files = [upload(png_data(), f"{i}.png") for i in range(MAX_FILES + 1)]
    response = post_evidence(api_as, world, a, files=files)
    assert_error(response, 400, "too_many_files")
    assert snapshot(a) == before


def test_a_jpg_that_is_html_is_415(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    response = post_evidence(api_as, world, a, files=[upload(html, "photo.jpg")])
    assert_error(response, 415, "unsupported_file_type")
    assert snapshot(a) == before


def test_a_pixel_bomb_is_415(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    bomb = png_data(size=(8000, 6000), mode="1")  # 48 Mpx in a few KB
    response = post_evidence(api_as, world, a, files=[upload(bomb, "bomb.png")])
    assert_error(response, 415, "image_too_large_in_pixels")
    assert snapshot(a) == before


def test_a_png_with_html_appended_is_accepted_and_stored_clean(world, api_as):
    # given a valid PNG followed by HTML
    a = bring_to(world, "dispute_awaiting_evidence")
    polyglot = png_data() + b"<html><script>alert(1)</script></html>"

    # when the merchant submits it
    response = post_evidence(api_as, world, a, files=[upload(polyglot, "proof.png")])

    # then the evidence is accepted and the stored file is a PNG with nothing after it
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispute_platform_review"
    attachment = Attachment.objects.get(aftersale=a, evidence__isnull=False)
    with attachment.file.open("rb") as fh:
        stored = fh.read()
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    assert stored.endswith(b"IEND\xaeB`\x82")
    assert b"<html" not in stored and b"script" not in stored
    downloaded = api_as(world.buyer).get(f"/attachments/{attachment.pk}")
    assert b"".join(downloaded.streaming_content) == stored


def test_a_message_with_an_html_file_posts_nothing(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    response = api_as(world.buyer).post(
        f"/aftersales/{a.pk}/messages", {"body": "看图"}, files=[upload(b"<html></html>", "x.png")]
    )
    assert_error(response, 415, "unsupported_file_type")
    assert snapshot(a) == before


def test_an_empty_message_is_refused(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    response = api_as(world.buyer).post(f"/aftersales/{a.pk}/messages", {"body": ""}, files=[])
    assert_error(response, 400, "empty_body")
    assert snapshot(a) == before


def test_a_message_is_accepted_as_json_like_every_other_body(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    response = api_as(world.buyer).post(f"/aftersales/{a.pk}/messages", {"body": "请尽快处理，谢谢"})
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "请尽快处理，谢谢"


@pytest.mark.parametrize(
    "raw,code", [("{not json", "malformed_json"), ('{"body": 5}', "invalid_input"), ('{"body": ""}', "empty_body")]
)
def test_a_bad_json_message_is_a_clean_error_and_posts_nothing(world, api_as, raw, code):
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    assert_error(api_as(world.buyer).post(f"/aftersales/{a.pk}/messages", raw=raw), 400, code)
    assert snapshot(a) == before


# ---------------------------------------------------------------------------------------- list queries


def test_a_cursor_we_never_issued_names_no_page_404_invalid_cursor(world, api_as):
    assert_error(api_as(world.buyer).get("/aftersales", cursor="not-a-cursor"), 404, "invalid_cursor")


@pytest.mark.parametrize(
    "params,code",
    [
        ({"status": "pending"}, "invalid_status"),
        ({"status": ["awaiting_merchant", "nope"]}, "invalid_status"),
        ({"quick": "urgent"}, "invalid_quick_filter"),
        ({"limit": 0}, "invalid_limit"),
        ({"limit": 101}, "invalid_limit"),
        ({"limit": -5}, "invalid_limit"),
        ({"limit": "ten"}, "invalid_input"),
        ({"created_from": "yesterday"}, "invalid_input"),
        ({"created_to": "0.5"}, "invalid_input"),  # not seconds since 1970: ISO 8601
    ],
)
def test_a_bad_list_query_is_400_with_its_code(world, api_as, params, code):
    bring_to(world, "awaiting_merchant")
    response = api_as(world.merchant).get("/aftersales", **params)
    assert_error(response, 400, code)


def test_a_cursor_of_the_orders_list_names_no_place_in_the_aftersales_list(world, api_as):
    # The after-sales list pages by (sort key, id): an id-only cursor of another list is one it never issued.
    from sellerdesk.core.pagination import _encode

    bring_to(world, "awaiting_merchant")
    response = api_as(world.other_merchant).get("/aftersales", cursor=_encode(10**9, "desc"))
    assert_error(response, 404, "invalid_cursor")


def test_a_cursor_is_a_position_not_a_capability(world, api_as):
    # Another merchant's cursor only says where to start in the caller's own list: it never widens scope.
    from sellerdesk.aftersales.queries import ORDERINGS
    from sellerdesk.core.pagination import _encode_sorted

    x = bring_to(world, "awaiting_merchant")
    cursor = _encode_sorted(ORDERINGS["-created_at"], {"created_at": x.created_at, "id": x.id + 1})
    response = api_as(world.other_merchant).get("/aftersales", cursor=cursor)
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None, "search_capped": False}


def test_limit_100_is_accepted(world, api_as):
    bring_to(world, "awaiting_merchant")
    response = api_as(world.merchant).get("/aftersales", limit=100)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


def test_nul_characters_never_reach_the_database(world, api_as):
    # PostgreSQL text cannot hold U+0000: dropped from JSON text and searches, never a server error
    buyer = api_as(world.buyer)
    response = buyer.post("/aftersales", open_body(world, reason="质量\u0000问题"))
    assert response.status_code == 201, response.content
    assert AfterSale.objects.get().reason == "质量问题"
    assert buyer.get("/aftersales", q="KS\u0000").status_code == 200
    assert (
        api_as(world.buyer)
        .client.post(
            "/api/v1/auth/token", {"username": "b1\u0000", "password": "x\u0000"}, content_type="application/json"
        )
        .status_code
        == 401
    )
