"""Audit entries name the client behind a trusted proxy, not the balancer (issue 10)."""

import pytest


@pytest.mark.django_db
def test_the_audit_log_records_the_client_behind_the_proxy(make_seller, settings):
    from django.test import Client

    from sellerdesk.identity.models import Role, SubjectKind
    from sellerdesk.payouts.models import AuditAction, AuditLog

    from .conftest import Api

    settings.SELLERDESK_TRUSTED_PROXY_COUNT = 1
    seller = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    api = Api(seller.user)
    api.client = Client(
        HTTP_AUTHORIZATION=api.client.defaults["HTTP_AUTHORIZATION"],
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.77",
    )
    api.post("/wallets/anxin/account-changes", {"account_no": "12", "password": "wrong"})
    entry = AuditLog.objects.filter(actor=seller.user, action=AuditAction.CHANGE_REFUSED).latest("id")
    assert entry.ip == "203.0.113.77"
