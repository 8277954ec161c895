"""emit() writes an event and its notifications in one statement on PostgreSQL
(notices.fan_out_statement): the same notifications, to the same users, as notices.fan_out, for
every topic whose audience is a party of an after-sale, whoever spoke. On SQLite emit is fan_out, so
these hold there trivially."""

import pytest
from django.db import transaction

from sellerdesk.events import notices
from sellerdesk.events.models import Notification, OutboxEvent
from sellerdesk.events.outbox import emit
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

PARTY_AUDIENCES = (notices.MERCHANT, notices.BUYER, notices.BOTH, notices.ASKED, notices.OTHER_PARTY)
TOPICS = sorted(t for t, n in notices.NOTICES.items() if n.audience in PARTY_AUDIENCES)


def _written(event) -> list[tuple]:
    return sorted(
        Notification.objects.filter(event=event).values_list(
            "user_id", "topic", "params", "link", "aftersale_id", "created_at", "email_state", "read_at"
        )
    )


def _expected(event) -> list[tuple]:
    notice = notices.NOTICES[event.topic]
    email = notice.email(event.payload) if callable(notice.email) else notice.email
    users = {u.pk: u for u in notices._users_of(event, notice.audience, event.payload)}.values()
    state = Notification.EmailState.PENDING if email else Notification.EmailState.NONE
    return sorted(
        (
            u.pk,
            event.topic,
            event.payload,
            notices.link_for(u, event),
            event.aftersale_id,
            event.created_at,
            state,
            None,
        )
        for u in users
    )


@pytest.fixture
def parties(world):
    """world's shop with a second (staff) merchant and an inactive one; a buyer who is also staff."""
    f.make_merchant(world.shop, "m1-staff")
    gone = f.make_merchant(world.shop, "m1-gone")
    gone.is_active = False
    gone.save()
    both = f.make_merchant(world.shop, "m1-buys-too")
    return world, both


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("party", ["merchant", "buyer", "cs", None])
def test_the_one_statement_writes_what_fan_out_would(parties, topic, party):
    world, _ = parties
    payload = {"aftersale_id": 41, "number": "AS1", "shop_id": world.shop.pk, "buyer_id": world.buyer.pk}
    if party:
        payload["party"] = party
    if topic == "dispute.resolved":
        payload["liable"] = "merchant"  # its e-mail depends on the payload
    with transaction.atomic():
        event = emit(topic, aggregate_type="aftersale", aggregate_id=41, payload=payload)
    assert event.pk == OutboxEvent.objects.get(topic=topic).pk
    assert event.created_at == OutboxEvent.objects.get(pk=event.pk).created_at
    assert _written(event) == _expected(event)
    assert _written(event)  # every party audience hears something here


def test_no_one_twice_inactive_no_one_and_no_scope_no_notification(parties):
    world, both = parties
    with transaction.atomic():
        # the buyer of this event is also one of the shop's merchants: one notification, the merchant's link
        twice = emit(
            "aftersale.auto_approved",
            aggregate_type="aftersale",
            aggregate_id=7,
            payload={"aftersale_id": 7, "number": "AS7", "shop_id": world.shop.pk, "buyer_id": both.pk},
        )
        world.buyer.is_active = False
        world.buyer.save()
        inactive = emit(
            "aftersale.approved",
            aggregate_type="aftersale",
            aggregate_id=8,
            payload={"aftersale_id": 8, "number": "AS8", "shop_id": world.shop.pk, "buyer_id": world.buyer.pk},
        )
        unscoped = emit("aftersale.created", aggregate_type="aftersale", aggregate_id=9, payload={"aftersale_id": 9})
    heard = Notification.objects.filter(event=twice)
    assert sorted(heard.values_list("user__username", flat=True)) == ["m1", "m1-buys-too", "m1-staff"]
    assert set(heard.filter(user=both).values_list("link", flat=True)) == {"/workbench/aftersales/7/"}
    assert not Notification.objects.filter(event=inactive).exists()
    assert not Notification.objects.filter(event=unscoped).exists()
    assert _written(twice) == _expected(twice)


def test_a_subject_audience_still_goes_through_fan_out(world):
    # payout notices go to a subject's users: not one SQL can select; emit writes them after the event
    subject = f.make_subject()
    holder = f.make_user("dist1", role=Role.DISTRIBUTOR, subject=subject)
    with transaction.atomic():
        event = emit(
            "withdrawal.paid",
            aggregate_type="withdrawal",
            aggregate_id=3,
            payload={"subject_id": subject.pk, "holder_role": "distributor", "amount_fen": 100, "account": "x"},
        )
    assert list(Notification.objects.filter(event=event).values_list("user_id", flat=True)) == [holder.pk]
    assert _written(event) == _expected(event)
