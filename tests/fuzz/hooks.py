"""schemathesis hooks for tests/fuzz (loaded through SCHEMATHESIS_HOOKS by test_openapi_fuzz.py).

POST /wallets/{channel}/account-changes takes one of three body shapes (its schema's anyOf); what
JSON Schema cannot say, a client knows, and so does this hook for the schema-valid ("positive")
cases it is given:
- which shape the path's wallet takes: `anxin` and `wechat` a bank card, `alipay` an Alipay account;
- a personal card number ends with its Luhn check digit;
- the holder is the caller's subject, and the subject's kind decides corporate or personal
  (SELLERDESK_FUZZ_SUBJECT: the `subject` of the caller's GET /me, JSON, or `null`).
Only positive cases are changed, and they stay valid by the schema; negative ones are left alone.
GET /aftersales gets its `created_from` and `created_to` the right way round (range_in_order).
The password stays what schemathesis drew, so step-up refuses (401) what the checks let through:
the fuzz never changes a demo account. docs/decisions.md says why these rules stay 400/422.

The uploads (POST /aftersales/{id}/messages and /evidence, multipart) declare the file types the
server accepts as the `files` part's `encoding.contentType` (image/jpeg, image/png, image/webp,
video/mp4, application/pdf: aftersales/files.py's ALLOWED). schemathesis (4.32) cannot honour that
by itself: it only puts one of the listed types in the parts' Content-Type header, and draws the
bytes from `format: binary` (random bytes, or its own sample files, a GIF and a ZIP among them);
the server decides the type by the content's magic bytes and never reads that header, so a
schema-valid case got 415 unsupported_file_type (ST202). The other ways fail too:
- a media-type strategy (`schemathesis.openapi.media_type`) replaces the whole `files` array by
  one value, sent as a part without a filename (a text field to the server, not a file); in our
  runs no case carried a file at all;
- a map_case hook that swaps in real files: schemathesis re-validates a case a hook changed, and a
  body holding binary never validates (Case._validate_component), so every such case turned
  negative and a 201 for it was reported as "schema-violating request accepted" (ST201).
So `format: binary` itself is drawn from SAMPLE_FILES, a small real file of each listed type: the
content is always one the document lists (the part's header is still schemathesis's pick from the
same list, which the server does not read). test_hooks.py checks that SAMPLE_FILES is exactly the
document's list and that files.py accepts each sample as its type.
"""

import hashlib
import io
import json
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pikepdf
import schemathesis
from hypothesis import strategies as st
from PIL import Image

from sellerdesk.payouts.banks import ACCEPTED_NAMES

OPERATION = ("POST", "/wallets/{channel}/account-changes")
LIST = ("GET", "/aftersales")
SITE_ZONE = ZoneInfo("Asia/Shanghai")
BANK_CHANNELS = {"anxin", "wechat"}
CARD = re.compile(r"^[0-9]{12,19}$")
CORPORATE = re.compile(r"^[0-9]{9,30}$")
ALIPAY = re.compile(
    r"^((\+86)?1[3-9][0-9]{9}|[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*@"
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)
PRINTABLE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]")


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 60, 40)).save(buf, format=fmt)
    return buf.getvalue()


def _pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(72, 72))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


# A small real file of each type the uploads' encoding lists (test_hooks.py checks that they are
# the document's list and that aftersales/files.py accepts each one).
SAMPLE_FILES = {
    "image/jpeg": _image("JPEG"),
    "image/png": _image("PNG"),
    "image/webp": _image("WEBP"),
    "video/mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free",
    "application/pdf": _pdf(),
}


# Every `format: binary` value schemathesis draws (only the uploads' `files` items have that format).
schemathesis.openapi.format("binary", st.sampled_from(list(SAMPLE_FILES.values())))


def part_content_types(definition: dict) -> dict[str, list[str]]:
    """{form field: the media types its `encoding.contentType` lists} of an operation's multipart body."""
    content = ((definition.get("requestBody") or {}).get("content") or {}).get("multipart/form-data") or {}
    listed = {}
    for name, encoding in (content.get("encoding") or {}).items():
        raw = encoding.get("contentType") if isinstance(encoding, dict) else None
        if isinstance(raw, str):
            listed[name] = [t.strip() for t in raw.split(",") if t.strip()]
    return listed


def _subject() -> dict | None:
    return json.loads(os.environ.get("SELLERDESK_FUZZ_SUBJECT") or "null")


def luhn_check_digit(payload: str) -> str:
    """The digit that makes `payload` + digit pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, counting the check digit as the first
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def _digits(seed: str, length: int, drawn) -> str:
    """`length` digits: those schemathesis drew first, then digits derived from the case (stable on replay)."""
    have = "".join(ch for ch in str(drawn or "") if "0" <= ch <= "9")
    stream = hashlib.sha256(seed.encode()).hexdigest()
    more = "".join(str(int(c, 16) % 10) for c in stream * 2)
    return (have + more)[:length]


def card_number(drawn, seed: str) -> str:
    """A Luhn-valid personal card number: the drawn one with its check digit put right."""
    drawn = str(drawn or "")
    length = len(drawn) if CARD.match(drawn) else 16
    payload = _digits(seed, length - 1, drawn[:-1] if CARD.match(drawn) else drawn)
    return payload + luhn_check_digit(payload)


def corporate_number(drawn, seed: str) -> str:
    drawn = str(drawn or "")
    return drawn if CORPORATE.match(drawn) else _digits(seed, 17, drawn)


def acceptable_change(channel: str, body: dict, subject: dict | None) -> dict:
    """`body` made into one this caller's `channel` wallet can accept (still valid by the schema)."""
    body = dict(body)
    seed = json.dumps(body, sort_keys=True, default=str)
    if channel == "alipay":
        if not ALIPAY.match(str(body.get("alipay_account") or "")):
            body["alipay_account"] = "1" + "3" + _digits(seed, 9, None)
        return body
    if channel not in BANK_CHANNELS or subject is None:
        return body  # 404 wallet_not_found / 409 change_not_allowed: nothing in the body helps
    kind = subject.get("kind")
    if kind == "enterprise":
        corporate = True
    elif kind == "individual":
        corporate = False
    else:  # an individual business may bind either
        corporate = body.get("is_corporate") is True
    body["is_corporate"] = corporate
    drawn = body.get("account_no")
    if corporate:
        body["account_no"] = corporate_number(drawn, seed)
    elif not (CARD.match(str(drawn or "")) and luhn_valid(str(drawn))):
        body["account_no"] = card_number(drawn, seed)
    body["holder_name"] = subject["legal_name"]
    # A client picks 开户银行 from the list the document gives (banks.py); keep a drawn one if listed.
    if body.get("bank_name") not in ACCEPTED_NAMES:
        body["bank_name"] = "中国工商银行"
    return body


def _moment(value):
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    # the server reads a time without an offset as the site's (Asia/Shanghai)
    return moment if moment.tzinfo else moment.replace(tzinfo=SITE_ZONE)


def range_in_order(query: dict) -> dict:
    """GET /aftersales: `created_from` and `created_to` the right way round. A range whose start is
    after its end can hold nothing, which JSON Schema cannot say of two parameters; the server
    refuses it (422 invalid_date_range) rather than answer an empty list, and a client knows it."""
    start, end = _moment(query.get("created_from")), _moment(query.get("created_to"))
    if start is None or end is None or start <= end:
        return query
    return {**query, "created_from": query["created_to"], "created_to": query["created_from"]}


@schemathesis.hook
def map_case(context, case):
    operation = context.operation
    meta = case.meta
    if operation is None or meta is None or not meta.generation.mode.is_positive:
        return case
    method = operation.method.upper()
    if method == LIST[0] and operation.path.endswith(LIST[1]) and isinstance(case.query, dict):
        case.query = range_in_order(case.query)
        return case
    if method != OPERATION[0] or not operation.path.endswith(OPERATION[1]) or not isinstance(case.body, dict):
        return case
    channel = (case.path_parameters or {}).get("channel")
    case.body = acceptable_change(str(channel), case.body, _subject())
    return case
