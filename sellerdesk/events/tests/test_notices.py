"""In-app notifications for every event that asks something of a party or decides something for
them (events/notices.py), the e-mail second channel for rulings, and retention."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from sellerdesk.aftersales import actions
from sellerdesk.core import clock
from sellerdesk.core.models import WorkerHeartbeat
from sellerdesk.events import dispatcher, notices
from sellerdesk.events.models import Notification, OutboxEvent, WebhookDelivery, WebhookEndpoint
from sellerdesk.events.retention import prune
from sellerdesk.events.webhooks import EXTRA_EVENT_TYPES, event_types

pytestmark = pytest.mark.django_db


def _heard(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("topic", flat=True))


def _open(world, **kw):
    return actions.do_open_aftersale(
        order_id=world.order.id,
        type=kw.get("type", "refund_only"),
        amount_fen=5000,
        reason="破损",
        acting_user=world.buyer,
        now=kw.get("now") or clock.now(),
    )


def test_each_party_hears_what_asks_something_of_them_or_decides_for_them_in_a_dispute(world):
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="商品完好", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="申请介入", acting_user=world.buyer, now=now)
    actions.do_submit_evidence(a.id, statement="发货前已检查", acting_user=world.merchant, now=now)
    actions.do_request_evidence(a.id, party="buyer", note="请补充开箱视频", due_hours=24, acting_user=world.cs, now=now)
    actions.do_submit_evidence(a.id, statement="视频见附件", acting_user=world.buyer, now=now)
    actions.do_rule(a.id, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=now)

    assert _heard(world.merchant) == [
        "aftersale.created",
        "dispute.opened",
        "dispute.evidence_submitted",
        "dispute.resolved",
    ]
    assert _heard(world.buyer) == [
        "aftersale.rejected",
        "dispute.evidence_submitted",
        "dispute.evidence_requested",
        "dispute.resolved",
    ]
    assert _heard(world.other_merchant) == [] and _heard(world.other_buyer) == [] and _heard(world.cs) == []


def test_the_ruling_tells_both_parties_the_outcome_and_who_is_liable_and_goes_out_by_email(world):
    world.merchant.email, world.buyer.email = "shop@example.com", "buyer@example.com"
    world.merchant.save(), world.buyer.save()
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=now)
    actions.do_submit_evidence(a.id, statement="已发货", acting_user=world.merchant, now=now)
    actions.do_rule(a.id, outcome="refund", liable="merchant", note="破损属实", acting_user=world.cs, now=now)

    ruling = Notification.objects.get(user=world.buyer, topic="dispute.resolved")
    assert ruling.title == f"纠纷已完成 {a.number}" and ruling.body == "结果：全额退款，商家责任。"
    with translation.override("en"):
        assert notices.render(ruling)[1] == "Outcome: Full refund, Merchant liable."
    assert mail.outbox == []  # nothing leaves inside the action's transaction

    assert dispatcher.send_due_emails(now=clock.now()) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["buyer@example.com", "shop@example.com"]
    assert all(m.subject == f"[SellerDesk] 纠纷已完成 {a.number}" for m in mail.outbox)
    assert dispatcher.send_due_emails(now=clock.now()) == 0  # each e-mail once
    assert set(Notification.objects.filter(topic="dispute.resolved").values_list("email_state", flat=True)) == {"sent"}


def test_an_agreement_during_a_dispute_is_told_without_an_email(world):
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=now)
    actions.do_approve(a.id, acting_user=world.merchant, now=now)
    note = Notification.objects.get(user=world.buyer, topic="dispute.resolved")
    assert note.email_state == "" and note.body == "结果：全额退款。"


def test_a_user_without_an_email_address_is_skipped_not_retried(world):
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=now)
    actions.do_submit_evidence(a.id, statement="已发货", acting_user=world.merchant, now=now)
    actions.do_rule(a.id, outcome="no_refund", liable="buyer", note="证据不足", acting_user=world.cs, now=now)
    dispatcher.send_due_emails(now=clock.now())
    assert mail.outbox == []
    assert set(Notification.objects.filter(topic="dispute.resolved").values_list("email_state", flat=True)) == {
        "skipped"
    }


def test_the_buyer_hears_of_an_offer_and_the_merchant_of_the_answer(world):
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    offer = actions.do_make_offer(a.id, amount_fen=2000, note="补偿一半", acting_user=world.merchant, now=now)
    actions.do_decline_offer(a.id, offer.id, acting_user=world.buyer, now=now)
    assert "aftersale.offer_made" in _heard(world.buyer)
    assert (
        Notification.objects.get(user=world.buyer, topic="aftersale.offer_made").body
        == "商家提出退款 ¥20.00，请接受或拒绝。"
    )
    assert _heard(world.merchant)[-1] == "aftersale.offer_declined"


def test_the_merchant_hears_of_a_cancellation_once(world):
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=now)
    actions.do_cancel(a.id, acting_user=world.buyer, now=now)
    assert _heard(world.merchant).count("aftersale.cancelled") == 1
    assert "dispute.cancelled" not in _heard(world.merchant)


def test_every_notice_text_has_an_english_translation_and_renders_with_its_parameters():
    for topic, notice in notices.NOTICES.items():
        with translation.override("en"):
            title, body = str(notice.title), str(notice.body)
        assert title.isascii() and body.isascii(), f"{topic} has no English text"
        note = Notification(
            topic=topic,
            params={
                "number": "AS1",
                "amount_fen": 100,
                "hours_left": 4,
                "due_at": "2026-12-01T00:00:00+00:00",
                "reason": "r",
            },
        )
        with translation.override("en"):
            rendered_title, _ = notices.render(note)
        assert "%(" not in rendered_title, topic


def test_every_api_event_type_can_be_subscribed_to():
    documented = {
        "aftersale.created",
        "aftersale.approved",
        "aftersale.auto_approved",
        "aftersale.rejected",
        "aftersale.return_shipped",
        "aftersale.refunded",
        "aftersale.closed",
        "aftersale.cancelled",
        "aftersale.message_posted",
        "aftersale.offer_made",
        "aftersale.offer_accepted",
        "aftersale.offer_declined",
        "dispute.opened",
        "dispute.evidence_submitted",
        "dispute.evidence_due_soon",
        "dispute.timed_out",
        "dispute.evidence_requested",
        "dispute.supplement_timed_out",
        "dispute.resolved",
        "dispute.cancelled",
        "dispute.appealed",
        "dispute.appeal_decided",
        "dispute.deadline_extended",
        "refund.succeeded",
        "refund.failed",
        "payout_account.change_requested",
        "payout_account.changed",
        "payout_account.change_failed",
        "withdrawal.requested",
        "withdrawal.paid",
        "withdrawal.failed",
    }
    assert set(event_types()) == documented
    assert set(EXTRA_EVENT_TYPES) <= documented


def test_retention_prunes_delivered_events_and_old_heartbeats_but_never_an_undelivered_event(world, settings):
    settings.SELLERDESK_RETENTION_DAYS = {"events": 30, "task_results": 7, "heartbeats": 7}
    endpoint = WebhookEndpoint.objects.create(
        owner=world.merchant,
        shop=world.shop,
        url="https://erp.example.com/h",
        event_types=["aftersale.rejected"],
        secret_encrypted="x",
    )
    long_ago = clock.now() - timedelta(days=31)
    a = _open(world, now=long_ago)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=long_ago)
    dispatcher.fan_out(now=long_ago)  # created: no endpoint wants it, delivered at once
    WebhookDelivery.objects.filter(endpoint=endpoint).update(state="dead")  # rejected: died, may be resent
    WorkerHeartbeat.objects.create(worker="old", seen_at=long_ago)
    WorkerHeartbeat.objects.create(worker="new", seen_at=clock.now())

    done = prune(now=clock.now())

    assert done["events"] == 1
    assert list(OutboxEvent.objects.values_list("topic", flat=True)) == ["aftersale.rejected"]
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["new"]
    assert Notification.objects.filter(topic="aftersale.created").exists()  # the merchant's inbox keeps it


def test_an_email_speaks_the_language_its_reader_uses_on_the_pages(world):
    from django.test import Client

    world.merchant.email, world.buyer.email = "shop@example.com", "buyer@example.com"
    world.merchant.save(), world.buyer.save()
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(world.buyer)
    assert english.get("/buyer/orders/").status_code == 200  # the buyer reads the pages in English
    world.buyer.refresh_from_db()
    assert world.buyer.language == "en"
    now = clock.now()
    a = _open(world, now=now)
    actions.do_reject(a.id, reason="不同意", acting_user=world.merchant, now=now)
    actions.do_escalate(a.id, reason="介入", acting_user=world.buyer, now=now)
    actions.do_submit_evidence(a.id, statement="已发货", acting_user=world.merchant, now=now)
    actions.do_rule(a.id, outcome="refund", liable="merchant", note="破损属实", acting_user=world.cs, now=now)

    dispatcher.send_due_emails(now=clock.now())

    by_reader = {m.to[0]: m for m in mail.outbox}
    assert "Outcome: Full refund, Merchant liable." in by_reader["buyer@example.com"].body
    assert "结果：全额退款，商家责任。" in by_reader["shop@example.com"].body  # never chose: the default
