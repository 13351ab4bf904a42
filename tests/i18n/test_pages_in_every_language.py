"""Every public page and every page of the reporting and review flow, in each language:
the page says which language it is in, and none of the catalog's English is left on it
(outside what is English by nature, marked lang="en"). A pseudo-language whose every
translation is the English with its letters changed catches text never marked for
translation: any plain English word left on a page in it was never translated."""

import re

import polib
import pytest
from django_countries import countries

from tests.i18n.conftest import in_language, visits
from tests.i18n.test_catalogs import LANGUAGES, LOCALE, SAME_EVERYWHERE
from tests.i18n.text import readable

pytestmark = pytest.mark.django_db

PLACEHOLDER_OR_TAG = re.compile(r"<[^>]+>|%\([A-Za-z_0-9]+\)[sdf]|%[sdf]|\{\{?[^}]*\}?\}|&[a-z]+;")


# Words a translation may keep: the product's name, file formats and programs.
KEPT_WORDS = {"GCM", "Tracker", "SDG", "SDGs", "IMRF", "Excel", "Word", "XLSX", "DOCX", "CSV"}
KEPT_WORDS |= {"PDF", "JSON", "API"}


def english_fragments() -> set[str]:
    """Each catalog entry's English, cut at its placeholders and tags, where a piece is
    long enough to be telling (two words or more besides names and formats)."""
    fragments = set()
    for entry in polib.pofile(str(LOCALE / "km" / "LC_MESSAGES" / "django.po")):
        if entry.msgid in SAME_EVERYWHERE:
            continue
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in PLACEHOLDER_OR_TAG.split(source):
                piece = piece.strip(" .,:;()·–—“”\"'")
                words = set(re.findall(r"[A-Za-z]+", piece)) - KEPT_WORDS
                if len(words) >= 2:
                    fragments.add(piece)
    return fragments


def open_as(client, world, visit, path):
    client.logout()
    if visit.user:
        client.force_login(getattr(world, visit.user))
    response = client.get(path)
    assert response.status_code in (200, 400), (path, response.status_code)
    return response


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_english_of_the_catalog_is_left_on_any_page(client, multilingual, code):
    fragments = english_fragments()
    left = []
    for visit in visits(multilingual):
        path = in_language(code, visit.path)
        assert path.startswith(f"/{code}/"), path
        response = open_as(client, multilingual, visit, path)
        assert f'<html lang="{code}"' in response.text, path
        text = "\n".join(readable(response.text))
        left += [f"{path}: {piece!r}" for piece in sorted(fragments) if piece in text]
    assert not left, "\n".join(left[:60])


# --- the pseudo-language ------------------------------------------------------------------

PSEUDO = "xx"
LETTERS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķĺɱñöþʠŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)


def pseudo(text: str) -> str:
    """The English with its letters changed, placeholders and tags kept."""
    kept = PLACEHOLDER_OR_TAG.findall(text)
    pieces = PLACEHOLDER_OR_TAG.split(text)
    out = [pieces[0].translate(LETTERS)]
    for mark, piece in zip(kept, pieces[1:], strict=True):
        out += [mark, piece.translate(LETTERS)]
    return "".join(out)


@pytest.fixture
def pseudo_language(settings, tmp_path):
    source = polib.pofile(str(LOCALE / "km" / "LC_MESSAGES" / "django.po"))
    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in source:
        translated = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt)
        if entry.msgid_plural:
            translated.msgid_plural = entry.msgid_plural
            translated.msgstr_plural = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
        else:
            translated.msgstr = pseudo(entry.msgid)
        catalog.append(translated)
    folder = tmp_path / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog.save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]


# Plain words a page may hold in any language: names, acronyms and formats, and the
# names of countries (which come from django-countries' own catalogs, not ours).
NAMES = {
    "GCM",
    "SDG",
    "SDGs",
    "IMRF",
    "CSV",
    "XLSX",
    "JSON",
    "PDF",
    "DOCX",
    "API",
    "IGO",
    "English",
    "Bahasa",
    "Indonesia",
    "Filipino",
    "Atom",
    "Pseudo",  # the name of this test's language, in the switcher
    "UTC",
}
COUNTRY_WORDS = {word for _, name in countries for word in re.findall(r"[A-Za-z]+", str(name))}
# A word, not part of an address, a user name (kim.cambodia) or a code.
WORD = re.compile(r"(?<![\w@./-])[A-Za-z]{3,}(?![\w@./-])")


def test_no_page_holds_text_never_marked_for_translation(client, multilingual, pseudo_language):
    unmarked = []
    for visit in visits(multilingual):
        path = in_language(PSEUDO, visit.path)
        response = open_as(client, multilingual, visit, path)
        for text in readable(response.text):
            words = set(WORD.findall(text)) - NAMES - COUNTRY_WORDS
            if words:
                unmarked.append(f"{path}: {text[:80]!r} ({', '.join(sorted(words))})")
    assert not unmarked, "\n".join(unmarked[:80])
