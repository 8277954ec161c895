"""Checks on uploaded evidence (凭证): the statement and the files sent with it.

The evidence and message actions call ``check_statement`` and ``check_files`` before they store
anything. Both raise the coded errors of ``error_codes.py``: each message names the file (by its
cleaned name) and the limit, in the reader's language, and ``details`` carries the same facts.

Limits
    * at most ``MAX_FILES`` (9) files per submission or message;
    * images and PDFs up to ``MAX_FILE_BYTES`` (10 MiB) each, MP4 up to ``MAX_VIDEO_BYTES`` (50 MiB);
    * images up to ``MAX_IMAGE_PIXELS`` (40 million pixels, width x height), and at most
      ``MAX_REQUEST_PIXELS`` (120 million, PNG and WebP counted twice) per submission; images are
      stored downscaled to at most ``MAX_STORED_PIXELS`` (4096 x 3072);
    * statements up to ``MAX_STATEMENT_CHARS`` (2000 characters, counted after stripping).

Error codes
    ===========================  ======  ====================================================
    code                         status  when
    ===========================  ======  ====================================================
    ``empty_statement``          400     the statement is missing or blank and it is required
    ``statement_too_long``       400     the statement is over MAX_STATEMENT_CHARS
    ``too_many_files``           400     more than MAX_FILES files
    ``files_required``           400     no file when at least one is required
    ``file_too_large``           413     a file is over the cap for its type
    ``unsupported_file_type``    415     the content is not JPEG/PNG/WebP/MP4/PDF (also empty)
    ``image_too_large_in_pixels`` 415    an image is over MAX_IMAGE_PIXELS (decompression bomb)
    ``too_many_pixels``          413     the submission's images are over MAX_REQUEST_PIXELS
    ``corrupt_file``             415     an image does not decode, a PDF cannot be parsed
    ``unsafe_pdf``               415     a PDF with active content (see 4.)
    ``encrypted_pdf``            415     a PDF that is encrypted, even with an empty password
    ===========================  ======  ====================================================

    The pixel cap is reported as **415 image_too_large_in_pixels**, not 413: such a file is
    usually small in bytes, so the request is not "too large"; it is an image we refuse to decode.

How a file is checked
    1. Size: ``upload.size`` is compared with the MP4 cap before any byte is read; a file between
       the two caps has only its first 8 KiB read to learn its type, then is held to its type's
       cap. Reading stops as soon as more bytes arrive than the cap allows, so a wrong ``size``
       cannot make us hold more than the cap in memory.
    2. Type: decided only by the content's magic bytes (the ``filetype`` library), never by the
       file name or the client's Content-Type. A name whose extension disagrees with the content
       is fine when the content is allowed: files are stored under our own extension (``ALLOWED``).
    3. Images are opened by Pillow restricted to the detected format. Width x height is compared
       with ``MAX_IMAGE_PIXELS`` from the header, before decoding; Pillow's own
       ``DecompressionBombWarning``/``Error`` are treated as the same error (Pillow's global
       ``Image.MAX_IMAGE_PIXELS`` is left alone; our cap is lower, so the local check alone
       already refuses anything Pillow would warn about). The first frame is decoded, turned
       upright by its EXIF orientation, downscaled to MAX_STORED_PIXELS if larger, and
       re-encoded (JPEG quality 90, PNG level 3, WebP quality 90) with no metadata at all: no EXIF/GPS, XMP, ICC profile, comments or text
       chunks, and nothing that followed the image data (e.g. HTML after a PNG's IEND). CMYK
       becomes RGB for JPEG; palette or transparent-key images become RGB/RGBA where needed.
       Animated PNG/WebP keep only their first frame.
    4. PDFs must start with ``%PDF-`` and are parsed by qpdf (pikepdf), which undoes every filter
       and reads object streams; every object is walked and active content refused: scripts,
       additional and automatic actions, launch actions, embedded files, rich media, forms that
       send or import data, XFA, links to other documents, and links other than http(s)/mailto
       (plain web links stay: invoices carry them). Encrypted and unreadable PDFs are refused.
       The bytes are stored as sent, and only ever served as attachments with
       ``X-Content-Type-Options: nosniff`` and a sandboxing CSP.
    5. MP4 (``ftyp`` box with an mp41/mp42/isom brand) is kept byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
import pikepdf
from PIL import Image, ImageOps

from sellerdesk.core.errors import InvalidInput, TooLarge, UnsupportedMediaType
from sellerdesk.core.roles import require_role
from sellerdesk.core.text import cleaned as clean_text
from sellerdesk.core.text import measured
from sellerdesk.identity.models import Role

from .access import access_attachment
from .error_codes import AfterSaleErrorCode as Code

MAX_FILE_BYTES = 10 * 1024 * 1024  # per image / PDF
MAX_VIDEO_BYTES = 50 * 1024 * 1024  # per MP4
MAX_FILES = 9  # per submission / message
MAX_STATEMENT_CHARS = 2000
MAX_IMAGE_PIXELS = 40_000_000  # decompression-bomb cap, per image
# Decoding and re-encoding cost grows with pixels: nine 40 MP images took 31 s, past gunicorn's
# 30 s timeout. A submission may decode at most this many pixels in all (nine 12.6 MP phone
# photos, or three 40 MP JPEGs; PNG and WebP count twice, being 2 to 10 times as slow to decode
# and encode as JPEG), and what is stored is at most MAX_STORED_PIXELS, downscaled, which keeps a
# 4096 x 3072 photo (and every 12 MP phone photo) as it was. docs/benchmarks.md has the figures.
MAX_REQUEST_PIXELS = 120_000_000
MAX_STORED_PIXELS = 4096 * 3072
_PIXEL_WEIGHT = {"image/png": 2, "image/webp": 2}
ALLOWED = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",
}

MAX_NAME_CHARS = 200
_SNIFF_BYTES = 8192
_CHUNK_BYTES = 64 * 1024

# content type -> (Pillow format, save options)
_IMAGE_FORMATS = {
    "image/jpeg": ("JPEG", {"quality": 90}),
    # Bounded encoding time (docs/benchmarks.md, issue 10): PNG level 3 instead of optimize
    # (a third of the time on a screenshot, ~20 % larger), WebP method 0 (0.9 s instead of
    # 1.6 s for 12.6 MP, no larger at quality 90).
    "image/png": ("PNG", {"compress_level": 3}),
    "image/webp": ("WEBP", {"quality": 90, "method": 0}),
}


@dataclass(frozen=True)
class CheckedFile:
    content: bytes  # what will be stored: re-encoded bytes for images, original bytes otherwise
    content_type: str  # from ALLOWED
    extension: str  # from ALLOWED
    original_name: str  # the uploader's name, cleaned (basename only, control chars removed, ≤ 200 chars)
    size: int  # len(content)
    sha256: str  # hex of content


# ---------------------------------------------------------------------------------------- statement


def check_statement(text: str | None, *, required: bool = True) -> str:
    """Return the statement stripped of surrounding blanks and of control characters other than
    tab and newline (NUL cannot be stored in PostgreSQL text), or raise InvalidInput."""
    length = len(measured(text))
    if length > MAX_STATEMENT_CHARS:
        raise InvalidInput(
            Code.STATEMENT_TOO_LONG,
            details={"field": "statement", "length": length, "limit_chars": MAX_STATEMENT_CHARS},
        )
    cleaned = clean_text(text)
    if not cleaned and required:
        raise InvalidInput(Code.EMPTY_STATEMENT, details={"field": "statement", "limit_chars": MAX_STATEMENT_CHARS})
    return cleaned


# -------------------------------------------------------------------------------------------- files


def check_files(uploads: list, *, required: bool = False) -> list[CheckedFile]:
    """Check every upload and return what may be stored, in the order given. One call is one
    submission: MAX_REQUEST_PIXELS is counted over all its images."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        raise InvalidInput(Code.TOO_MANY_FILES, details={"count": len(uploads), "limit_files": MAX_FILES})
    if required and not uploads:
        raise InvalidInput(Code.FILES_REQUIRED, details={"count": 0, "limit_files": MAX_FILES})
    budget = _PixelBudget()
    return [_check_one(upload, index, budget) for index, upload in enumerate(uploads)]


def clean_name(name: str | None) -> str:
    """The uploader's file name reduced to something safe to show and store: the last path
    component only, no control or bidi-formatting characters, at most MAX_NAME_CHARS long
    (the extension is kept when the stem is shortened)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = name.strip().strip(".").strip() or "file"
    if len(name) > MAX_NAME_CHARS:
        stem, ext = os.path.splitext(name)
        if len(ext) > 16:
            stem, ext = name, ""
        name = stem[: MAX_NAME_CHARS - len(ext)] + ext
    return name


def _cap_for(content_type: str | None) -> int:
    return MAX_VIDEO_BYTES if content_type == "video/mp4" else MAX_FILE_BYTES


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def _too_large(name: str, index: int, size: int, content_type: str | None) -> TooLarge:
    """content_type None: refused on its declared size alone, before its type was looked at."""
    cap = MAX_VIDEO_BYTES if content_type is None else _cap_for(content_type)
    return TooLarge(
        Code.FILE_TOO_LARGE,
        details={"file": name, "index": index, "size": size, "limit_bytes": cap, "content_type": content_type},
    )


def _unsupported(name: str, index: int, detected: str | None) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        Code.EMPTY_FILE if detected == "empty" else Code.UNSUPPORTED_FILE_TYPE,
        details={
            "file": name,
            "index": index,
            "detected": None if detected == "empty" else detected,
            "allowed": sorted(ALLOWED),
        },
    )


def _sniff(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES) or b""
    upload.seek(0)
    return bytes(head)


def _read_capped(upload, name: str, index: int, content_type: str) -> bytes:
    cap = _cap_for(content_type)
    upload.seek(0)
    buf = bytearray()
    while True:
        chunk = upload.read(_CHUNK_BYTES)
        if not chunk:
            break
        buf += chunk
        if len(buf) > cap:  # the declared size lied: stop before holding more than the cap
            raise _too_large(name, index, len(buf), content_type)
    return bytes(buf)


class _PixelBudget:
    def __init__(self):
        self.spent = 0

    def spend(self, name: str, index: int, pixels: int) -> None:
        self.spent += pixels
        if self.spent > MAX_REQUEST_PIXELS:
            raise TooLarge(
                Code.TOO_MANY_PIXELS,
                details={
                    "file": name,
                    "index": index,
                    "pixels": self.spent,
                    "limit_pixels_per_submission": MAX_REQUEST_PIXELS,
                },
            )


def _check_one(upload, index: int, budget: _PixelBudget) -> CheckedFile:
    name = clean_name(getattr(upload, "name", None))
    declared = getattr(upload, "size", None)

    # 1. The biggest cap, before any byte is read.
    if declared is not None and declared > MAX_VIDEO_BYTES:
        raise _too_large(name, index, declared, None)

    # 2. The type, from the first bytes only.
    head = _sniff(upload)
    if not head:
        raise _unsupported(name, index, "empty")
    kind = filetype.guess(head)
    content_type = kind.mime if kind is not None else None
    if content_type not in ALLOWED:
        raise _unsupported(name, index, content_type)

    # 3. The cap of that type, still before reading it all; then read it with a hard stop.
    if declared is not None and declared > _cap_for(content_type):
        raise _too_large(name, index, declared, content_type)
    data = _read_capped(upload, name, index, content_type)
    if filetype.guess_mime(data[:_SNIFF_BYTES]) != content_type:  # changed under us
        raise _unsupported(name, index, filetype.guess_mime(data[:_SNIFF_BYTES]))

    # 4. Per type.
    if content_type in _IMAGE_FORMATS:
        data = _reencode_image(data, name, index, content_type, budget)
    elif content_type == "application/pdf":
        _check_pdf(data, name, index)

    return CheckedFile(
        content=data,
        content_type=content_type,
        extension=ALLOWED[content_type],
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


# ------------------------------------------------------------------------------------------- images


def _pixel_error(name: str, index: int, width: int | None, height: int | None) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        Code.IMAGE_TOO_LARGE_IN_PIXELS,
        details={"file": name, "index": index, "width": width, "height": height, "limit_pixels": MAX_IMAGE_PIXELS},
    )


def _corrupt(name: str, index: int, fmt: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        Code.CORRUPT_FILE, details={"file": name, "index": index, "format": fmt, "limit_pixels": MAX_IMAGE_PIXELS}
    )


def _reencode_image(data: bytes, name: str, index: int, content_type: str, budget: _PixelBudget) -> bytes:
    fmt, save_options = _IMAGE_FORMATS[content_type]
    width = height = None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                width, height = im.size
                if width * height > MAX_IMAGE_PIXELS:  # from the header, before decoding
                    raise _pixel_error(name, index, width, height)
                budget.spend(name, index, width * height * _PIXEL_WEIGHT.get(content_type, 1))
                if fmt == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale when that still fits
                    im.draft(im.mode, _fitted(width, height))
                im.load()
                try:
                    upright = ImageOps.exif_transpose(im)
                except Exception:  # unreadable EXIF: keep as is
                    upright = im.copy()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _pixel_error(name, index, width, height) from None
        except UnsupportedMediaType:
            raise
        except (
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
            IndexError,
            TypeError,
            KeyError,
            struct.error,
            MemoryError,
            ZeroDivisionError,
        ) as exc:
            raise _corrupt(name, index, fmt) from exc

    out = _mode_for(_downscaled(upright), fmt)
    out.info = {}  # nothing of the original's metadata may reach the encoder
    buf = io.BytesIO()
    try:
        out.save(buf, format=fmt, **save_options)
    except (OSError, ValueError) as exc:
        raise _corrupt(name, index, fmt) from exc
    return buf.getvalue()


def _fitted(width: int, height: int) -> tuple[int, int]:
    """The size keeping the aspect ratio with at most MAX_STORED_PIXELS."""
    if width * height <= MAX_STORED_PIXELS:
        return width, height
    scale = (MAX_STORED_PIXELS / (width * height)) ** 0.5
    return max(1, int(width * scale)), max(1, int(height * scale))


def _downscaled(im: Image.Image) -> Image.Image:
    size = _fitted(*im.size)
    if size == im.size:
        return im
    if im.mode in ("1", "P", "PA"):  # Pillow would resize these with nearest-neighbour only
        im = im.convert("RGBA" if im.has_transparency_data else "RGB")
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _mode_for(im: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG":
        return im if im.mode in ("L", "RGB") else im.convert("RGB")  # CMYK, YCbCr, ... -> RGB
    if fmt == "WEBP":
        if im.mode in ("RGB", "RGBA"):
            return im
        return im.convert("RGBA" if im.has_transparency_data else "RGB")
    # PNG: transparency kept in info (tRNS / palette alpha) would be lost with the info, so make
    # it an alpha channel; other modes PNG writes as they are.
    if im.mode == "PA" or (im.has_transparency_data and im.mode not in ("RGBA", "LA")):
        return im.convert("RGBA")
    return im


# --------------------------------------------------------------------------------------------- PDFs

# qpdf's limits are process-wide; nothing else here opens PDFs. A Flate/RunLength/predictor stream
# may not unpack to more than this, so an object-stream bomb stops inside qpdf, not in our memory.
_PDF_STREAM_MAX_BYTES = 16 * 1024 * 1024
pikepdf.settings.set_qpdf_limits(
    flate_max_memory=_PDF_STREAM_MAX_BYTES,
    run_length_max_memory=_PDF_STREAM_MAX_BYTES,
    png_max_memory=_PDF_STREAM_MAX_BYTES,
    tiff_max_memory=_PDF_STREAM_MAX_BYTES,
)
_PDF_UNPACK_BUDGET = 64 * 1024 * 1024  # all object streams of one PDF, unpacked
_PDF_MAX_OBJECTS = 100_000  # a 500-page catalogue has about 50,000
_PDF_MAX_NODES = 300_000  # dictionaries, arrays and values walked per PDF

# Keys or name values that make a PDF do something when opened, or carry or fetch another file.
_PDF_FORBIDDEN_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",  # scripts
        "/AA",  # additional actions: run on open, page view, focus
        "/Launch",  # start a program
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/FileAttachment",  # files inside the file
        "/RichMedia",
        "/RichMediaExecute",  # Flash/3D players and their scripts
        "/SubmitForm",
        "/ImportData",  # send form data out / load it in
        "/XFA",  # XML forms, which carry their own scripts
        "/GoToR",
        "/GoToE",  # open another (remote or embedded) document
    }
)
# Links are allowed: real invoices (电子发票) and waybills carry links to the tax office or the
# carrier, and a link only opens when the reader clicks it in their own viewer. Only web and mail
# links, though: file:, smb: (leaks Windows credentials) and javascript: URIs are refused, and so is
# a link the document follows by itself (an /OpenAction that is an action rather than a page).
_PDF_LINK_SCHEMES = ("http://", "https://", "mailto:")


def _unsafe_pdf(name: str, index: int, found: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        Code.UNSAFE_PDF,
        details={"file": name, "index": index, "found": found, "forbidden": sorted(_PDF_FORBIDDEN_NAMES)},
    )


def _corrupt_pdf(name: str, index: int, reason: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        Code.CORRUPT_FILE, details={"file": name, "index": index, "format": "PDF", "reason": reason}
    )


def _check_pdf(data: bytes, name: str, index: int) -> None:
    """Parse the PDF with qpdf (pikepdf), which undoes every filter and reads object streams,
    and refuse active content anywhere in it. The bytes are stored as sent."""
    if not data.startswith(b"%PDF-"):
        raise _unsupported(name, index, None)  # e.g. a BOM or junk before %PDF-
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise _encrypted_pdf(name, index) from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise _corrupt_pdf(name, index, "not a readable PDF") from exc
    with pdf:
        if pdf.is_encrypted:  # even with an empty user password: CS must be able to read and copy it
            raise _encrypted_pdf(name, index)
        try:
            _walk_pdf(pdf, name, index)
        except pikepdf.PdfError as exc:
            raise _corrupt_pdf(name, index, "damaged objects") from exc


def _encrypted_pdf(name: str, index: int) -> UnsupportedMediaType:
    return UnsupportedMediaType(Code.ENCRYPTED_PDF, details={"file": name, "index": index})


def _walk_pdf(pdf, name: str, index: int) -> None:
    """Every indirect object (qpdf lists those inside object streams too) and the trailer, with
    their direct contents; indirect references are not followed, being walked on their own.
    Every object stream is unpacked too (within a budget): one qpdf cannot unpack (unknown
    filter, damaged, over the memory limit) or that no cross-reference names, as in a repaired
    file, could hide what a more lenient viewer still runs."""
    budget = _PDF_UNPACK_BUDGET
    xref = pdf.get_xref_table()
    if len(xref) > _PDF_MAX_OBJECTS:  # before qpdf lists them all
        raise _corrupt_pdf(name, index, f"more than {_PDF_MAX_OBJECTS:,} objects")
    listed = {entry.obj_stream_number for entry in xref.values() if entry.type == 2}
    nodes = 0
    deferred = None  # a weaker finding, reported only when nothing more telling turns up
    stack = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        nodes += 1
        if nodes > _PDF_MAX_NODES:
            raise _corrupt_pdf(name, index, f"more than {_PDF_MAX_NODES:,} values")
        if isinstance(obj, pikepdf.Name):
            if str(obj) in _PDF_FORBIDDEN_NAMES:
                raise _unsafe_pdf(name, index, str(obj))
        elif isinstance(obj, pikepdf.Array):
            stack.extend(item for item in obj if isinstance(item, pikepdf.Object) and not item.is_indirect)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            is_stream = isinstance(obj, pikepdf.Stream)
            for key, value in (obj.stream_dict if is_stream else obj).items():
                nodes += 1
                if key in _PDF_FORBIDDEN_NAMES:
                    raise _unsafe_pdf(name, index, key)
                if key == "/OpenAction" and not _opens_at_a_page(value):
                    deferred = deferred or "/OpenAction"
                if key == "/URI" and not _is_web_link(value):
                    deferred = deferred or "/URI"
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    stack.append(value)
            if is_stream and obj.get("/Type") == pikepdf.Name.ObjStm:
                unpacked = _unpack(obj, name, index)
                budget -= len(unpacked)
                if budget < 0:
                    raise _corrupt_pdf(name, index, f"object streams unpack to more than {_mib(_PDF_UNPACK_BUDGET)}")
                if not obj.is_indirect or obj.objgen[0] not in listed:
                    stack.extend(_objects_in(obj, unpacked, name, index))
    if deferred:
        raise _unsafe_pdf(name, index, deferred)


def _unpack(stream, name: str, index: int) -> bytes:
    try:
        return stream.read_bytes()
    # pikepdf raises NotImplementedError for a filter qpdf cannot decode: what cannot be read is
    # refused, never let through unchecked.
    except (pikepdf.PdfError, ValueError, TypeError, NotImplementedError) as exc:
        raise _corrupt_pdf(name, index, "an object stream cannot be unpacked") from exc


def _objects_in(stream, unpacked: bytes, name: str, index: int) -> list:
    """The objects of an object stream qpdf did not index itself (PDF 32000-1 §7.5.7)."""
    try:
        first, count = int(stream.get("/First")), int(stream.get("/N"))
        numbers = [int(n) for n in unpacked[:first].split()]
        offsets = [first + off for off in numbers[1 : 2 * count : 2]] + [len(unpacked)]
        return [pikepdf.Object.parse(unpacked[a:b]) for a, b in zip(offsets, offsets[1:])]
    except (pikepdf.PdfError, ValueError, TypeError) as exc:
        raise _corrupt_pdf(name, index, "an object stream cannot be read") from exc


def _opens_at_a_page(value) -> bool:
    """An /OpenAction that only says where to open (a destination, or a plain GoTo to one)."""
    if isinstance(value, pikepdf.Array):
        return True
    return isinstance(value, pikepdf.Dictionary) and value.get("/S") == pikepdf.Name.GoTo and "/Next" not in value


def _is_web_link(value) -> bool:
    if not isinstance(value, pikepdf.String):
        return False
    return bytes(value).decode("latin-1").strip().lower().startswith(_PDF_LINK_SCHEMES)


def check_integrity(user, attachment_id: int, *, now) -> dict:
    """防篡改校验 (CS): hash the stored bytes again and compare them with the SHA-256 recorded at
    upload. A file the store no longer has does not match (fail closed)."""
    require_role(user, Role.CS, Role.ADMIN)
    attachment = access_attachment(user, attachment_id)
    digest = hashlib.sha256()
    try:
        with attachment.file.open("rb") as stored:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                digest.update(chunk)
        stored_sha256 = digest.hexdigest()
    except (FileNotFoundError, OSError):
        stored_sha256 = None
    return {
        "attachment_id": attachment.pk,
        "recorded_sha256": attachment.sha256,
        "stored_sha256": stored_sha256,
        "matches": stored_sha256 == attachment.sha256,
        "checked_at": now,
    }
