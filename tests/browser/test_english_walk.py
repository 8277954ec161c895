"""English complete (issue 12, item 4): every page a buyer, a merchant, a CS agent and a distributor
open, walked in English on the demo data, shows no Chinese character except in what people typed
or named (shop and buyer names, goods, reasons, statements, notes, bank names). The system's own
words (history entries it writes, notifications, labels, errors) are all English."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from sellerdesk.aftersales.models import HistoryEntry
from sellerdesk.aftersales.templatetags.aftersales_ui import _SYSTEM_BODIES

from .conftest import PC
from .test_phone_widths import pages_of

pytestmark = [pytest.mark.browser]

DEMO_PW = "sellerdesk-demo"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Stored text the system writes itself: the page must word it anew, so it is no excuse.
SYSTEM_TEXT = {("payouts", "railtransfer", "memo")}


def user_data() -> list[str]:
    """Every stored text with Chinese in it that a person typed or named, longest first."""
    texts = set()
    for model in apps.get_models():
        if not model.__module__.startswith("sellerdesk."):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and (model._meta.app_label, model._meta.model_name, f.name) not in SYSTEM_TEXT
        ]
        qs = model.objects.all()
        if model is HistoryEntry:
            qs = qs.exclude(kind__in=[str(k) for k in _SYSTEM_BODIES])
        for row in qs.values_list(*fields) if fields else []:
            texts.update(v for v in row if isinstance(v, str) and CJK.search(v))
    for model in apps.get_models():  # JSON parameters (notifications, history data) name people and goods
        for f in model._meta.concrete_fields:
            if isinstance(f, models.JSONField) and model.__module__.startswith("sellerdesk."):
                for value in model.objects.values_list(f.name, flat=True):
                    if isinstance(value, dict):
                        texts.update(v for v in value.values() if isinstance(v, str) and CJK.search(v))
    return sorted(texts, key=len, reverse=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def english_login(chromium, live_server, username):
    ctx = chromium.new_context(viewport=PC, locale="en-US", timezone_id="Asia/Shanghai", base_url=live_server.url)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PW)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return ctx, page


def chinese_left(page, known: list[str]) -> list[str]:
    # The language menu names each language in itself (简体中文), as every language menu does.
    text = page.evaluate(
        "() => { const b = document.body.cloneNode(true); b.querySelectorAll('#lang-select').forEach(e => e.remove());"
        " return b.innerText; }"
    )
    for value in known:
        text = text.replace(value, "")
    return sorted(set(CJK.findall(text)))


EXTRA = {
    "merchant": ["/account-centre/sandbox/bank-statement/"],
    "cs": [],
    "buyer": [],
    "distributor": [],
}


@pytest.mark.parametrize("username", ["buyer", "merchant", "cs", "distributor"])
def test_every_page_in_english_shows_chinese_only_in_what_people_wrote(demo, chromium, live_server, username):
    known = user_data()
    ctx, page = english_login(chromium, live_server, username)
    try:
        found = {}
        for path in pages_of(username) + EXTRA[username]:
            response = page.goto(path)
            assert response.status < 400, (path, response.status)
            left = chinese_left(page, known)
            if left:
                found[path] = left
        assert found == {}, f"Chinese on English pages: {found}"
    finally:
        ctx.close()
