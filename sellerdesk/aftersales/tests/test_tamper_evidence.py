"""Tamper evidence (防篡改): each stored file's SHA-256 is recorded at upload and shown with it, and
CS can hash the stored bytes again to see whether the file is still the one uploaded."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from sellerdesk.aftersales.actions import do_submit_evidence
from sellerdesk.aftersales.models import Attachment, Status

from .test_rules_lifecycle import HOUR, reach


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (12, 9), (30, 90, 200)).save(buf, format="PNG")
    return SimpleUploadedFile("发货前实拍.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def evidence_file(world):
    aftersale, t = reach(world, Status.DISPUTE_AWAITING_EVIDENCE)
    do_submit_evidence(aftersale.pk, statement="发货前实拍", uploads=[png()], acting_user=world.merchant, now=t + HOUR)
    return aftersale, Attachment.objects.get(aftersale=aftersale, evidence__isnull=False)


def stored_bytes(attachment) -> bytes:
    with attachment.file.open("rb") as f:
        return f.read()


def cs_page(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(world.cs)
    return client


def test_every_party_sees_the_sha256_of_the_stored_bytes_with_the_file(world, api_as, evidence_file):
    aftersale, attachment = evidence_file
    expected = hashlib.sha256(stored_bytes(attachment)).hexdigest()
    for user in (world.merchant, world.buyer, world.cs):
        detail = api_as(user).get(f"/aftersales/{aftersale.pk}").json()
        (shown,) = detail["dispute"]["evidence"][0]["attachments"]
        assert shown["sha256"] == expected == attachment.sha256
    page = cs_page(world).get(f"/cs/cases/{aftersale.pk}/").content.decode()
    assert f"SHA-256 {expected[:12]}" in page


def test_cs_rehashing_a_file_unchanged_since_upload_says_it_matches(world, api_as, evidence_file):
    _aftersale, attachment = evidence_file

    check = api_as(world.cs).get(f"/attachments/{attachment.pk}/integrity").json()

    assert (check["recorded_sha256"], check["stored_sha256"], check["matches"]) == (
        attachment.sha256,
        attachment.sha256,
        True,
    )
    page = cs_page(world).get(f"/cs/attachments/{attachment.pk}/integrity/").content.decode()
    assert "一致：文件自上传后未被改动" in page


def test_cs_rehashing_a_file_changed_in_the_store_says_it_does_not_match(world, api_as, evidence_file):
    _aftersale, attachment = evidence_file
    with open(attachment.file.path, "r+b") as f:  # someone with access to the store edits the file
        f.seek(-1, io.SEEK_END)
        last = f.read(1)
        f.seek(-1, io.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))

    check = api_as(world.cs).get(f"/attachments/{attachment.pk}/integrity").json()

    assert check["matches"] is False
    assert check["stored_sha256"] == hashlib.sha256(stored_bytes(attachment)).hexdigest() != attachment.sha256
    page = cs_page(world).get(f"/cs/attachments/{attachment.pk}/integrity/").content.decode()
    assert "不一致：存储的文件不是上传时的文件" in page


def test_a_file_missing_from_the_store_does_not_match(world, api_as, evidence_file):
    _aftersale, attachment = evidence_file
    attachment.file.storage.delete(attachment.file.name)

    check = api_as(world.cs).get(f"/attachments/{attachment.pk}/integrity").json()

    assert (check["stored_sha256"], check["matches"]) == (None, False)
    assert "存储中没有这个文件" in cs_page(world).get(f"/cs/attachments/{attachment.pk}/integrity/").content.decode()


def test_only_cs_runs_the_check_and_an_unknown_file_is_404(world, api_as, evidence_file):
    _aftersale, attachment = evidence_file
    for user in (world.merchant, world.buyer):
        response = api_as(user).get(f"/attachments/{attachment.pk}/integrity")
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden_role")
    missing = api_as(world.cs).get(f"/attachments/{attachment.pk + 1000}/integrity")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    client = Client()
    client.force_login(world.merchant)
    assert client.get(f"/cs/attachments/{attachment.pk}/integrity/").status_code == 403
