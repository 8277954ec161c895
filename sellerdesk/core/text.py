"""Free text from users: one cleaning, and the OpenAPI constraints that say the same thing.

A text is measured as sent (a browser's CRLF counted as one newline, as its counter does), then
control characters other than tab and newline are dropped (PostgreSQL cannot store NUL) and
surrounding blanks stripped; a required text must keep something. The OpenAPI document says so
with maxLength and a pattern that needs one printable character, so that a client's generated
"valid" text is one we accept."""

import unicodedata

from ninja import Field

# One character that is neither blank nor a control character (JSON Schema patterns search).
PRINTABLE = r"[^\s\x00-\x1f\x7f-\x9f]"


def measured(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def cleaned(value: str | None) -> str:
    return "".join(ch for ch in measured(value) if ch in "\t\n" or unicodedata.category(ch) != "Cc").strip()


def text_field(max_chars: int, *, required: bool = True, description: str | None = None):
    """A schema field for free text; the domain's checks give the refusals their codes."""
    extra = {"maxLength": max_chars, **({"minLength": 1, "pattern": PRINTABLE} if required else {})}
    return Field(... if required else "", description=description, json_schema_extra=extra)
