"""开户银行: the banks a withdrawal bank card or corporate account may be opened at, and the card-BIN
table that suggests one from a card number.

The list is the one source for the page's select, the API's `bank_name` enum and the server's
check (checks.check_bank_name): a name that is not listed is refused (fail closed). Existing API
clients that sent a bank's full name keep working; the common short names (工商银行, 工行 …) are
accepted too and stored as the full name.

The BIN table only suggests: it covers the major banks' common debit-card prefixes and is not
authoritative (a bank issues many more), so a card whose prefix is unknown, or that the user says
is at another listed bank, is not refused for it.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Bank:
    code: str
    name: str  # the full Chinese name: what is stored and sent to the rail
    english: str  # gettext_noop'd: the select shows it in English pages
    aliases: tuple[str, ...] = ()
    bins: tuple[str, ...] = ()


BANKS: tuple[Bank, ...] = (
    # State-owned commercial banks
    Bank(
        "ICBC",
        "中国工商银行",
        gettext_noop("中国工商银行"),
        ("工商银行", "工行"),
        ("622202", "622208", "622200", "621226", "621225", "620058"),
    ),
    Bank(
        "CCB",
        "中国建设银行",
        gettext_noop("中国建设银行"),
        ("建设银行", "建行"),
        ("621700", "622700", "622280", "621284", "436742"),
    ),
    Bank(
        "ABC",
        "中国农业银行",
        gettext_noop("中国农业银行"),
        ("农业银行", "农行"),
        ("622848", "622845", "622846", "622841", "621282"),
    ),
    Bank(
        "BOC",
        "中国银行",
        gettext_noop("中国银行"),
        ("中行",),
        ("621661", "621660", "621663", "621666", "456351", "601382"),
    ),
    Bank("BOCOM", "交通银行", gettext_noop("交通银行"), ("交行",), ("622260", "622262", "601428", "405512")),
    Bank(
        "PSBC",
        "中国邮政储蓄银行",
        gettext_noop("中国邮政储蓄银行"),
        ("邮政储蓄银行", "邮储银行"),
        ("621799", "622188", "621098", "622150"),
    ),
    # Joint-stock commercial banks
    Bank(
        "CMB",
        "招商银行",
        gettext_noop("招商银行"),
        ("招行",),
        ("622588", "622580", "622575", "621483", "621286", "410062"),
    ),
    Bank("CITIC", "中信银行", gettext_noop("中信银行"), (), ("622690", "622691", "621771", "433670")),
    Bank("CEB", "中国光大银行", gettext_noop("中国光大银行"), ("光大银行",), ("622660", "622662", "621489")),
    Bank("CMBC", "中国民生银行", gettext_noop("中国民生银行"), ("民生银行",), ("622615", "622617", "621691", "415599")),
    Bank("CIB", "兴业银行", gettext_noop("兴业银行"), (), ("622908", "622909", "438588")),
    Bank(
        "SPDB",
        "上海浦东发展银行",
        gettext_noop("上海浦东发展银行"),
        ("浦发银行",),
        ("622521", "622522", "621792"),
    ),
    Bank("HXB", "华夏银行", gettext_noop("华夏银行"), (), ("622630", "622631")),
    Bank("PAB", "平安银行", gettext_noop("平安银行"), (), ("622155", "622156", "622298", "621626")),
    Bank("CGB", "广发银行", gettext_noop("广发银行"), (), ("622568", "622556", "621462")),
    Bank("CZB", "浙商银行", gettext_noop("浙商银行")),
    Bank("CBHB", "渤海银行", gettext_noop("渤海银行")),
    Bank("HFB", "恒丰银行", gettext_noop("恒丰银行")),
    # City and rural commercial banks with many merchants
    Bank("BOB", "北京银行", gettext_noop("北京银行"), (), ("622163", "622853")),
    Bank("BOS", "上海银行", gettext_noop("上海银行"), (), ("622892",)),
    Bank("JSB", "江苏银行", gettext_noop("江苏银行")),
    Bank("NJCB", "南京银行", gettext_noop("南京银行")),
    Bank("NBCB", "宁波银行", gettext_noop("宁波银行")),
    Bank("HZB", "杭州银行", gettext_noop("杭州银行")),
    Bank("BJRCB", "北京农商银行", gettext_noop("北京农商银行")),
    Bank("SRCB", "上海农商银行", gettext_noop("上海农商银行")),
    Bank("GRCB", "广州农商银行", gettext_noop("广州农商银行")),
    Bank("CQRCB", "重庆农村商业银行", gettext_noop("重庆农村商业银行"), ("重庆农商银行",)),
    Bank("WEBANK", "深圳前海微众银行", gettext_noop("深圳前海微众银行"), ("微众银行",)),
    Bank("MYBANK", "浙江网商银行", gettext_noop("浙江网商银行"), ("网商银行",)),
)

BY_NAME: dict[str, Bank] = {}
for _bank in BANKS:
    for _name in (_bank.name, *_bank.aliases):
        BY_NAME[_name] = _bank

ACCEPTED_NAMES: tuple[str, ...] = tuple(BY_NAME)  # full names first, then aliases (the API's enum)

_BINS = sorted(((prefix, bank) for bank in BANKS for prefix in bank.bins), key=lambda pair: -len(pair[0]))


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def bank_named(name: str | None) -> Bank | None:
    """The listed bank called `name` (its full name or a listed short name), else None."""
    return BY_NAME.get(_fold(name or ""))


def suggest_bank(account_no: str | None) -> Bank | None:
    """The bank a card number's BIN belongs to, where the table knows it; a suggestion only."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", account_no or ""))
    for prefix, bank in _BINS:
        if digits.startswith(prefix):
            return bank
    return None


def bank_choices() -> list[tuple[str, str]]:
    """(stored name, shown name) for a select, in the page's language."""
    return [(bank.name, gettext(bank.english)) for bank in BANKS]


def bin_table() -> dict[str, str]:
    """BIN prefix → the bank's full name, for the page script's suggestion."""
    return {prefix: bank.name for prefix, bank in _BINS}
