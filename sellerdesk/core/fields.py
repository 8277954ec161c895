"""Field types of the API's input schemas: what the OpenAPI document promises is what is accepted."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator, Field, field_validator

# Money in fen and counts: JSON integers only (no "5" strings, no true/false), bounded so that
# no accepted value overflows a 64-bit column.
MAX_FEN = 100_000_000_000  # ¥1,000,000,000.00


def _json_integer(value):
    if isinstance(value, (str, bool)):
        raise ValueError("must be a JSON integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]


def fen(description: str | None = None, *, default=..., minimum: int = 1):
    """An amount in fen: minimum..MAX_FEN in the document; the domain refuses it with its own code."""
    return Field(default, description=description, json_schema_extra={"minimum": minimum, "maximum": MAX_FEN})


def _iso_datetime(value):
    # pydantic would also take a number of seconds since 1970 ("0.5"); the API says ISO 8601.
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 date and time") from None
    if not isinstance(value, datetime):
        raise ValueError("must be an ISO 8601 date and time")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_datetime)]
IsoAwareDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


class InputSchema(Schema):
    """The base of every JSON body: U+0000 is dropped from its text, as from any text we store
    (PostgreSQL text cannot hold it; core/text.py drops the other control characters)."""

    @field_validator("*", mode="before")
    @classmethod
    def _drop_nul(cls, value):
        return _without_nul(value)
