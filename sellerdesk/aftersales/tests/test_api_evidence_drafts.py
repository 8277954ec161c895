"""Evidence drafts over HTTP (api.md "More on after-sales"): PUT / GET /evidence-draft, DELETE one
file, POST /evidence-draft/submit; multipart as the other uploads; codes, never a silent cut."""

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from sellerdesk.aftersales.actions import do_cancel
from sellerdesk.aftersales.files import MAX_STATEMENT_CHARS
from sellerdesk.aftersales.models import Evidence, HistoryEntry
from sellerdesk.events.models import OutboxEvent
from sellerdesk.testing import factories as f

from .test_rules_evidence_drafts import escalated, image
from .test_rules_lifecycle import HOUR, T0, fresh


@pytest.fixture(autouse=True)
def _inside_the_evidence_window():
    """The requests below are escalated about T0 + 2 h (one action an hour); HTTP reads the clock."""
    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        yield


def put(api, path, data: dict):
    return api.client.put(f"/api/v1{path}", encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT)


def put_json(api, path, data: dict):
    return api.client.put(f"/api/v1{path}", json.dumps(data), content_type="application/json")


def test_a_draft_saved_over_several_calls_is_returned_to_its_author(world, api_as):
    aftersale, _ = escalated(world)
    api = api_as(world.merchant)
    path = f"/aftersales/{aftersale.pk}/evidence-draft"

    first = put(api, path, {"statement": "第一稿", "files": [image("a.png")]})
    second = put(api, path, {"files": [image("b.png", color=(0, 0, 255))]})
    third = put_json(api, path, {"statement": "第二稿"})
    kept = put_json(api, path, {})

    assert [r.status_code for r in (first, second, third, kept)] == [200, 200, 200, 200], third.content
    body = api.get(path).json()
    assert body["statement"] == "第二稿"
    assert (body["statement_chars"], body["max_statement_chars"], body["max_files"]) == (3, MAX_STATEMENT_CHARS, 9)
    assert [x["name"] for x in body["files"]] == ["a.png", "b.png"]
    assert (body["submittable"], body["closed_reason"]) == (True, None)
    download = api.client.get(body["files"][0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert fresh(aftersale).status == "dispute_awaiting_evidence"


def test_nobody_but_the_author_sees_the_draft_or_its_files(world, api_as):
    aftersale, _ = escalated(world)
    path = f"/aftersales/{aftersale.pk}/evidence-draft"
    saved = put(api_as(world.merchant), path, {"statement": "私有", "files": [image()]}).json()
    url = saved["files"][0]["url"]

    for user in (f.make_merchant(world.shop, "m1-staff"), world.buyer, world.cs, world.admin, world.other_merchant):
        api = api_as(user)
        assert api.get(path).status_code == 404
        assert api.client.get(url).status_code == 404
        assert api.client.delete(f"/api/v1{path}/files/{saved['files'][0]['id']}").status_code in (403, 404, 409)
    assert api_as(world.merchant).get(path).json()["statement"] == "私有"


def test_removing_one_file_over_http(world, api_as):
    aftersale, _ = escalated(world)
    api = api_as(world.merchant)
    path = f"/aftersales/{aftersale.pk}/evidence-draft"
    saved = put(api, path, {"statement": "说明", "files": [image("a.png"), image("b.png")]}).json()

    response = api.client.delete(f"/api/v1{path}/files/{saved['files'][0]['id']}")

    assert response.status_code == 200
    assert [x["name"] for x in response.json()["files"]] == ["b.png"]
    again = api.client.delete(f"/api/v1{path}/files/{saved['files'][0]['id']}")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "not_found")


def test_limits_are_refused_with_their_codes_and_nothing_is_cut(world, api_as):
    aftersale, _ = escalated(world)
    api = api_as(world.merchant)
    path = f"/aftersales/{aftersale.pk}/evidence-draft"
    put_json(api, path, {"statement": "已保存"})

    long = put(api, path, {"statement": "长" * (MAX_STATEMENT_CHARS + 1)})
    fake = put(
        api, path, {"statement": "新", "files": [image("x.png"), SimpleUploadedFile("fake.png", b"not an image")]}
    )
    many = put(api, path, {"files": [image(f"{i}.png") for i in range(10)]})

    assert (long.status_code, long.json()["error"]["code"]) == (400, "statement_too_long")
    assert long.json()["error"]["details"]["length"] == MAX_STATEMENT_CHARS + 1
    assert (fake.status_code, fake.json()["error"]["code"]) == (415, "unsupported_file_type")
    assert (many.status_code, many.json()["error"]["code"]) == (400, "too_many_files")
    body = api.get(path).json()
    assert (body["statement"], body["files"]) == ("已保存", [])


def test_submitting_the_draft_moves_the_case_to_platform_review(world, api_as):
    aftersale, _ = escalated(world)
    api = api_as(world.merchant)
    path = f"/aftersales/{aftersale.pk}/evidence-draft"
    put(api, path, {"statement": "发货视频见附件", "files": [image("a.png")]})
    put(api, path, {"files": [image("b.png")]})

    response = api.post(f"{path}/submit")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispute_platform_review"
    evidence = Evidence.objects.get(dispute=fresh(aftersale).dispute)
    assert (evidence.statement, evidence.attachments.count()) == ("发货视频见附件", 2)
    assert HistoryEntry.objects.filter(aftersale=aftersale, kind="evidence_submitted").count() == 1
    event = OutboxEvent.objects.get(aggregate_id=str(aftersale.pk), topic="dispute.evidence_submitted")
    assert event.payload["files"] == 2
    assert api.get(path).status_code == 404  # the draft became the evidence
    # one-step evidence keeps working beside it
    other, _ = escalated(world)
    one_step = api.post(f"/aftersales/{other.pk}/evidence", {"statement": "质检报告"}, files=[image()])
    assert one_step.status_code == 200


def test_a_cancelled_requests_draft_cannot_be_submitted_and_says_why(world, api_as):
    aftersale, t = escalated(world)
    api = api_as(world.merchant)
    path = f"/aftersales/{aftersale.pk}/evidence-draft"
    put_json(api, path, {"statement": "说明"})
    do_cancel(aftersale.pk, acting_user=world.buyer, now=t + HOUR)

    response = api.post(f"{path}/submit")

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["details"]["reason"]) == ("evidence_draft_closed", "cancelled")
    assert "买家已撤销售后申请" in error["message"]
    body = api.get(path).json()
    assert (body["statement"], body["submittable"], body["closed_reason"]) == ("说明", False, "cancelled")


def test_the_openapi_document_describes_the_draft_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    draft = paths["/api/v1/aftersales/{aftersale_id}/evidence-draft"]
    assert set(draft) == {"get", "put"}
    content = draft["put"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["encoding"]["files"]["contentType"].startswith("image/jpeg")
    assert "415" in draft["put"]["responses"]
    assert "delete" in paths["/api/v1/aftersales/{aftersale_id}/evidence-draft/files/{file_id}"]
    assert "post" in paths["/api/v1/aftersales/{aftersale_id}/evidence-draft/submit"]
