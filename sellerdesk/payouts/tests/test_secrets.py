"""Account numbers never appear in clear: not in the database, a log line, an API response or the admin."""

import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from sellerdesk.identity.models import Role, SubjectKind
from sellerdesk.payouts import crypto
from sellerdesk.payouts.models import AccountKind, WithdrawalAccount

from .conftest import PASSWORD, card_number, corporate_number


def _run_every_flow(make_seller, rail):
    """Personal card, corporate account (wrong then right amount), Alipay, and refusals."""
    person = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL, legal_name="李雷")
    company = make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    card, corp, phone = card_number(4242), corporate_number(4343), "13912345678"
    rail.open_account(kind=AccountKind.ALIPAY, number=phone, holder_name=company.subject.legal_name, is_corporate=True)

    assert person.change_card("anxin", card).status_code == 201
    body = company.change_card("anxin", corp, corporate=True).json()
    amount = company.statement_amount(corp[-4:])
    company.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount % 99 + 1})
    assert company.api.post(f"/account-changes/{body['id']}/verify", {"amount_fen": amount}).status_code == 200
    assert company.change("alipay", alipay_account=phone).status_code == 201
    # Refusals carrying the same numbers: wrong holder, wrong password, Luhn, throttles.
    company.change_card("wechat", card, holder="李雷")
    company.change_card("wechat", corp, corporate=True, password="wrong")
    person.change_card("anxin", card[:-1] + str((int(card[-1]) + 1) % 10))
    company.api.post("/wallets/anxin/withdrawals", {"amount_fen": 100, "password": PASSWORD})
    company.api.get("/wallets")
    person.api.get("/wallets")
    company.api.get(f"/account-changes/{body['id']}")
    company.api.get("/sandbox/rail/statement")
    return [card, corp, phone], [person, company]


@pytest.mark.django_db
def test_no_account_number_in_clear_in_the_database(make_seller, rail):
    secrets, _ = _run_every_flow(make_seller, rail)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                found += [(table, s[-4:]) for s in secrets if s in text]
    assert found == []
    # …and yet the numbers are there, encrypted.
    assert sorted(a.number for a in WithdrawalAccount.objects.filter(last4__in=[s[-4:] for s in secrets])) == sorted(
        secrets
    )


@pytest.mark.django_db
def test_no_account_number_in_captured_logs(make_seller, rail, caplog):
    with caplog.at_level(logging.DEBUG):
        secrets, _ = _run_every_flow(make_seller, rail)
    assert caplog.records  # the flows do log (changes, refusals, 4xx responses)
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert [s for s in secrets if s in text] == []


@pytest.mark.django_db
def test_no_account_number_in_any_api_response(make_seller, rail):
    secrets, sellers = _run_every_flow(make_seller, rail)
    bodies = [body for seller in sellers for body in seller.api.seen]
    assert len(bodies) > 10
    assert [s for s in secrets for body in bodies if s in body] == []


@pytest.mark.django_db
def test_admin_and_str_show_accounts_masked(make_seller, rail, django_user_model):
    secrets, _ = _run_every_flow(make_seller, rail)
    admin = django_user_model.objects.create_superuser(username="ops", password="x-long-password", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    pages = [
        client.get("/admin/payouts/withdrawalaccount/"),
        client.get("/admin/payouts/wallet/"),
        client.get("/admin/payouts/accountchange/"),
        client.get("/admin/payouts/auditlog/"),
    ]
    pages += [client.get(f"/admin/payouts/withdrawalaccount/{a.pk}/change/") for a in WithdrawalAccount.objects.all()]
    assert all(page.status_code == 200 for page in pages)
    html = "".join(page.content.decode() for page in pages)
    assert [s for s in secrets if s in html] == []
    for account in WithdrawalAccount.objects.all():
        assert account.number not in str(account) and account.number not in repr(account)


@pytest.mark.django_db
def test_rotate_account_keys_re_encrypts_with_the_newest_key(make_seller, settings):
    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    card = card_number(4500)
    seller.change_card("anxin", card)
    before = {a.pk: (a.number, a.fingerprint) for a in WithdrawalAccount.objects.all()}
    new_key = Fernet.generate_key().decode()
    old_keys = list(settings.SELLERDESK_ACCOUNT_KEYS)
    settings.SELLERDESK_ACCOUNT_KEYS = [new_key, *old_keys]
    call_command("rotate_account_keys", batch_size=2, stdout=open("/dev/null", "w"))
    settings.SELLERDESK_ACCOUNT_KEYS = [new_key]  # old keys dropped after rotation
    after = {a.pk: (a.number, a.fingerprint) for a in WithdrawalAccount.objects.all()}
    assert after == before
    settings.SELLERDESK_ACCOUNT_KEYS = old_keys
    with pytest.raises(InvalidToken):
        WithdrawalAccount.objects.first().number  # noqa: B018


@pytest.mark.django_db
@override_settings(SELLERDESK_FINGERPRINT_KEY="another-key")
def test_fingerprint_is_keyed_and_stable():
    assert crypto.fingerprint("bank_card", "6222021234567890") == crypto.fingerprint("bank_card", "6222021234567890")
    assert crypto.fingerprint("bank_card", "6222021234567890") != crypto.fingerprint("alipay", "6222021234567890")
    with override_settings(SELLERDESK_FINGERPRINT_KEY="a-third-key"):
        other = crypto.fingerprint("bank_card", "6222021234567890")
    assert other != crypto.fingerprint("bank_card", "6222021234567890")


# --- resident ID and credit-code numbers (issue 9 part 6) -------------------------------------


def _id_numbers():
    from sellerdesk.identity.models import Subject

    return [s.id_number for s in Subject.objects.all()]


@pytest.mark.django_db
def test_no_id_number_in_clear_in_the_database_or_the_logs(make_seller, rail, caplog):
    # The flows include the bank's real-name check, which is given the resident ID.
    with caplog.at_level(logging.DEBUG):
        _run_every_flow(make_seller, rail)
    ids = _id_numbers()
    assert len(ids) >= 2 and all(len(i) == 18 for i in ids)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found += [(table, i[-4:]) for row in cursor.fetchall() for i in ids if i in " ".join(str(v) for v in row)]
    assert found == []
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert [i for i in ids if i in text] == []


@pytest.mark.django_db
def test_the_admin_shows_id_numbers_masked(make_seller, django_user_model):
    from sellerdesk.identity.models import Subject

    seller = make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    admin = django_user_model.objects.create_superuser(username="ops", password="x-long-password", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    pages = [
        client.get("/admin/identity/subject/"),
        *[client.get(f"/admin/identity/subject/{s.pk}/change/") for s in Subject.objects.all()],
    ]
    assert all(page.status_code == 200 for page in pages)
    html = "".join(page.content.decode() for page in pages)
    the_id = seller.subject.id_number
    assert the_id not in html and seller.subject.masked_id in html
    assert seller.subject.masked_id == f"{the_id[:2]}{'*' * 12}{the_id[-4:]}"
    assert the_id not in str(seller.subject) and the_id not in repr(seller.subject)


@pytest.mark.django_db
def test_rotate_account_keys_re_encrypts_id_numbers_too(make_seller, settings):
    from sellerdesk.identity.models import Subject, id_fingerprint_of

    make_seller(Role.DISTRIBUTOR, SubjectKind.INDIVIDUAL)
    make_seller(Role.MERCHANT, SubjectKind.ENTERPRISE)
    before = {s.pk: (s.id_number, s.id_fingerprint) for s in Subject.objects.all()}
    new_key = Fernet.generate_key().decode()
    old_keys = list(settings.SELLERDESK_ACCOUNT_KEYS)
    settings.SELLERDESK_ACCOUNT_KEYS = [new_key, *old_keys]
    call_command("rotate_account_keys", batch_size=1, stdout=open("/dev/null", "w"))
    settings.SELLERDESK_ACCOUNT_KEYS = [new_key]
    after = {s.pk: (s.id_number, s.id_fingerprint) for s in Subject.objects.all()}
    assert after == before
    assert all(fp == id_fingerprint_of(number) for number, fp in after.values())  # still found by the blind index
    settings.SELLERDESK_ACCOUNT_KEYS = old_keys
    with pytest.raises(InvalidToken):
        Subject.objects.first().id_number  # noqa: B018
