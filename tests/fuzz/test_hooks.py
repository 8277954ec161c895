"""hooks.py without a server: what it makes of schema-valid bodies is valid by the schema and what
this caller's wallet accepts, and it leaves every other case alone."""

import json
from types import SimpleNamespace

import jsonschema
import pytest
from stdnum import luhn

from sellerdesk.payouts.checks import check_alipay_account, check_bank_account

from . import hooks

ENTERPRISE = {"kind": "enterprise", "legal_name": "杭州好物优选科技有限公司"}
PERSON = {"kind": "individual", "legal_name": "李小红"}
BUSINESS = {"kind": "individual_business", "legal_name": "成都市锦江区小王百货店"}
DRAWN = [
    {},
    {"alipay_account": "13800138000"},
    {"account_no": "0", "holder_name": " ", "bank_name": "\x1f"},
    {"account_no": "6222020200123456", "holder_name": "x", "bank_name": "工行", "is_corporate": True},
    {"account_no": "123456789012345678901234567890", "is_corporate": False},
    {"account_no": "6222 0202 0012 3456", "alipay_account": None, "password": "x"},
]


def _body_schema():
    from sellerdesk.api import api

    document = api.get_openapi_schema()
    schema = document["components"]["schemas"]["ChangeIn"]
    return json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))


@pytest.mark.parametrize("drawn", DRAWN)
@pytest.mark.parametrize("subject", [ENTERPRISE, PERSON, BUSINESS])
@pytest.mark.parametrize("channel", ["anxin", "wechat"])
def test_a_bank_wallet_gets_a_card_of_the_callers_subject(channel, subject, drawn):
    body = hooks.acceptable_change(channel, drawn, subject)
    jsonschema.validate(body, _body_schema())
    new = check_bank_account(
        account_no=body["account_no"],
        holder_name=body["holder_name"],
        bank_name=body["bank_name"],
        is_corporate=body["is_corporate"],
    )
    assert new.holder_name == subject["legal_name"]
    if subject is ENTERPRISE:
        assert new.is_corporate
    if subject is PERSON:
        assert not new.is_corporate and luhn.is_valid(new.number)


@pytest.mark.parametrize("drawn", DRAWN)
def test_the_alipay_wallet_gets_an_alipay_account(drawn):
    body = hooks.acceptable_change("alipay", drawn, ENTERPRISE)
    jsonschema.validate(body, _body_schema())
    assert check_alipay_account(body["alipay_account"])


def test_a_drawn_card_keeps_its_digits_but_the_check_digit():
    assert hooks.card_number("6222020200123450", "seed")[:-1] == "622202020012345"
    assert luhn.is_valid(hooks.card_number("6222020200123450", "seed"))
    assert hooks.card_number("x", "a") == hooks.card_number("x", "a")  # the same case maps the same way on replay


def _case(mode, body, channel="anxin", path="/api/v1/wallets/{channel}/account-changes"):
    generation = SimpleNamespace(mode=SimpleNamespace(is_positive=mode == "positive"))
    operation = SimpleNamespace(method="post", path=path)
    case = SimpleNamespace(meta=SimpleNamespace(generation=generation), body=body, path_parameters={"channel": channel})
    return SimpleNamespace(operation=operation), case


def test_only_positive_cases_of_the_change_operation_are_mapped(monkeypatch):
    monkeypatch.setenv("SELLERDESK_FUZZ_SUBJECT", json.dumps(PERSON))
    context, case = _case("negative", {"account_no": "x"})
    assert hooks.map_case(context, case).body == {"account_no": "x"}
    context, case = _case("positive", {"account_no": "x"}, path="/api/v1/wallets/{channel}/withdrawals")
    assert hooks.map_case(context, case).body == {"account_no": "x"}
    context, case = _case("positive", {"account_no": "x"})
    assert hooks.map_case(context, case).body["holder_name"] == PERSON["legal_name"]


@pytest.mark.parametrize(
    "query,expected",
    [
        (
            {"created_from": "2026-12-03T00:00:00Z", "created_to": "2026-12-02T00:00:00Z"},
            {"created_from": "2026-12-02T00:00:00Z", "created_to": "2026-12-03T00:00:00Z"},
        ),
        # 00:30 in Asia/Shanghai (no offset) is before 2026-12-02T17:00Z: already in order
        ({"created_from": "2026-12-03T00:30:00", "created_to": "2026-12-02T17:00:00Z"}, None),
        ({"created_from": "2026-12-03T00:00:00Z"}, None),
        ({"created_from": "not a time", "created_to": "2026-12-02T00:00:00Z"}, None),
    ],
)
def test_a_list_query_gets_its_date_range_the_right_way_round(query, expected):
    assert hooks.range_in_order(query) == (expected or query)


def test_only_positive_cases_of_the_list_get_their_range_put_in_order():
    reversed_range = {"created_from": "2026-12-03T00:00:00Z", "created_to": "2026-12-02T00:00:00Z", "q": "KS"}
    for mode, path, mapped in [
        ("positive", "/api/v1/aftersales", True),
        ("negative", "/api/v1/aftersales", False),
        ("positive", "/api/v1/cs/queue", False),
    ]:
        generation = SimpleNamespace(mode=SimpleNamespace(is_positive=mode == "positive"))
        case = SimpleNamespace(meta=SimpleNamespace(generation=generation), query=dict(reversed_range), body=None)
        context = SimpleNamespace(operation=SimpleNamespace(method="get", path=path))
        query = hooks.map_case(context, case).query
        assert (query["created_from"] < query["created_to"]) is mapped and query["q"] == "KS", (mode, path)


# ------------------------------------------------------------------------------------------ uploads

UPLOADS = ("/api/v1/aftersales/{aftersale_id}/messages", "/api/v1/aftersales/{aftersale_id}/evidence")


def _document() -> dict:
    from sellerdesk.api import api

    return api.get_openapi_schema()


def test_the_upload_samples_are_the_file_types_the_document_lists():
    document = _document()
    for path in UPLOADS:
        listed = hooks.part_content_types(document["paths"][path]["post"])
        assert sorted(listed) == ["files"]
        assert sorted(listed["files"]) == sorted(hooks.SAMPLE_FILES), path


@pytest.mark.parametrize("content_type", sorted(hooks.SAMPLE_FILES))
def test_each_upload_sample_is_a_file_the_server_accepts_as_its_type(content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sellerdesk.aftersales.files import check_files

    (checked,) = check_files([SimpleUploadedFile("files", hooks.SAMPLE_FILES[content_type])])
    assert checked.content_type == content_type


def test_schemathesis_upload_cases_carry_only_files_the_server_accepts_and_stay_positive():
    """Cases drawn by schemathesis itself from the document, with hooks.py loaded, as they would be
    sent: every file part is one of the listed types, and a schema-valid case stays labelled valid
    (so that its acceptance is what the fuzz checks)."""
    import schemathesis
    from django.core.files.uploadedfile import SimpleUploadedFile
    from hypothesis import HealthCheck, given, settings

    from sellerdesk.aftersales.files import check_files

    schema = schemathesis.openapi.from_dict(_document())
    sent, positive = [], 0
    for path in UPLOADS:
        operation = schema[path]["POST"]

        @given(case=operation.as_strategy(media_type="multipart/form-data"))
        @settings(
            max_examples=60, database=None, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            nonlocal positive
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            parts = [p for name, p in kwargs.get("files") or [] if name == "files"]
            uploads = [SimpleUploadedFile(p[0] or "files", getattr(p[1], "data", p[1])) for p in parts]
            checked = check_files(uploads)
            sent.extend(checked)
            positive += bool(parts) and case.meta.generation.mode.is_positive

        check()
    assert {c.content_type for c in sent} == set(hooks.SAMPLE_FILES)
    assert positive > 0
