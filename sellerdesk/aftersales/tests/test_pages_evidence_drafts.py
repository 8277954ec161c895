"""The 提交凭证 dialog as a draft editor on the pages (views._draft_post): 保存草稿 over several
visits, removing one file, the confirmed submission, and a refusal that keeps the saved draft."""

from django.core.files.uploadedfile import SimpleUploadedFile

from sellerdesk.aftersales.actions.drafts import get_draft
from sellerdesk.aftersales.files import MAX_STATEMENT_CHARS
from sellerdesk.aftersales.models import AfterSale, Evidence, Status

from .test_pages import client_for, in_dispute, png, text

JSON = {"HTTP_ACCEPT": "application/json"}


def test_save_draft_over_two_visits_and_the_dialog_shows_it_again(world):
    x = in_dispute(world)
    m = client_for(world.merchant)
    url = f"/workbench/aftersales/{x.pk}/"

    first = m.post(url, {"action": "save_draft", "statement": "第一稿", "files": [png("a.png")]}, **JSON)
    second = m.post(url, {"action": "save_draft", "statement": "第二稿", "files": [png("b.png")]}, **JSON)

    assert (first.status_code, second.status_code) == (200, 200)
    assert [f["original_name"] for f in second.json()["draft"]["files"]] == ["a.png", "b.png"]
    assert "草稿已保存" in second.json()["message"]
    page = text(m.get(url))
    assert "第二稿" in page and "a.png" in page and "b.png" in page and "已恢复您保存的草稿" in page
    assert f"/api/v1/aftersales/{x.pk}/evidence-draft/files/" in page
    textarea = page.split('id="dlg-evidence"')[1].split("</textarea>")[0]
    assert "maxlength" not in textarea  # the limit is the counter's: the browser never cuts
    # the phone page's dialog is the same editor
    assert "第二稿" in text(m.get(f"/m/aftersales/{x.pk}/"))
    assert AfterSale.objects.get(pk=x.pk).status == Status.DISPUTE_AWAITING_EVIDENCE


def test_remove_one_file_from_the_page(world):
    x = in_dispute(world)
    m = client_for(world.merchant)
    url = f"/workbench/aftersales/{x.pk}/"
    saved = m.post(url, {"action": "save_draft", "statement": "说明", "files": [png("a.png"), png("b.png")]}, **JSON)
    first = saved.json()["draft"]["files"][0]["id"]

    resp = m.post(url, {"action": "remove_draft_file", "file_id": str(first)}, **JSON)

    assert resp.status_code == 200
    assert [f["original_name"] for f in resp.json()["draft"]["files"]] == ["b.png"]


def test_a_refusal_answers_with_the_message_and_the_saved_draft(world):
    x = in_dispute(world)
    m = client_for(world.merchant)
    url = f"/workbench/aftersales/{x.pk}/"
    m.post(url, {"action": "save_draft", "statement": "已保存", "files": [png("a.png")]}, **JSON)

    fake = SimpleUploadedFile("fake.png", b"not an image", content_type="image/png")
    refused = m.post(url, {"action": "save_draft", "statement": "新的说明", "files": [fake]}, **JSON)
    long = m.post(url, {"action": "save_draft", "statement": "长" * (MAX_STATEMENT_CHARS + 1)}, **JSON)

    assert refused.status_code == 415
    assert refused.json()["error"]["code"] == "unsupported_file_type"
    assert "fake.png" in refused.json()["error"]["message"]
    assert [f["original_name"] for f in refused.json()["draft"]["files"]] == ["a.png"]
    assert (long.status_code, long.json()["error"]["code"]) == (400, "statement_too_long")
    assert get_draft(world.merchant, x.pk).statement == "已保存"


def test_submit_draft_from_the_page_sends_the_case_to_platform_review(world):
    x = in_dispute(world)
    m = client_for(world.merchant)
    url = f"/m/aftersales/{x.pk}/"
    m.post(url, {"action": "save_draft", "statement": "附发货前实拍", "files": [png("IMG_1.png")]}, **JSON)

    resp = m.post(url, {"action": "submit_draft"}, **JSON)

    assert resp.status_code == 200 and resp.json() == {"redirect": url}
    assert AfterSale.objects.get(pk=x.pk).status == Status.DISPUTE_PLATFORM_REVIEW
    evidence = Evidence.objects.get(dispute__aftersale=x)
    assert (evidence.statement, evidence.attachments.count()) == ("附发货前实拍", 1)
    assert "凭证已提交" in text(m.get(url))


def test_without_javascript_save_draft_is_a_form_post_that_comes_back(world):
    x = in_dispute(world)
    m = client_for(world.merchant)
    url = f"/workbench/aftersales/{x.pk}/"

    resp = m.post(url, {"action": "save_draft", "statement": "无脚本也能保存", "files": [png()]})

    assert resp.status_code == 302 and resp.url == url
    assert get_draft(world.merchant, x.pk).statement == "无脚本也能保存"
    assert "草稿已保存" in text(m.get(url))
