"""The polish of issue 12 (item 7/8), as a user would check it: the top bar names the shop, not the
login; the language menu names each language in itself; the site has an icon; Chinese copy uses
full-width punctuation; headings drop the spec's 页 suffix; one filter has one name."""

import re

import polib
from django.conf import settings
from django.test import Client

from sellerdesk.testing import factories as f

PO = f"{settings.BASE_DIR}/sellerdesk/locale/en/LC_MESSAGES/django.po"


def page_for(user, path):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    c.force_login(user)
    return c.get(path).content.decode()


def test_the_top_bar_names_the_shop_a_merchant_works_for_not_the_login(world):
    page = page_for(world.merchant, "/workbench/")
    assert '<span class="who-name" title="m1">好物旗舰店</span>' in page


def test_the_top_bar_names_a_buyer_by_nickname_and_an_agent_by_number(world):
    world.buyer.first_name = "张三"
    world.buyer.save()
    assert '<span class="who-name" title="b1">张三</span>' in page_for(world.buyer, "/buyer/orders/")
    assert f">平台客服 {world.cs.pk:04d}</span>" in page_for(world.cs, "/cs/")


def test_the_language_menu_names_each_language_in_itself(world):
    page = page_for(world.buyer, "/buyer/orders/")
    assert ">简体中文</option>" in page and ">English</option>" in page and "英语" not in page


def test_the_site_has_an_icon(world, client):
    page = page_for(world.buyer, "/buyer/orders/")
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', page)
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_chinese_copy_uses_full_width_punctuation():
    half = re.compile(r"[\u3400-\u9fff][,;:!?()]|[,;()][\u3400-\u9fff]")
    assert [e.msgid for e in polib.pofile(PO) if half.search(e.msgid)] == []


def test_headings_drop_the_page_suffix_and_one_filter_has_one_name(world):
    f.make_order(shop=world.shop, buyer=world.buyer)
    query = page_for(world.merchant, "/workbench/aftersales/")
    assert "<h1>售后单查询</h1>" in query and "售后单查询页" not in query
    workbench = page_for(world.merchant, "/workbench/")
    assert workbench.count("举证即将超时") >= 1 and "小时内举证到期</div>" not in workbench
