"""The translation catalogs are complete and sound: every entry translated (not fuzzy, not
the English left as it is, in the language's own script), placeholders kept, and the
compiled .mo files the same as the .po files they come from."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tracker import library_strings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
SCRIPTS = {"km": "\u1780-\u17ff", "th": "\u0e00-\u0e7f", "ne": "\u0900-\u097f"}
# Entries that may read the same in every language: names, codes and formats.
SAME_EVERYWHERE = {
    "GCM Tracker",
    "GCM",
    "IMRF",
    "SDG",
    "SDGs",
    "CSV",
    "XLSX",
    "JSON",
    "PDF",
    "API",
    "ISO",
    "OK",
    "English",
    "Filipino",
    "Bahasa Indonesia",
}
# Month names are names: some read the same in Indonesian or Filipino (April, may).
MONTH_NAMES = {str(m) for m in library_strings.MONTHS + library_strings.MONTHS_3}
MONTH_NAMES |= {str(m) for m in library_strings.MONTHS_AP}
COUNTRY_NAMES = {str(name) for name in library_strings.COUNTRIES}  # Nepal is Nepal
PLACEHOLDER = re.compile(r"%\([A-Za-z_0-9]+\)[sdf]|%[sdf]|\{[A-Za-z_0-9]+\}")
# Django's date and number formats are codes, not words (j M Y), and stay as they are.
FORMAT_CODES = re.compile(r"^[A-Za-z]{0,3}([ .,:/\-]+[A-Za-z]{1,3})*$")
# Entries of placeholders and punctuation only ("%(where)s: %(message)s"): no words to
# translate, though a language may change the punctuation (Khmer's "៖").
PLACEHOLDERS_ONLY = re.compile(r"(?:%\(\w+\)s|[\s:;,.])+")


def catalog(code: str) -> polib.POFile:
    path = LOCALE / code / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: run make messages"
    return polib.pofile(str(path))


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(code):
    po = catalog(code)
    problems = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    problems += [f"obsolete: {e.msgid!r}" for e in po.obsolete_entries()]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_entry_is_the_english_left_as_it_is(code):
    same = [
        e.msgid
        for e in catalog(code).translated_entries()
        if e.msgid in translations(e)
        and e.msgid not in SAME_EVERYWHERE | MONTH_NAMES | COUNTRY_NAMES
        and not FORMAT_CODES.match(e.msgid)
        and not PLACEHOLDERS_ONLY.fullmatch(e.msgid)
    ]
    assert not same, "\n".join(same[:40])


@pytest.mark.parametrize("code", sorted(SCRIPTS))
def test_each_entry_is_written_in_the_languages_script(code):
    script = re.compile(f"[{SCRIPTS[code]}]")
    latin_only = [
        e.msgid
        for e in catalog(code).translated_entries()
        if not all(script.search(text) for text in translations(e))
        and e.msgid not in SAME_EVERYWHERE
        and not FORMAT_CODES.match(e.msgid)
        and not PLACEHOLDERS_ONLY.fullmatch(e.msgid)
    ]
    assert not latin_only, "\n".join(latin_only[:40])


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_match_the_english(code):
    wrong = []
    for entry in catalog(code).translated_entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        expected = {tuple(placeholders(s)) for s in sources}
        for text in translations(entry):
            found = tuple(placeholders(text))
            # A language with one plural form may leave out the count of the singular.
            if found not in expected:
                wrong.append(f"{entry.msgid!r}: {text!r}")
    assert not wrong, "\n".join(wrong[:40])


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalog_is_the_po_file_compiled(code):
    po = catalog(code)
    mo_path = LOCALE / code / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run make messages"
    mo = polib.mofile(str(mo_path))

    def key(entry):
        return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")

    def value(entry):
        return tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr

    compiled = {key(e): value(e) for e in mo if e.msgid}
    written = {key(e): value(e) for e in po.translated_entries()}
    assert compiled == written, "the .mo file is out of date: run make messages"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_plural_rule_is_the_languages(code):
    rules = {
        "km": "nplurals=1; plural=0;",
        "th": "nplurals=1; plural=0;",
        "id": "nplurals=1; plural=0;",
        "ne": "nplurals=2; plural=(n != 1);",
        "fil": "nplurals=2; plural=(n > 1);",
    }
    assert catalog(code).metadata["Plural-Forms"].strip() == rules[code]
