"""Per-user rate limits on messages, uploads and offers (api.md "Operations"): 429 with Retry-After,
set by SELLERDESK_RATE_*, "0" turns one off, counted in the shared cache, refused when uncountable."""

import uuid

import pytest
import redis
from django.test import Client

from sellerdesk.aftersales.models import Attachment, HistoryEntry, Offer

from .test_api_authorization import assert_error, bring_to
from .test_api_bad_input import png_data, upload


def post_message(api, aftersale, body="还在吗？", files=None):
    if files is None:
        return api.post(f"/aftersales/{aftersale.pk}/messages", {"body": body})
    return api.post(f"/aftersales/{aftersale.pk}/messages", {"body": body}, files=files)


def messages_of(aftersale):
    return HistoryEntry.objects.filter(aftersale=aftersale, kind="message").count()


def assert_throttled(response, scope):
    assert_error(response, 429, "rate_limited")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert response.json()["error"]["details"]["scope"] == scope
    assert response.json()["error"]["details"]["retry_after_seconds"] == retry_after


def test_messages_over_the_per_user_rate_are_refused_with_429_and_retry_after(world, api_as, settings):
    settings.SELLERDESK_RATE_MESSAGES = "3/h"
    aftersale = bring_to(world, "awaiting_merchant")
    buyer = api_as(world.buyer)
    for _ in range(3):
        assert post_message(buyer, aftersale).status_code == 201
    assert_throttled(post_message(buyer, aftersale), "messages")
    assert messages_of(aftersale) == 3  # the refused one wrote nothing


def test_the_message_limit_counts_each_user_apart(world, api_as, settings):
    settings.SELLERDESK_RATE_MESSAGES = "2/h"
    aftersale = bring_to(world, "awaiting_merchant")
    buyer, merchant = api_as(world.buyer), api_as(world.merchant)
    for _ in range(2):
        assert post_message(buyer, aftersale).status_code == 201
    assert post_message(buyer, aftersale).status_code == 429
    assert post_message(merchant, aftersale, "商家回复").status_code == 201


def test_a_throttled_request_with_an_idempotency_key_can_be_retried_with_that_key(world, api_as, settings):
    settings.SELLERDESK_RATE_MESSAGES = "1/h"
    aftersale = bring_to(world, "awaiting_merchant")
    buyer = api_as(world.buyer)
    assert buyer.post(f"/aftersales/{aftersale.pk}/messages", {"body": "一"}, key="k1").status_code == 201
    assert buyer.post(f"/aftersales/{aftersale.pk}/messages", {"body": "二"}, key="k2").status_code == 429
    settings.SELLERDESK_RATE_MESSAGES = "0"  # the window has passed, as far as the limit is concerned
    assert buyer.post(f"/aftersales/{aftersale.pk}/messages", {"body": "二"}, key="k2").status_code == 201


def test_uploads_limit_counts_submissions_that_carry_files(world, api_as, settings):
    settings.SELLERDESK_RATE_UPLOADS = "1/h"
    aftersale = bring_to(world, "awaiting_merchant")
    buyer = api_as(world.buyer)
    assert post_message(buyer, aftersale, files=[upload(png_data(), "a.png")]).status_code == 201
    assert_throttled(post_message(buyer, aftersale, files=[upload(png_data(), "b.png")]), "uploads")
    assert Attachment.objects.count() == 1
    assert post_message(buyer, aftersale, "没有附件的留言").status_code == 201  # messages without files go on


def test_evidence_with_files_counts_against_the_uploads_limit(world, api_as, settings):
    settings.SELLERDESK_RATE_UPLOADS = "1/h"
    first = bring_to(world, "awaiting_merchant")
    merchant = api_as(world.merchant)
    assert post_message(merchant, first, files=[upload(png_data(), "a.png")]).status_code == 201
    dispute = bring_to_dispute_on_new_order(world)
    response = merchant.post(
        f"/aftersales/{dispute.pk}/evidence", {"statement": "发货前已检查"}, files=[upload(png_data(), "proof.png")]
    )
    assert_throttled(response, "uploads")
    dispute.refresh_from_db()
    assert dispute.status == "dispute_awaiting_evidence"


def bring_to_dispute_on_new_order(world):
    from sellerdesk.testing import factories as f

    world.order = f.make_order(shop=world.shop, buyer=world.buyer, paid_fen=10000)
    return bring_to(world, "dispute_awaiting_evidence")


def test_offers_over_the_per_user_rate_are_refused(world, api_as, settings):
    settings.SELLERDESK_RATE_OFFERS = "1/h"
    aftersale = bring_to(world, "merchant_rejected")
    merchant = api_as(world.merchant)
    assert merchant.post(f"/aftersales/{aftersale.pk}/offers", {"amount_fen": 3000, "note": ""}).status_code == 201
    assert_throttled(merchant.post(f"/aftersales/{aftersale.pk}/offers", {"amount_fen": 2000, "note": ""}), "offers")
    assert Offer.objects.filter(aftersale=aftersale).count() == 1


def test_a_rate_of_0_turns_the_limit_off(world, api_as, settings):
    settings.SELLERDESK_RATE_MESSAGES = "0"
    aftersale = bring_to(world, "awaiting_merchant")
    buyer = api_as(world.buyer)
    assert all(post_message(buyer, aftersale).status_code == 201 for _ in range(31))  # over the default 30/m


def test_the_default_message_rate_is_30_a_minute(world, api_as):
    aftersale = bring_to(world, "awaiting_merchant")
    buyer = api_as(world.buyer)
    assert all(post_message(buyer, aftersale).status_code == 201 for _ in range(30))
    assert_throttled(post_message(buyer, aftersale), "messages")


def test_the_page_says_the_user_is_posting_too_fast_and_keeps_the_text(world, settings):
    settings.SELLERDESK_RATE_MESSAGES = "1/h"
    aftersale = bring_to(world, "awaiting_merchant")
    browser = Client()
    browser.force_login(world.buyer)
    url = f"/buyer/aftersales/{aftersale.pk}/"
    assert browser.post(url, {"action": "message", "body": "第一条"}).status_code == 302
    page = browser.post(url, {"action": "message", "body": "第二条留言"})
    assert page.status_code == 429
    text = page.content.decode()
    assert "操作太频繁" in text
    assert "第二条留言" in text
    assert messages_of(aftersale) == 1


def test_a_limit_that_cannot_be_counted_refuses_the_request(world, api_as, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }  # nothing listens there
    aftersale = bring_to(world, "awaiting_merchant")
    response = post_message(api_as(world.buyer), aftersale)
    assert_error(response, 503, "rate_limit_unavailable")
    assert messages_of(aftersale) == 0


@pytest.fixture
def redis_cache(settings):
    location = "redis://127.0.0.1:6379/13"
    client = redis.Redis.from_url(location)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"sdtest-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_limits_count_in_redis_where_every_web_process_sees_them(world, api_as, settings, redis_cache):
    settings.SELLERDESK_RATE_MESSAGES = "2/h"
    aftersale = bring_to(world, "awaiting_merchant")
    buyer = api_as(world.buyer)
    assert [post_message(buyer, aftersale).status_code for _ in range(3)] == [201, 201, 429]
    counts = [int(redis_cache.get(k)) for k in redis_cache.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*")]
    assert counts == [3]  # one counter, shared, in Redis itself
