"""The checking of uploaded evidence files and statements (sellerdesk.aftersales.files).

Plain pytest, no database: uploads are SimpleUploadedFile objects and the images are made in memory
with Pillow.
"""

import hashlib
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from sellerdesk.aftersales import files
from sellerdesk.aftersales.files import (
    ALLOWED,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_IMAGE_PIXELS,
    MAX_STATEMENT_CHARS,
    MAX_VIDEO_BYTES,
    CheckedFile,
    check_files,
    check_statement,
)
from sellerdesk.core.errors import InvalidInput, TooLarge, UnsupportedMediaType


@pytest.fixture(autouse=True)
def english():
    """The messages asserted below are read in English (they are Chinese by default, see error_codes.py)."""
    from django.utils import translation

    with translation.override("en"):
        yield


GPS_IFD = 0x8825
ORIENTATION = 0x0112

# ------------------------------------------------------------------------------------------ helpers


def make_image(fmt: str, size=(64, 48), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt, **save)
    return buf.getvalue()


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretPhone 9"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (31.0, 14.0, 12.5)  # GPSLatitude
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (121.0, 28.0, 45.0)  # GPSLongitude
    return exif


def jpeg_with_gps(size=(64, 48), orientation=None) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(
        buf, format="JPEG", exif=exif_with_gps(orientation), comment=b"shot at home"
    )
    return buf.getvalue()


# One page and no cross-reference table: PDFs are parsed (qpdf) and this one is recovered, which
# also lets the tests below splice objects in without fixing offsets.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [5 0 R] /Count 1 >>\nendobj\n"
    b"5 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free\x00\x00\x00\x10mdat" + b"\x00" * 8


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class CountingBytesIO(io.BytesIO):
    """Remembers how many bytes were read from it."""

    bytes_read = 0

    def read(self, n=-1):
        data = super().read(n)
        self.bytes_read += len(data)
        return data


def counting_upload(name: str, content: bytes, declared_size: int):
    up = upload(name, b"")
    up.file = CountingBytesIO(content)
    up.size = declared_size
    return up


def one(content: bytes, name: str = "evidence", content_type="application/octet-stream") -> CheckedFile:
    [checked] = check_files([upload(name, content, content_type)])
    return checked


def refused(exc_type, content: bytes, name: str = "evidence"):
    with pytest.raises(exc_type) as info:
        check_files([upload(name, content)])
    return info.value


def patch_png_size(png: bytes, width: int, height: int) -> bytes:
    """Rewrite the IHDR of a PNG to claim another size (with a correct CRC)."""
    assert png[12:16] == b"IHDR"
    ihdr = struct.pack(">II", width, height) + png[24:29]
    return png[:8] + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + png[33:]


# ------------------------------------------------------------------------------------- valid files


@pytest.mark.parametrize(
    "fmt, content_type, extension",
    [
        ("JPEG", "image/jpeg", ".jpg"),
        ("PNG", "image/png", ".png"),
        ("WEBP", "image/webp", ".webp"),
    ],
)
def test_allowed_images_are_accepted_with_type_and_extension_from_content(fmt, content_type, extension):
    checked = one(make_image(fmt), name=f"photo{extension}", content_type=content_type)
    assert checked.content_type == content_type
    assert checked.extension == extension == ALLOWED[content_type]
    assert checked.original_name == f"photo{extension}"
    with Image.open(io.BytesIO(checked.content)) as im:
        assert im.format == fmt
        assert im.size == (64, 48)


def test_pdf_is_accepted_and_kept_byte_for_byte():
    checked = one(PDF, name="invoice.pdf")
    assert (checked.content_type, checked.extension) == ("application/pdf", ".pdf")
    assert checked.content == PDF


def test_mp4_is_accepted_and_kept_byte_for_byte():
    checked = one(MP4, name="unboxing.mp4")
    assert (checked.content_type, checked.extension) == ("video/mp4", ".mp4")
    assert checked.content == MP4


def test_size_and_sha256_describe_the_stored_content():
    checked = one(make_image("PNG"), name="a.png")
    assert checked.size == len(checked.content)
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()


def test_files_are_returned_in_the_order_given():
    checked = check_files([upload("a.pdf", PDF), upload("b.mp4", MP4), upload("c.png", make_image("PNG"))])
    assert [c.original_name for c in checked] == ["a.pdf", "b.mp4", "c.png"]
    assert [c.extension for c in checked] == [".pdf", ".mp4", ".png"]


def test_no_files_is_fine_when_not_required():
    assert check_files([]) == []
    assert check_files(None) == []


# ---------------------------------------------------------------------------------- type by content


def test_type_is_decided_by_content_not_by_name():
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    err = refused(UnsupportedMediaType, html, name="photo.jpg")
    assert (err.status, err.code) == (415, "unsupported_file_type")
    assert err.details["file"] == "photo.jpg"
    assert '"photo.jpg"' in err.message


def test_type_is_not_taken_from_the_client_content_type():
    with pytest.raises(UnsupportedMediaType) as info:
        check_files([upload("photo.jpg", b"<html><script>x()</script></html>", "image/jpeg")])
    assert info.value.code == "unsupported_file_type"


def test_misnamed_allowed_file_is_stored_under_the_extension_of_its_content():
    checked = one(make_image("PNG"), name="photo.jpg", content_type="image/jpeg")
    assert (checked.content_type, checked.extension) == ("image/png", ".png")
    assert checked.original_name == "photo.jpg"


def test_text_file_named_pdf_is_refused():
    err = refused(UnsupportedMediaType, b"just some text, honestly a PDF\n", name="evidence.pdf")
    assert (err.status, err.code) == (415, "unsupported_file_type")


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",  # GIF: a real image, not allowed
        b"PK\x03\x04" + b"\x00" * 40,  # ZIP
        b"MZ\x90\x00" + b"\x00" * 60,  # Windows executable
    ],
)
def test_types_outside_the_allow_list_are_refused(content):
    assert refused(UnsupportedMediaType, content, name="x.png").code == "unsupported_file_type"


def test_empty_file_is_refused():
    err = refused(UnsupportedMediaType, b"", name="empty.jpg")
    assert err.code == "unsupported_file_type"
    assert "empty" in err.message


# ---------------------------------------------------------------------------- images are re-encoded


def test_jpeg_exif_and_gps_metadata_are_stripped():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as im:  # the fixture really carries GPS data
        assert im.getexif().get_ifd(GPS_IFD)
        assert "comment" in im.info
    checked = one(original, name="IMG_0001.JPG")
    with Image.open(io.BytesIO(checked.content)) as im:
        assert im.format == "JPEG"
        assert len(im.getexif()) == 0
        assert not im.getexif().get_ifd(GPS_IFD)
        assert "exif" not in im.info and "comment" not in im.info and "icc_profile" not in im.info
    assert b"Exif" not in checked.content
    assert b"SecretPhone" not in checked.content and b"shot at home" not in checked.content


def test_exif_orientation_is_applied_before_the_metadata_is_dropped():
    # stored 64x48 landscape, orientation 6 = "rotate 90° clockwise to display"
    checked = one(jpeg_with_gps(size=(64, 48), orientation=6), name="portrait.jpg")
    with Image.open(io.BytesIO(checked.content)) as im:
        assert im.size == (48, 64)
        assert ORIENTATION not in im.getexif()


def test_png_text_chunks_and_icc_profile_are_stripped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 Secret Road")
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(
        buf, format="PNG", pnginfo=info, icc_profile=b"\x00" * 128, exif=exif_with_gps()
    )
    checked = one(buf.getvalue(), name="screenshot.png")
    with Image.open(io.BytesIO(checked.content)) as im:
        assert "Comment" not in im.info and "icc_profile" not in im.info and "exif" not in im.info
    for chunk in (b"tEXt", b"iCCP", b"eXIf", b"Secret Road"):
        assert chunk not in checked.content


def test_webp_metadata_is_stripped():
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buf, format="WEBP", exif=exif_with_gps())
    checked = one(buf.getvalue(), name="pic.webp")
    assert checked.content_type == "image/webp"
    with Image.open(io.BytesIO(checked.content)) as im:
        assert "exif" not in im.info
    assert b"EXIF" not in checked.content and b"SecretPhone" not in checked.content


def test_html_appended_after_png_iend_is_accepted_but_dropped():
    png = make_image("PNG") + b"<html><script>alert(1)</script></html>"
    checked = one(png, name="innocent.png")
    assert checked.content_type == "image/png"
    assert b"<html>" not in checked.content and b"<script>" not in checked.content
    assert checked.content.endswith(b"IEND\xaeB`\x82")


def test_bytes_appended_after_jpeg_end_are_dropped():
    checked = one(make_image("JPEG") + b"<?php system($_GET['c']); ?>", name="a.jpg")
    assert b"<?php" not in checked.content
    assert checked.content.endswith(b"\xff\xd9")


def test_cmyk_jpeg_is_stored_as_rgb():
    checked = one(make_image("JPEG", mode="CMYK", color=(0, 255, 255, 0)), name="print.jpg")
    with Image.open(io.BytesIO(checked.content)) as im:
        assert im.mode == "RGB"


def test_palette_png_keeps_its_transparency():
    im = Image.new("P", (16, 16), 0)
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    im.putpixel((0, 0), 1)
    buf = io.BytesIO()
    im.save(buf, format="PNG", transparency=0)
    checked = one(buf.getvalue(), name="icon.png")
    with Image.open(io.BytesIO(checked.content)) as out:
        out = out.convert("RGBA")
        assert out.getpixel((5, 5))[3] == 0  # was the transparent palette entry
        assert out.getpixel((0, 0)) == (0, 255, 0, 255)


def test_corrupt_image_is_refused():
    truncated = make_image("PNG", size=(200, 200), mode="RGB", color=None)[:120]
    err = refused(UnsupportedMediaType, truncated, name="broken.png")
    assert (err.status, err.code) == (415, "corrupt_file")
    assert err.details["file"] == "broken.png"


def test_jpeg_magic_followed_by_garbage_is_refused_as_corrupt():
    err = refused(UnsupportedMediaType, b"\xff\xd8\xff\xe0" + b"not a jpeg at all" * 10, name="x.jpg")
    assert err.code == "corrupt_file"


# -------------------------------------------------------------------------------------- pixel bombs


def test_pixel_bomb_is_refused_before_decoding(monkeypatch):
    bomb = patch_png_size(make_image("PNG", size=(1, 1), mode="1", color=0), 50_000, 50_000)
    assert len(bomb) < 100
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("a pixel bomb must not be decoded"))
    err = refused(UnsupportedMediaType, bomb, name="bomb.png")
    assert (err.status, err.code) == (415, "image_too_large_in_pixels")
    assert err.details["limit_pixels"] == MAX_IMAGE_PIXELS
    assert err.details["file"] == "bomb.png"
    assert "bomb.png" in err.message and "40,000,000" in err.message


def test_image_over_our_pixel_cap_but_under_pillows_is_refused_before_decoding(monkeypatch):
    # 8000 x 6000 = 48 M pixels: over our 40 M cap, under Pillow's own warning threshold
    bomb = patch_png_size(make_image("PNG", size=(1, 1), mode="1", color=0), 8000, 6000)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("an over-cap image must not be decoded"))
    err = refused(UnsupportedMediaType, bomb, name="big.png")
    assert err.code == "image_too_large_in_pixels"
    assert (err.details["width"], err.details["height"]) == (8000, 6000)


def test_real_highly_compressible_pixel_bomb_is_refused():
    bomb = make_image("PNG", size=(20_000, 20_000), mode="1", color=0)
    assert len(bomb) < MAX_FILE_BYTES // 10
    assert refused(UnsupportedMediaType, bomb, name="zeros.png").code == "image_too_large_in_pixels"


def test_image_at_the_pixel_cap_is_accepted(monkeypatch):
    monkeypatch.setattr(files, "MAX_IMAGE_PIXELS", 64 * 48)
    assert one(make_image("PNG", size=(64, 48)), name="ok.png").content_type == "image/png"
    monkeypatch.setattr(files, "MAX_IMAGE_PIXELS", 64 * 48 - 1)
    assert refused(UnsupportedMediaType, make_image("PNG", size=(64, 48))).code == "image_too_large_in_pixels"


# -------------------------------------------------------------------------------------------- sizes


def test_file_over_every_cap_is_refused_without_reading_it():
    up = counting_upload("huge.jpg", make_image("JPEG"), declared_size=MAX_VIDEO_BYTES + 1)
    with pytest.raises(TooLarge) as info:
        check_files([up])
    assert (info.value.status, info.value.code) == (413, "file_too_large")
    assert up.file.bytes_read == 0
    assert info.value.details["file"] == "huge.jpg"


def test_image_over_its_cap_is_refused_after_reading_only_its_first_bytes():
    up = counting_upload("big.jpg", make_image("JPEG"), declared_size=MAX_FILE_BYTES + 1)
    with pytest.raises(TooLarge) as info:
        check_files([up])
    err = info.value
    assert (err.status, err.code) == (413, "file_too_large")
    assert up.file.bytes_read <= 8192
    assert err.details["limit_bytes"] == MAX_FILE_BYTES and err.details["size"] == MAX_FILE_BYTES + 1
    assert '"big.jpg"' in err.message and "10 MB" in err.message


def test_mp4_may_be_bigger_than_the_image_cap():
    video = MP4 + b"\x00" * (MAX_FILE_BYTES + 1)
    checked = one(video, name="long.mp4")
    assert checked.content_type == "video/mp4" and checked.size == len(video)


def test_mp4_over_its_cap_is_refused():
    up = counting_upload("long.mp4", MP4, declared_size=MAX_VIDEO_BYTES + 1)
    with pytest.raises(TooLarge) as info:
        check_files([up])
    assert info.value.details["limit_bytes"] == MAX_VIDEO_BYTES
    assert up.file.bytes_read == 0


def test_a_declared_size_that_lies_cannot_get_past_the_cap():
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_FILE_BYTES
    up = counting_upload("liar.png", fake_png, declared_size=100)
    with pytest.raises(TooLarge) as info:
        check_files([up])
    assert info.value.code == "file_too_large"
    assert up.file.bytes_read <= MAX_FILE_BYTES + 64 * 1024


# ------------------------------------------------------------------------------------------- counts


def test_too_many_files_are_refused():
    with pytest.raises(InvalidInput) as info:
        check_files([upload(f"{i}.pdf", PDF) for i in range(MAX_FILES + 1)])
    err = info.value
    assert (err.status, err.code) == (400, "too_many_files")
    assert err.details == {"count": MAX_FILES + 1, "limit_files": MAX_FILES}


def test_the_maximum_number_of_files_is_accepted():
    assert len(check_files([upload(f"{i}.pdf", PDF) for i in range(MAX_FILES)])) == MAX_FILES


def test_files_are_required_when_the_caller_says_so():
    with pytest.raises(InvalidInput) as info:
        check_files([], required=True)
    assert (info.value.status, info.value.code) == (400, "files_required")


# --------------------------------------------------------------------------------------------- PDFs


@pytest.mark.parametrize("token", [b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/EmbeddedFiles"])
def test_pdf_with_scripts_launch_actions_or_embedded_files_is_refused(token):
    pdf = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << " + token + b" (x) >>")
    err = refused(UnsupportedMediaType, pdf, name="contract.pdf")
    assert (err.status, err.code) == (415, "unsafe_pdf")
    assert err.details["file"] == "contract.pdf"
    assert err.details["found"] == token.decode()


def test_pdf_with_javascript_is_refused():
    pdf = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    err = refused(UnsupportedMediaType, pdf, name="statement.pdf")
    assert err.code == "unsafe_pdf"
    assert '"statement.pdf"' in err.message


def test_pdf_names_hidden_with_hex_escapes_are_found():
    pdf = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript >>")
    assert refused(UnsupportedMediaType, pdf).code == "unsafe_pdf"


def test_pdf_names_hidden_in_compressed_object_streams_are_found():
    hidden = zlib.compress(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>")
    pdf = PDF.replace(
        b"trailer",
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % len(hidden) + hidden + b"\nendstream\nendobj\ntrailer",
    )
    assert b"JavaScript" not in pdf
    assert refused(UnsupportedMediaType, pdf).code == "unsafe_pdf"


def test_pdf_with_harmless_compressed_streams_is_accepted():
    body = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Parcel arrived broken) Tj ET")
    pdf = PDF.replace(
        b"trailer",
        b"4 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(body)
        + body
        + b"\nendstream\nendobj\ntrailer",
    )
    assert one(pdf, name="ok.pdf").content == pdf


def test_pdf_must_start_with_its_header():
    assert refused(UnsupportedMediaType, b"\xef\xbb\xbf" + PDF, name="bom.pdf").code == "unsupported_file_type"


# -------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\li\\Desktop\\photo.png", "photo.png"),
        ("bad\x00na\x1bme\n.png", "badname.png"),
        ("invoice\u202egnp.exe.png", "invoicegnp.exe.png"),  # right-to-left override removed
        ("", "file"),
        ("   ", "file"),
    ],
)
def test_original_name_is_cleaned(raw, cleaned):
    assert files.clean_name(raw) == cleaned


def test_original_name_is_cleaned_on_the_checked_file():
    up = upload("x.png", make_image("PNG"))
    up.name = "../../secret/dir/pho\x07to.png"  # Django would already strip the path
    [checked] = check_files([up])
    assert checked.original_name == "photo.png"


def test_long_original_name_is_cut_to_200_characters_keeping_the_extension():
    name = files.clean_name("a" * 300 + ".jpeg")
    assert len(name) == 200 and name.endswith(".jpeg")


# ---------------------------------------------------------------------------------------- statement


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t  \r\n"])
def test_empty_statement_is_refused(text):
    with pytest.raises(InvalidInput) as info:
        check_statement(text)
    assert (info.value.status, info.value.code) == (400, "empty_statement")


def test_statement_may_be_empty_when_not_required():
    assert check_statement(None, required=False) == ""
    assert check_statement("  ", required=False) == ""


def test_statement_too_long_is_refused():
    with pytest.raises(InvalidInput) as info:
        check_statement("字" * (MAX_STATEMENT_CHARS + 1))
    err = info.value
    assert (err.status, err.code) == (400, "statement_too_long")
    assert err.details["limit_chars"] == MAX_STATEMENT_CHARS
    assert str(MAX_STATEMENT_CHARS) in err.message


def test_statement_at_the_limit_is_accepted_and_stripped():
    text = "x" * (MAX_STATEMENT_CHARS - 3)
    assert check_statement(f"  {text}\n") == text


def test_statement_is_measured_as_sent_as_the_openapi_maxlength_says():
    with pytest.raises(InvalidInput) as refused:
        check_statement(" " + "x" * MAX_STATEMENT_CHARS)
    assert refused.value.code == "statement_too_long"
    assert check_statement("x" * (MAX_STATEMENT_CHARS - 1) + "\r\n") == "x" * (MAX_STATEMENT_CHARS - 1)  # CRLF is one


def test_statement_loses_control_characters_but_keeps_newlines():
    assert check_statement(" The parcel\x00 was\r\nopened.\x1b ") == "The parcel was\nopened."


# ------------------------------------------------------------------------------------------- errors


def test_every_file_error_names_the_file_in_its_message_and_details():
    cases = [
        (b"<html></html>", "page.jpg"),
        (patch_png_size(make_image("PNG", size=(1, 1)), 50_000, 50_000), "bomb.png"),
        (make_image("PNG")[:60], "cut.png"),
        (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /Launch"), "run.pdf"),
    ]
    for content, name in cases:
        err = refused(UnsupportedMediaType, content, name=name)
        assert f'"{name}"' in err.message, err.message
        assert err.details["file"] == name
        assert err.message.endswith(".") and err.message.count(". ") == 0, err.message
        assert err.body()["error"]["code"] == err.code


def test_size_error_message_is_one_sentence_with_the_limit():
    up = counting_upload("huge.jpg", b"", declared_size=MAX_VIDEO_BYTES + 1)
    with pytest.raises(TooLarge) as info:
        check_files([up])
    message = info.value.message
    assert message.startswith('The file "huge.jpg" is 50 MB') and "50 MB" in message
    assert message.endswith(".") and message.count(". ") == 0
