"""The English catalogue is complete: every string the code marks for translation has English.

The .po file is the source of the translations and is edited directly (docs/translations.md). These
tests regenerate it from the code the way a developer does (`makemessages`) and compare.
"""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PO = Path(settings.BASE_DIR) / "sellerdesk" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _keys(catalogue) -> dict:
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in catalogue if not e.obsolete
    }


def test_every_msgid_in_the_english_catalogue_has_english():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == [], "a fuzzy entry is gettext's guess: check and unflag it"
    assert [e.msgid for e in po.obsolete_entries()] == [], "obsolete entries: the code no longer uses them"


def test_the_compiled_catalogue_is_the_po_file():
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    assert _keys(mo) == _keys(polib.pofile(str(PO))), "run: manage.py compilemessages -l en"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_every_string_the_code_marks_for_translation_is_in_the_catalogue(tmp_path, monkeypatch):
    # makemessages writes into every `locale` folder it walks past, so it runs on a copy of the code.
    src = tmp_path / "sellerdesk"
    shutil.copytree(
        Path(settings.BASE_DIR) / "sellerdesk", src, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static")
    )
    po = src / "locale" / "en" / "LC_MESSAGES" / "django.po"
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[src / "locale"]):
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    fresh, committed = polib.pofile(str(po)), polib.pofile(str(PO))
    new = sorted(k[1] for k in set(_keys(fresh)) - set(_keys(committed)))
    gone = sorted(k[1] for k in set(_keys(committed)) - set(_keys(fresh)))
    assert new == [], "strings in the code without English: run makemessages -l en and translate them"
    assert gone == [], "strings the code no longer uses: run makemessages -l en and delete them"
    assert [e.msgid for e in fresh.untranslated_entries() + fresh.fuzzy_entries()] == []


def test_every_english_text_keeps_the_placeholders_of_its_chinese():
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    for entry in polib.pofile(str(PO)):
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        )
        for chinese, english in pairs:
            assert set(placeholder.findall(english)) <= set(placeholder.findall(chinese)), entry.msgid
