"""Issue 10: an attack corpus posted through the real evidence endpoint (POST /aftersales/{id}/evidence).

Every file is made here, in memory. Each one is refused with its coded error and leaves nothing
behind, or is neutralised (re-encoded, renamed) and then only ever served as a download that no
browser renders or sniffs.
"""

import io
import os
import struct
import zlib

import pikepdf
import pytest
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from PIL import Image

from sellerdesk.aftersales import actions, files
from sellerdesk.aftersales.actions import evidence as evidence_action
from sellerdesk.aftersales.models import Attachment
from sellerdesk.core import clock
from sellerdesk.core.errors import Conflict

from .test_api_authorization import assert_error, bring_to, snapshot

# ------------------------------------------------------------------------------------------ helpers


def upload(content: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(content)
    buf.name = name
    return buf


def png_data(size=(16, 16), mode="RGB", color=(10, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format="PNG")
    return buf.getvalue()


def patch_png_size(png: bytes, width: int, height: int) -> bytes:
    """The same PNG claiming another size in its header (with a correct CRC)."""
    ihdr = struct.pack(">II", width, height) + png[24:29]
    return png[:8] + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + png[33:]


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>"
JS_ACTION = b"<< /S /JavaScript /JS (app.alert(document.cookie)) >>"


def hex_encode(data: bytes) -> bytes:
    return data.hex().encode() + b">"


def pdf_doc(
    objects: dict[int, bytes],
    *,
    packed: dict[int, bytes] | None = None,
    packed_filter: bytes = b"/FlateDecode",
    encode=zlib.compress,
) -> bytes:
    """A well-formed PDF 1.7 with a cross-reference stream. `objects` are written as they are
    (1 is the catalog); `packed` objects go compressed into one object stream whose /Filter is
    `packed_filter` and whose data is `encode(...)` of the objects."""
    packed = packed or {}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    xref: dict[int, tuple[int, int, int]] = {}
    for num, body in objects.items():
        xref[num] = (1, len(out), 0)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    size = max([*objects, *packed]) + 1
    if packed:
        stm, size = size, size + 1
        header, data = b"", b""
        for i, (num, body) in enumerate(packed.items()):
            header += b"%d %d " % (num, len(data))
            data += body + b"\n"
            xref[num] = (2, stm, i)
        payload = encode(header + data)
        xref[stm] = (1, len(out), 0)
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\nstream\n"
            % (stm, len(packed), len(header), packed_filter, len(payload))
            + payload
            + b"\nendstream\nendobj\n"
        )
    xref_num, size = size, size + 1
    xref[xref_num] = (1, len(out), 0)
    rows = b"".join(struct.pack(">BIH", *xref.get(n, (0, 0, 65535 if n == 0 else 0))) for n in range(size))
    at = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_num, size, len(rows))
        + rows
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % at
    )
    return bytes(out)


def plain_pdf(catalog: bytes = CATALOG, page: bytes = PAGE, **extra: bytes) -> bytes:
    return pdf_doc({1: catalog, 2: PAGES, 3: page, **{int(k[1:]): v for k, v in extra.items()}})


def post_evidence(api_as, w, a, *uploads, key=None):
    return api_as(w.merchant).post(
        f"/aftersales/{a.pk}/evidence", {"statement": "发货凭证"}, files=list(uploads), key=key
    )


def stored_files(settings) -> list[str]:
    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    return sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names)


@pytest.fixture
def case(world):
    return bring_to(world, "dispute_awaiting_evidence")


def assert_refused(response, a, before, settings, status, code):
    assert_error(response, status, code)
    assert snapshot(a) == before
    assert stored_files(settings) == []


def assert_served_as_download(api_as, w, attachment):
    response = api_as(w.buyer).get(f"/attachments/{attachment.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{attachment.pk}{attachment.extension}"'
    assert response["Content-Type"] == attachment.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    return b"".join(response.streaming_content)


# ------------------------------------------------------------------------------ PDFs: active content

FILTERS = {
    "FlateDecode": (b"/FlateDecode", zlib.compress),
    "Fl": (b"/Fl", zlib.compress),
    "ASCIIHexDecode": (b"/ASCIIHexDecode", hex_encode),
    "AHx": (b"/AHx", hex_encode),
    "ASCIIHex then Flate": (b"[/ASCIIHexDecode /FlateDecode]", lambda d: hex_encode(zlib.compress(d))),
    "AHx then Fl": (b"[/AHx /Fl]", lambda d: hex_encode(zlib.compress(d))),
    "indirect /Filter": (b"9 0 R", zlib.compress),
}


@pytest.mark.parametrize("label", FILTERS)
def test_pdf_javascript_is_refused_behind_every_filter_in_an_object_stream(world, api_as, case, settings, label):
    # given a PDF whose open action is JavaScript packed in an object stream behind that filter
    packed_filter, encode = FILTERS[label]
    pdf = pdf_doc(
        {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", 2: PAGES, 3: PAGE, 9: b"/FlateDecode"},
        packed={4: JS_ACTION},
        packed_filter=packed_filter,
        encode=encode,
    )
    assert b"JavaScript" not in pdf
    before = snapshot(case)

    response = post_evidence(api_as, world, case, upload(pdf, "invoice.pdf"))

    assert_refused(response, case, before, settings, 415, "unsafe_pdf")
    assert response.json()["error"]["details"]["found"] in {"/JavaScript", "/JS"}


@pytest.mark.parametrize("label", FILTERS)
def test_pdf_javascript_stream_is_refused_behind_every_filter(world, api_as, case, settings, label):
    # the script itself in a stream (/JS 5 0 R) encoded with that filter
    packed_filter, encode = FILTERS[label]
    script = encode(b"app.launchURL('https://evil.example/')")
    pdf = plain_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(a) 4 0 R] >> >> >>",
        o4=b"<< /S /JavaScript /JS 5 0 R >>",
        o5=b"<< /Filter %s /Length %d >>\nstream\n" % (packed_filter, len(script)) + script + b"\nendstream",
        o9=b"/FlateDecode",
    )
    before = snapshot(case)

    response = post_evidence(api_as, world, case, upload(pdf, "invoice.pdf"))

    assert_refused(response, case, before, settings, 415, "unsafe_pdf")


ACTIVE = {
    "JavaScript open action": (b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (x) >> >>", PAGE),
    "URI open action": (b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (https://e.example) >> >>", PAGE),
    "javascript: link": (
        CATALOG,
        PAGE[:-2] + b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (javascript:alert(1)) >> >>] >>",
    ),
    "file: link": (
        CATALOG,
        PAGE[:-2] + b"/Annots [<< /Subtype /Link /A << /S /URI /URI (file:///etc/passwd) >> >>] >>",
    ),
    "SubmitForm": (
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [<< /T (a) /A << /S /SubmitForm "
        b"/F (https://e.example) >> >>] >> >>",
        PAGE,
    ),
    "ImportData": (CATALOG, PAGE[:-2] + b"/Annots [<< /Subtype /Link /A << /S /ImportData /F (x.fdf) >> >>] >>"),
    "page additional action": (CATALOG, PAGE[:-2] + b"/AA << /O << /S /Named /N /NextPage >> >> >>"),
    "Launch": (CATALOG, PAGE[:-2] + b"/Annots [<< /Subtype /Link /A << /S /Launch /F (cmd.exe) >> >>] >>"),
    "RichMedia": (CATALOG, PAGE[:-2] + b"/Annots [<< /Subtype /RichMedia /Rect [0 0 9 9] >>] >>"),
    "embedded file": (b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [] >> >> >>", PAGE),
    "file attachment": (CATALOG, PAGE[:-2] + b"/Annots [<< /Subtype /FileAttachment /FS << /F (a.exe) >> >>] >>"),
    "XFA form": (b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA [] >> >>", PAGE),
    "remote go-to": (
        CATALOG,
        PAGE[:-2] + b"/Annots [<< /Subtype /Link /A << /S /GoToR /F (\\\\\\\\evil\\\\x.pdf) >> >>] >>",
    ),
    "name in hex escapes": (b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (x) >> >>", PAGE),
}


@pytest.mark.parametrize("label", ACTIVE)
def test_pdf_active_content_is_refused(world, api_as, case, settings, label):
    catalog, page = ACTIVE[label]
    before = snapshot(case)

    response = post_evidence(api_as, world, case, upload(plain_pdf(catalog, page), "waybill.pdf"))

    assert_refused(response, case, before, settings, 415, "unsafe_pdf")


def test_pdf_with_web_links_and_an_open_at_page_is_accepted_and_stored_as_sent(world, api_as, case):
    # an e-invoice links to the tax office's verification site; plain links stay allowed
    pdf = plain_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
        PAGE[:-2] + b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (https://inv-veri.chinatax.gov.cn/) >> >>] >>",
    )

    response = post_evidence(api_as, world, case, upload(pdf, "发票.pdf"))

    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(aftersale=case, evidence__isnull=False)
    assert attachment.content_type == "application/pdf"
    assert assert_served_as_download(api_as, world, attachment) == pdf


def test_encrypted_pdf_is_refused(world, api_as, case, settings):
    for owner_only in (False, True):  # a password to open it, or only restrictions (empty user password)
        pdf = pikepdf.new()
        pdf.add_blank_page()
        buf = io.BytesIO()
        pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user="" if owner_only else "u"))
        before = snapshot(case)

        response = post_evidence(api_as, world, case, upload(buf.getvalue(), "locked.pdf"))

        assert_refused(response, case, before, settings, 415, "encrypted_pdf")


UNREADABLE = {
    "garbage after the header": lambda: b"%PDF-1.7\n" + os.urandom(2000),
    "truncated": lambda: plain_pdf()[:60],
    "object stream with an unknown filter": lambda: pdf_doc(
        {1: CATALOG, 2: PAGES, 3: PAGE}, packed={4: JS_ACTION}, packed_filter=b"/Rot13Decode", encode=lambda d: d
    ),
    "object stream that does not inflate": lambda: pdf_doc(
        {1: CATALOG, 2: PAGES, 3: PAGE}, packed={4: JS_ACTION}, encode=lambda d: b"not zlib" + d
    ),
}


@pytest.mark.parametrize("label", UNREADABLE)
def test_unreadable_pdf_is_refused_as_corrupt(world, api_as, case, settings, label):
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(UNREADABLE[label](), "scan.pdf"))
    assert_refused(response, case, before, settings, 415, "corrupt_file")


def test_pdf_object_stream_bomb_is_refused_without_unpacking_it(world, api_as, case, settings):
    # 200 KB that would inflate to 200 MB inside an object stream
    bomb = zlib.compress(b"4 0 " + b" " * (200 * 1024 * 1024), 9)
    pdf = pdf_doc({1: CATALOG, 2: PAGES, 3: PAGE}, packed={4: b"null"}, encode=lambda d: bomb)
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(pdf, "bomb.pdf"))
    assert_refused(response, case, before, settings, 415, "corrupt_file")


# ----------------------------------------------------------------------------- polyglots and disguises


def test_svg_with_script_is_refused(world, api_as, case, settings):
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>fetch('/api/v1/me')</script></svg>"
    )
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(svg, "photo.svg"))
    assert_refused(response, case, before, settings, 415, "unsupported_file_type")


def test_html_renamed_jpg_is_refused(world, api_as, case, settings):
    before = snapshot(case)
    response = post_evidence(
        api_as, world, case, upload(b"<!doctype html><script>alert(document.cookie)</script>", "photo.jpg")
    )
    assert_refused(response, case, before, settings, 415, "unsupported_file_type")


def test_html_in_front_of_a_pdf_is_refused(world, api_as, case, settings):
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(b"<html><script>alert(1)</script>" + plain_pdf(), "a.pdf"))
    assert_refused(response, case, before, settings, 415, "unsupported_file_type")


def test_png_with_html_appended_is_re_encoded_without_it(world, api_as, case):
    polyglot = png_data() + b"<html><script>alert(1)</script></html>"

    response = post_evidence(api_as, world, case, upload(polyglot, "proof.png"))

    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(aftersale=case, evidence__isnull=False)
    served = assert_served_as_download(api_as, world, attachment)
    assert served.startswith(b"\x89PNG\r\n\x1a\n") and served.endswith(b"IEND\xaeB`\x82")
    assert b"<html" not in served


def test_pdf_html_polyglot_is_only_ever_a_download(world, api_as, case):
    # a valid PDF that is also an HTML page once sniffed: kept byte for byte, but never rendered
    polyglot = plain_pdf().replace(b"%\xe2\xe3\xcf\xd3\n", b"%<html><script>alert(1)</script></html>\n")

    response = post_evidence(api_as, world, case, upload(polyglot, "invoice.html"))

    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(aftersale=case, evidence__isnull=False)
    assert (attachment.content_type, attachment.extension) == ("application/pdf", ".pdf")
    assert assert_served_as_download(api_as, world, attachment) == polyglot


def test_mp4_html_polyglot_is_only_ever_a_download(world, api_as, case):
    html = b"<html><script>alert(1)</script></html>"
    polyglot = (
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
        + struct.pack(">I", 8 + len(html))
        + b"free"
        + html
        + b"\x00\x00\x00\x10mdat"
        + b"\x00" * 8
    )

    response = post_evidence(api_as, world, case, upload(polyglot, "clip.html"))

    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(aftersale=case, evidence__isnull=False)
    assert (attachment.content_type, attachment.extension) == ("video/mp4", ".mp4")
    assert assert_served_as_download(api_as, world, attachment) == polyglot


# ------------------------------------------------------------------------------------ images and sizes


def test_decompression_bomb_is_refused(world, api_as, case, settings):
    bomb = png_data(size=(8000, 6000), mode="1", color=0)  # 48 Mpx in a few KB
    assert len(bomb) < 100_000
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(bomb, "bomb.png"))
    assert_refused(response, case, before, settings, 415, "image_too_large_in_pixels")


def test_huge_dimension_image_is_refused_before_decoding(world, api_as, case, settings):
    huge = patch_png_size(png_data(), 100_000, 100_000)
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(huge, "huge.png"))
    assert_refused(response, case, before, settings, 415, "image_too_large_in_pixels")


def test_zero_byte_file_is_refused(world, api_as, case, settings):
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(b"", "empty.png"))
    assert_refused(response, case, before, settings, 415, "unsupported_file_type")


def test_truncated_image_is_refused_as_corrupt(world, api_as, case, settings):
    image = io.BytesIO()
    Image.effect_noise((256, 256), 50).save(image, format="PNG")
    before = snapshot(case)
    response = post_evidence(api_as, world, case, upload(image.getvalue()[:-2000], "cut.png"))
    assert_refused(response, case, before, settings, 415, "corrupt_file")


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("../../../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\win.ini.png", "win.ini.png"),
        ("evil\x1b[31mred\x07.png", "evil[31mred.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
    ],
)
def test_path_traversal_and_control_characters_in_file_names_never_reach_the_disk(world, api_as, case, raw, shown):
    response = post_evidence(api_as, world, case, upload(png_data(), raw))

    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(aftersale=case, evidence__isnull=False)
    assert attachment.original_name == shown
    # the stored name is ours: no part of the uploader's name, under the storage root
    assert ".." not in attachment.file.name and "\\" not in attachment.file.name
    assert shown.rsplit(".", 1)[0] not in attachment.file.name
    assert_served_as_download(api_as, world, attachment)


# --------------------------------------------------------------- the work an upload may cost (finding 2)


def test_a_submission_decodes_at_most_its_pixel_budget(world, api_as, case, settings, monkeypatch):
    # PNG counts twice (slower to decode and encode than JPEG)
    monkeypatch.setattr(files, "MAX_REQUEST_PIXELS", 2 * 2 * 64 * 64)
    before = snapshot(case)
    response = post_evidence(api_as, world, case, *[upload(png_data((64, 64)), f"{i}.png") for i in range(3)])
    assert_refused(response, case, before, settings, 413, "too_many_pixels")
    assert response.json()["error"]["details"] == {
        "file": "2.png",
        "index": 2,
        "pixels": 2 * 3 * 64 * 64,
        "limit_pixels_per_submission": 2 * 2 * 64 * 64,
    }


def test_large_images_are_downscaled_and_phone_photos_kept_as_they_are(world, api_as, case):
    photo_12mp = io.BytesIO()
    Image.new("RGB", (4032, 3024), (90, 90, 90)).save(photo_12mp, format="JPEG")
    wide_24mp = io.BytesIO()
    Image.new("RGB", (6000, 4000), (90, 90, 90)).save(wide_24mp, format="JPEG")

    response = post_evidence(
        api_as, world, case, upload(photo_12mp.getvalue(), "phone.jpg"), upload(wide_24mp.getvalue(), "camera.jpg")
    )

    assert response.status_code == 200, response.content
    sizes = []
    for attachment in Attachment.objects.filter(aftersale=case, evidence__isnull=False).order_by("id"):
        with attachment.file.open("rb") as fh, Image.open(fh) as im:
            sizes.append(im.size)
    assert sizes[0] == (4032, 3024)
    width, height = sizes[1]
    assert width * height <= files.MAX_STORED_PIXELS and abs(width / height - 1.5) < 0.01


# ------------------------------------------------------------------- bad requests (finding 3)


def test_json_body_over_2_mb_is_413_with_the_api_error_body(world, api_as, case):
    response = api_as(world.merchant).post(
        f"/aftersales/{case.pk}/reject", raw='{"reason": "' + "x" * (3 * 1024 * 1024) + '"}'
    )
    assert_error(response, 413, "request_too_large")
    assert response.json()["error"]["details"] == {"limit_bytes": 2 * 1024 * 1024}


def test_form_field_over_2_mb_is_413_with_the_api_error_body(world, api_as, case, settings):
    before = snapshot(case)
    response = api_as(world.merchant).post(
        f"/aftersales/{case.pk}/evidence", {"statement": "x" * (3 * 1024 * 1024)}, files=[upload(png_data(), "a.png")]
    )
    assert_refused(response, case, before, settings, 413, "request_too_large")


def test_more_files_than_django_parses_is_too_many_files(world, api_as, case, settings):
    before = snapshot(case)
    response = post_evidence(api_as, world, case, *[upload(b"x", f"{i}.png") for i in range(101)])
    assert_refused(response, case, before, settings, 400, "too_many_files")


def test_oversize_body_with_an_idempotency_key_is_413_with_the_api_error_body(world, api_as, case):
    response = api_as(world.merchant).post(
        f"/aftersales/{case.pk}/reject", key="k-413", raw='{"reason": "' + "x" * (3 * 1024 * 1024) + '"}'
    )
    assert_error(response, 413, "request_too_large")


# ------------------------------------------------------------ all or nothing on the file store (finding 3)


def test_a_full_file_store_is_503_and_leaves_no_file(world, api_as, case, settings, monkeypatch):
    saved = []
    real_save = FileSystemStorage._save

    def save_once_then_full(self, name, content):
        if saved:
            raise OSError(28, "No space left on device")
        saved.append(real_save(self, name, content))
        return saved[-1]

    monkeypatch.setattr(FileSystemStorage, "_save", save_once_then_full)
    before = snapshot(case)

    response = post_evidence(api_as, world, case, upload(png_data(), "1.png"), upload(png_data(), "2.png"))

    assert len(saved) == 1  # the first file was written before the store filled up
    assert_refused(response, case, before, settings, 503, "file_store_unavailable")


def test_evidence_refused_after_its_files_were_stored_leaves_no_file(world, api_as, case, settings, monkeypatch):
    def conflict(*args, **kwargs):
        raise Conflict("Someone else changed this after-sale at the same moment.", code="concurrent_update")

    monkeypatch.setattr(evidence_action, "publish", conflict)  # fails after store_files
    before = snapshot(case)

    response = post_evidence(api_as, world, case, upload(png_data(), "1.png"), upload(png_data(), "2.png"))

    assert_refused(response, case, before, settings, 409, "concurrent_update")


def test_files_of_a_rolled_back_transaction_are_deleted(world, case, settings):
    with transaction.atomic():
        actions.do_submit_evidence(
            case.pk,
            statement="凭证",
            uploads=[upload(png_data(), "a.png")],
            acting_user=world.merchant,
            now=clock.now(),
        )
        assert len(stored_files(settings)) == 1
        transaction.set_rollback(True)  # e.g. the request answered 5xx afterwards

    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_files_of_a_committed_submission_stay(world, case, settings):
    actions.do_submit_evidence(
        case.pk, statement="凭证", uploads=[upload(png_data(), "a.png")], acting_user=world.merchant, now=clock.now()
    )

    [attachment] = Attachment.objects.filter(aftersale=case, evidence__isnull=False)
    assert stored_files(settings) == [
        os.path.join(settings.STORAGES["default"]["OPTIONS"]["location"], attachment.file.name)
    ]
