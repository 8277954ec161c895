"""Issue 10, hardening the API: what the OpenAPI document says about uploads and list queries is what
the server does, so that a request generated from the document is never refused for a rule it did
not state (415 for a listed file type) and an out-of-bounds one always gets the error body."""

import io
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pikepdf
import pytest
from django.test import Client
from PIL import Image

from sellerdesk.aftersales.api import MAX_SEARCH_CHARS
from sellerdesk.aftersales.files import ALLOWED
from sellerdesk.aftersales.models import Attachment
from sellerdesk.aftersales.queries import _encode_queue_cursor
from sellerdesk.core.pagination import MAX_CURSOR_CHARS, _encode

from .test_api_authorization import assert_error, bring_to, snapshot

UPLOADS = ("/api/v1/aftersales/{aftersale_id}/messages", "/api/v1/aftersales/{aftersale_id}/evidence")


def _document() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _listed_file_types(operation: dict) -> list[str]:
    encoding = operation["requestBody"]["content"]["multipart/form-data"]["encoding"]
    return [t.strip() for t in encoding["files"]["contentType"].split(",")]


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 200)).save(buf, format=fmt)
    return buf.getvalue()


def _pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


# One file of every type a client may read from the document; a type added to files.ALLOWED without
# a sample here fails test_each_file_type_the_upload_encoding_lists_is_accepted.
SAMPLES = {
    "image/jpeg": lambda: _image("JPEG"),
    "image/png": lambda: _image("PNG"),
    "image/webp": lambda: _image("WEBP"),
    "video/mp4": lambda: b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free",
    "application/pdf": _pdf,
}


def _upload(content_type: str) -> io.BytesIO:
    buf = io.BytesIO(SAMPLES[content_type]())
    buf.name = "proof"  # no extension: the type is the content's, whatever the name says
    return buf


# ----------------------------------------------------------------------------- uploads: encoding


@pytest.mark.django_db
def test_the_upload_encoding_lists_exactly_the_file_types_the_server_accepts():
    document = _document()
    for path in UPLOADS:
        operation = document["paths"][path]["post"]
        listed = _listed_file_types(operation)
        assert sorted(listed) == sorted(ALLOWED), path
        assert len(listed) == len(set(listed))
        properties = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
        assert properties["files"]["items"] == {"type": "string", "format": "binary"}


@pytest.mark.parametrize("content_type", sorted(ALLOWED))
def test_each_file_type_the_upload_encoding_lists_is_accepted(world, api_as, content_type):
    document = _document()
    for path in UPLOADS:
        assert content_type in _listed_file_types(document["paths"][path]["post"])
    a = bring_to(world, "dispute_awaiting_evidence")

    message = api_as(world.buyer).post(
        f"/aftersales/{a.pk}/messages", {"body": "见附件"}, files=[_upload(content_type)]
    )
    assert message.status_code == 201, message.content
    evidence = api_as(world.merchant).post(
        f"/aftersales/{a.pk}/evidence", {"statement": "发货凭证"}, files=[_upload(content_type)]
    )
    assert evidence.status_code == 200, evidence.content

    stored = Attachment.objects.filter(aftersale=a).values_list("content_type", flat=True)
    assert list(stored) == [content_type, content_type]


def test_every_listed_file_type_at_once_is_one_accepted_submission(world, api_as):
    a = bring_to(world, "dispute_awaiting_evidence")
    files = [_upload(t) for t in _listed_file_types(_document()["paths"][UPLOADS[1]]["post"])]
    response = api_as(world.merchant).post(f"/aftersales/{a.pk}/evidence", {"statement": "全部凭证"}, files=files)
    assert response.status_code == 200, response.content
    assert Attachment.objects.filter(aftersale=a).count() == len(ALLOWED)


@pytest.mark.parametrize("who,path,field", [("buyer", "messages", "body"), ("merchant", "evidence", "statement")])
def test_a_files_part_that_is_not_a_file_is_refused_with_the_error_body(world, api_as, who, path, field):
    # multipart with a `files` part without a filename: a text field to Django, not a file
    a = bring_to(world, "dispute_awaiting_evidence")
    before = snapshot(a)
    response = api_as(getattr(world, who)).client.post(
        f"/api/v1/aftersales/{a.pk}/{path}", {field: "见附件", "files": "{}"}
    )
    assert_error(response, 400, "invalid_input")
    assert response.json()["error"]["details"]["field"] == "files"
    assert snapshot(a) == before


# ------------------------------------------------------------------------------ list queries: q


@pytest.mark.django_db
def test_the_search_declares_its_max_length():
    (q,) = [p for p in _document()["paths"]["/api/v1/aftersales"]["get"]["parameters"] if p["name"] == "q"]
    assert q["in"] == "query"
    assert q["schema"] == {"type": "string", "maxLength": MAX_SEARCH_CHARS}


@pytest.mark.parametrize("role", ["buyer", "merchant", "cs"])
def test_a_search_longer_than_its_max_length_is_refused_with_the_error_body(world, api_as, role):
    bring_to(world, "awaiting_merchant")
    response = api_as(getattr(world, role)).get("/aftersales", q="单" * (MAX_SEARCH_CHARS + 1))
    assert_error(response, 400, "q_too_long")
    assert response.json()["error"]["details"] == {
        "field": "q",
        "length": MAX_SEARCH_CHARS + 1,
        "max_chars": MAX_SEARCH_CHARS,
    }
    assert str(MAX_SEARCH_CHARS) in response.json()["error"]["message"]


def test_a_search_of_exactly_its_max_length_is_a_search(world, api_as):
    a = bring_to(world, "awaiting_merchant")
    api = api_as(world.merchant)
    assert api.get("/aftersales", q="x" * MAX_SEARCH_CHARS).json()["items"] == []
    # measured in characters as sent, as JSON Schema's maxLength is: CRLF is two of them, and
    # control characters count before they are dropped
    assert api.get("/aftersales", q="\r\n" * (MAX_SEARCH_CHARS // 2)).status_code == 200
    assert_error(api.get("/aftersales", q="\r\n" * (MAX_SEARCH_CHARS // 2) + "x"), 400, "q_too_long")
    assert [i["id"] for i in api.get("/aftersales", q=a.number).json()["items"]] == [a.pk]


def test_a_search_too_long_is_english_for_an_english_reader(world, api_as):
    api = api_as(world.merchant)
    response = api.client.get("/api/v1/aftersales", {"q": "x" * 101}, HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 400, "q_too_long")
    assert response.json()["error"]["message"] == f"The search cannot be longer than {MAX_SEARCH_CHARS} characters."


# ------------------------------------------------------------------------- list queries: cursor


def _cursor_lists(world, api_as) -> dict[str, tuple]:
    """Every list with a `cursor`: its caller and its path (with an id of the caller's where it has one)."""
    endpoint = api_as(world.merchant).post(
        "/webhook-endpoints", {"url": "https://erp.example.com/hook", "event_types": ["*"]}
    )
    assert endpoint.status_code == 201, endpoint.content
    return {
        "/api/v1/aftersales": (world.merchant, "/aftersales"),
        "/api/v1/cs/queue": (world.cs, "/cs/queue"),
        "/api/v1/orders": (world.buyer, "/orders"),
        "/api/v1/notifications": (world.buyer, "/notifications"),
        "/api/v1/webhook-endpoints/{endpoint_id}/deliveries": (
            world.merchant,
            f"/webhook-endpoints/{endpoint.json()['id']}/deliveries",
        ),
    }


def _documented_cursor_lists(document: dict) -> dict[str, dict]:
    return {
        path: param
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for param in operation.get("parameters", [])
        if method == "get" and param["in"] == "query" and param["name"] == "cursor"
    }


def test_every_cursor_declares_its_max_length(world, api_as):
    documented = _documented_cursor_lists(_document())
    assert set(documented) == set(_cursor_lists(world, api_as))
    for path, param in documented.items():
        assert param["schema"] == {"type": "string", "maxLength": MAX_CURSOR_CHARS}, path


def test_a_cursor_longer_than_its_max_length_is_refused_with_the_error_body(world, api_as):
    bring_to(world, "dispute_platform_review")
    for path, (caller, url) in _cursor_lists(world, api_as).items():
        response = api_as(caller).get(url, cursor="A" * (MAX_CURSOR_CHARS + 1))
        assert_error(response, 400, "cursor_too_long")
        assert response.json()["error"]["details"] == {
            "field": "cursor",
            "length": MAX_CURSOR_CHARS + 1,
            "max_chars": MAX_CURSOR_CHARS,
        }, path


def test_a_cursor_of_exactly_its_max_length_is_only_one_we_never_issued(world, api_as):
    bring_to(world, "dispute_platform_review")
    for path, (caller, url) in _cursor_lists(world, api_as).items():
        response = api_as(caller).get(url, cursor="A" * MAX_CURSOR_CHARS)
        assert response.status_code == 404, (path, response.content)
        assert_error(response, 404, "invalid_cursor")


def test_the_longest_cursor_the_server_can_issue_fits_its_max_length():
    lowest_id = -(2**63)
    widest_offset = timezone(-timedelta(hours=23, minutes=59, seconds=59, microseconds=999999))
    latest = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=widest_offset)
    queue = _encode_queue_cursor(SimpleNamespace(review_started_at=latest, id=lowest_id), "before")
    assert len(_encode(lowest_id, "desc")) <= len(queue) <= MAX_CURSOR_CHARS
    # and the margin is real: a cursor of the UTC times the queue stores has room to grow
    utc = _encode_queue_cursor(SimpleNamespace(review_started_at=latest.replace(tzinfo=UTC), id=2**63), "before")
    assert len(utc) * 1.5 < MAX_CURSOR_CHARS
