"""Evidence in S3-compatible storage (SELLERDESK_S3_BUCKET), against a real S3 API on 127.0.0.1:
moto's server mode, spoken to over HTTP by django-storages + boto3 as a real bucket would be."""

import io
import socket

import pytest
from PIL import Image

from sellerdesk.aftersales.models import Attachment
from sellerdesk.aftersales.tests.test_api_authorization import bring_to
from sellerdesk.core.tests.test_idempotency import named, png


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="evidence")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence",
                "endpoint_url": endpoint,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    from django.core.files.storage import storages

    storages._storages.pop("default", None)  # re-read STORAGES
    try:
        yield boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    finally:
        storages._storages.pop("default", None)
        server.stop()


def test_evidence_is_stored_in_the_bucket_and_served_to_the_parties_from_it(world, api_as, s3_bucket):
    a = bring_to(world, "dispute_awaiting_evidence")
    merchant = api_as(world.merchant)
    sent = merchant.post(
        f"/aftersales/{a.pk}/evidence", {"statement": "签收单"}, files=[named(png((10, 20, 30)), "sign.png")]
    )
    assert sent.status_code == 200, sent.content
    attachment = Attachment.objects.get(aftersale=a)
    keys = [o["Key"] for o in s3_bucket.list_objects_v2(Bucket="evidence").get("Contents", [])]
    assert keys == [attachment.file.name]
    got = merchant.client.get(f"/api/v1/attachments/{attachment.pk}")
    assert got.status_code == 200
    body = b"".join(got.streaming_content)
    assert Image.open(io.BytesIO(body)).getpixel((0, 0)) == (10, 20, 30)
    assert got["Content-Disposition"].startswith("attachment")
    assert api_as(world.other_merchant).client.get(f"/api/v1/attachments/{attachment.pk}").status_code == 404
