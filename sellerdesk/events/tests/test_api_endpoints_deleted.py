"""A deleted webhook endpoint is gone from the API: every route that names it answers 404."""

import pytest

from sellerdesk.core import clock
from sellerdesk.events import webhooks


@pytest.mark.django_db
def test_a_deleted_endpoint_is_404_on_its_deliveries_and_its_secret(world, api_as, settings):
    settings.SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    endpoint, _ = webhooks.do_register_endpoint(
        url="https://example.com/hook", event_types=["*"], acting_user=world.merchant, now=clock.now()
    )
    api = api_as(world.merchant)
    assert api.get(f"/webhook-endpoints/{endpoint.pk}/deliveries").status_code == 200
    assert api.client.delete(f"/api/v1/webhook-endpoints/{endpoint.pk}").status_code == 200
    for response in (
        api.get(f"/webhook-endpoints/{endpoint.pk}/deliveries"),
        api.post(f"/webhook-endpoints/{endpoint.pk}/rotate-secret"),
        api.get(f"/webhook-endpoints/{endpoint.pk}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
