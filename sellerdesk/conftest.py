import json

import pytest
from django.test import Client

from sellerdesk.identity.models import ApiToken, Role
from sellerdesk.testing import factories as f


class Api:
    """Real HTTP through Django's test client, authenticated with an API token like an ERP."""

    def __init__(self, user):
        self.user = user
        _, raw = ApiToken.issue(user)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, data=None, *, key=None, files=None, raw=None):
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        if raw is not None:
            return self.client.post(f"/api/v1{path}", raw, content_type="application/json", **headers)
        if files is not None:
            return self.client.post(f"/api/v1{path}", {**(data or {}), "files": files}, **headers)
        return self.client.post(f"/api/v1{path}", json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def world(db):
    """A shop with its merchant, another shop, two buyers, CS, and a paid order of ¥100.00."""

    class World:
        pass

    w = World()
    w.shop = f.make_shop("好物旗舰店")
    w.other_shop = f.make_shop("隔壁小店")
    w.merchant = f.make_merchant(w.shop, "m1")
    w.other_merchant = f.make_merchant(w.other_shop, "m2")
    w.buyer = f.make_user("b1", role=Role.BUYER)
    w.other_buyer = f.make_user("b2", role=Role.BUYER)
    w.cs = f.make_user("cs1", role=Role.CS)
    w.admin = f.make_user("admin1", role=Role.ADMIN)
    w.platform = f.make_user("platform1", role=Role.PLATFORM)
    w.order = f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=10000)
    return w


@pytest.fixture
def api_as():
    return Api


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Uploaded files go to a per-test folder, never the developer's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    yield
