"""Step-up that deserves the name (issue 9, part 4): an authenticator code (TOTP, django-otp) or a
one-time recovery code proves the user like the password does, for account changes and withdrawals."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sellerdesk.identity import stepup
from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts.models import AuditAction, AuditLog, Withdrawal

from .conftest import PASSWORD, card_number, error_code

T0 = datetime(2026, 12, 1, 8, 0, 0, tzinfo=UTC)


def code_for(device, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (at or T0).timestamp()
    return f"{totp.token():06d}"


def enrolled(user):
    """Enrol and confirm with the app's first code, as the security page does; returns the device
    and the recovery codes shown once."""
    with time_machine.travel(T0, tick=False):
        device = stepup.enrol_totp(user, password=PASSWORD)
        codes = stepup.confirm_totp(user, code_for(device, T0))
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def person(make_seller):
    return make_seller(Role.MERCHANT, SubjectKind.INDIVIDUAL)


@pytest.mark.django_db
def test_enrolled_user_changes_an_account_with_an_authenticator_code(person):
    device, _ = enrolled(person.user)
    with time_machine.travel(T0.replace(minute=5), tick=False):
        response = person.change_card(
            "anxin", card_number(7101), password=None, otp=code_for(device, T0.replace(minute=5))
        )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed"
    assert person.wallet("anxin").account.last4 == card_number(7101)[-4:]


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_counts_toward_the_step_up_throttle(person):
    device, _ = enrolled(person.user)
    before = person.wallet("anxin").account_id
    at = T0.replace(minute=10)
    good = code_for(device, at)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    with time_machine.travel(at, tick=False):
        response = person.change_card("anxin", card_number(7102), password=None, otp=wrong)
    assert response.status_code == 401 and error_code(response) == "step_up_failed"
    assert response.json()["error"]["details"]["failures_left"] == 4
    assert AuditLog.objects.filter(actor=person.user, action=AuditAction.STEP_UP_FAILED).count() == 1
    assert person.wallet("anxin").account_id == before


@pytest.mark.django_db
def test_a_recovery_code_works_once(person):
    _, codes = enrolled(person.user)
    assert len(codes) == 10
    with time_machine.travel(T0.replace(minute=20), tick=False):
        first = person.change_card("anxin", card_number(7103), password=None, otp=codes[0])
        again = person.change_card("anxin", card_number(7104), password=None, otp=codes[0])
    assert first.status_code == 201, first.content
    assert again.status_code == 401 and error_code(again) == "step_up_failed"
    assert stepup.recovery_codes_left(person.user) == 9


@pytest.mark.django_db
def test_a_user_without_an_authenticator_is_told_to_use_the_password(person):
    response = person.change_card("anxin", card_number(7105), password=None, otp="123456")
    assert response.status_code == 409 and error_code(response) == "step_up_method_unavailable"
    assert "登录密码" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_withdrawal_without_step_up_is_401_and_changes_no_balance(person):
    balance = person.wallet("anxin").balance_fen
    response = person.api.post("/wallets/anxin/withdrawals", {"amount_fen": 5000})
    assert response.status_code == 401 and error_code(response) == "step_up_required"
    wrong = person.api.post("/wallets/anxin/withdrawals", {"amount_fen": 5000, "password": "nope"})
    assert wrong.status_code == 401 and error_code(wrong) == "step_up_failed"
    assert person.wallet("anxin").balance_fen == balance
    assert not Withdrawal.objects.exists()
    assert AuditLog.objects.filter(action=AuditAction.WITHDRAWAL_REFUSED, code="step_up_required").count() == 1
    assert AuditLog.objects.filter(action=AuditAction.STEP_UP_FAILED).count() == 1


@pytest.mark.django_db
def test_a_withdrawal_with_an_authenticator_code_goes_through(person):
    device, _ = enrolled(person.user)
    at = T0.replace(minute=30)
    with time_machine.travel(at, tick=False):
        response = person.api.post("/wallets/anxin/withdrawals", {"amount_fen": 5000, "otp": code_for(device, at)})
    assert response.status_code == 201, response.content
    assert person.wallet("anxin").balance_fen == 100_000 - 5000


@pytest.mark.django_db
def test_enrolment_page_shows_the_qr_and_needs_a_confirming_code(person):
    web = Client()
    web.force_login(person.user)
    page = web.get("/account-centre/security/")
    assert page.status_code == 200 and 'data-authenticator="none"' in page.content.decode()
    assert web.post("/account-centre/security/", {"password": "wrong"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=person.user).exists()
    started = web.post("/account-centre/security/", {"password": PASSWORD})
    assert started.status_code == 302 and started["Location"] == "/account-centre/security/authenticator/"
    with time_machine.travel(T0, tick=False):
        page = web.get("/account-centre/security/authenticator/").content.decode()
        assert "<svg" in page and "data-secret" in page
        device = TOTPDevice.objects.get(user=person.user)
        wrong = "000000" if code_for(device) != "000000" else "111111"
        assert web.post("/account-centre/security/authenticator/", {"code": wrong}).status_code == 200
        device.refresh_from_db()
        assert not device.confirmed and not stepup.has_otp(person.user)
    with time_machine.travel(T0.replace(minute=1), tick=False):
        done = web.post("/account-centre/security/authenticator/", {"code": code_for(device, T0.replace(minute=1))})
    assert done.status_code == 200 and done.content.decode().count("data-recovery-code>") == 10
    assert stepup.has_otp(person.user)


@pytest.mark.django_db
def test_adding_or_removing_an_authenticator_is_told_in_app_and_by_email(person, mailoutbox):
    from sellerdesk.events.dispatcher import send_due_emails
    from sellerdesk.events.models import Notification

    person.user.email = "owner@example.cn"
    person.user.save(update_fields=["email"])
    enrolled(person.user)
    stepup.remove_otp(person.user, password=PASSWORD)
    notes = list(Notification.objects.filter(user=person.user, topic__startswith="security.").order_by("id"))
    assert [n.topic for n in notes] == ["security.authenticator_added", "security.authenticator_removed"]
    assert all(n.link == "/account-centre/security/" for n in notes)
    from sellerdesk.core import clock

    send_due_emails(now=clock.now())
    assert [m.to for m in mailoutbox] == [["owner@example.cn"]] * 2
    assert {m.subject for m in mailoutbox} == {"[SellerDesk] 已绑定身份验证器", "[SellerDesk] 已解除身份验证器"}
    stepup.remove_otp(person.user, password=PASSWORD)  # nothing left to remove: nothing to tell
    assert Notification.objects.filter(user=person.user, topic__startswith="security.").count() == 2
