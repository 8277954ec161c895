"""Money is an integer of fen everywhere. The one parser of amounts people type (yuan) and the one
formatter; exact (Decimal and integers, never float)."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext

# Yuan as people type it: 0.37 / .37 / 1 / ¥0.37 / 0.37元 / 1,234.50; at most two decimals, no signs or exponents.
_YUAN = re.compile(r"^(\d{1,10})?(?:\.(\d{1,2}))?$")


def format_fen(fen: int | None) -> str:
    """1234 → "¥12.34"."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def fen_to_yuan(fen: int | None) -> str:
    """1234 → "12.34", for pre-filling an amount field."""
    if fen in (None, ""):
        return ""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def split_in_proportion(amount: int, weights: list[int]) -> list[int]:
    """`amount` shared across `weights` in proportion, by largest remainder so that the parts add
    up to it exactly and none exceeds its weight; the weights themselves when they add up to no
    more than `amount` (nothing to scale down)."""
    total = sum(weights)
    if total <= amount:
        return list(weights)
    parts = [w * amount // total for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(weights[i] * amount % total), i))
    for i in by_remainder[: amount - sum(parts)]:
        parts[i] += 1
    return parts


def yuan_to_fen(raw: str | None) -> int:
    """'¥0.37' → 37. Raises ValueError with a message for the user."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = text.removeprefix("¥").removesuffix("元").strip().replace(",", "")
    if not text:
        raise ValueError(gettext("请填写金额。"))
    if not _YUAN.match(text) or text == ".":
        raise ValueError(gettext("金额格式不正确，请填写数字，最多两位小数，例如 0.37。"))
    try:
        fen = Decimal(text) * 100
    except InvalidOperation:
        raise ValueError(gettext("金额格式不正确，请填写数字，最多两位小数，例如 0.37。")) from None
    return int(fen)


class YuanField(forms.CharField):
    """An amount typed in yuan, cleaned to integer fen within [min_fen, max_fen]."""

    def __init__(self, *, min_fen: int = 1, max_fen: int | None = None, range_message: str = "", **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.min_fen, self.max_fen, self.range_message = min_fen, max_fen, range_message
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values and not self.required:
            return None
        try:
            fen = yuan_to_fen(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid_amount") from None
        if fen < self.min_fen or (self.max_fen is not None and fen > self.max_fen):
            raise forms.ValidationError(self.range_message or gettext("金额超出范围。"), code="amount_out_of_range")
        return fen
