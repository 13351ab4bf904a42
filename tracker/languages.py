"""Which language a page is in.

English pages keep their addresses (/countries/kh/), as they are linked from downloads,
briefs, the feed and the API; each other language has its prefix (/km/countries/kh/), so a
page in Khmer can be shared as one. The footer's switcher (Django's set_language) remembers
the choice in the language cookie and goes to the same page and query in that language.
An English address asked for by someone who chose another language, or, on a first visit,
whose browser prefers one of the site's languages (Accept-Language), is redirected to that
language's address. A prefix that is no language of the site leads to the English page.
"""

import re

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

# The language of a focal point's emails, unless they chose one: their first country's.
COUNTRY_LANGUAGES = {"KH": "km", "TH": "th", "ID": "id", "NP": "ne", "PH": "fil"}
# Each language's name in itself, as the switcher offers it.
NATIVE_NAMES = {
    "en": "English",
    "km": "ភាសាខ្មែរ",
    "th": "ภาษาไทย",
    "id": "Bahasa Indonesia",
    "ne": "नेपाली",
    "fil": "Filipino",
}
PREFIX = re.compile(r"^/([a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})?)(/.*)$")


def is_english() -> bool:
    """Whether the active language is English (the language of the report's own text)."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0] == "en"


def english_version(record, field: str) -> str:
    """The English version of a text someone wrote (an update's or an evidence item's
    `field`) when a reader in English should see it instead: it has one, and the text was
    written in another language. Otherwise ""."""
    english = getattr(record, f"{field}_en", "") or ""
    if english and (getattr(record, "language", "") or "en") != "en" and is_english():
        return english
    return ""


def original_named(record) -> str:
    """ "Original (ភាសាខ្មែរ)": what an English version's original is called."""
    language = getattr(record, "language", "")
    return translation.gettext("Original (%(language)s)") % {
        "language": NATIVE_NAMES.get(language, language)
    }


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked_in = translation.get_language_from_path(request.path_info)
        if request.method in ("GET", "HEAD") and asked_in is None:
            preferred = translation.get_language_from_request(request)
            if preferred != settings.LANGUAGE_CODE:
                there = translate_url(request.get_full_path(), preferred)
                if there != request.get_full_path():
                    return _redirect(there)
        response = self.get_response(request)
        if asked_in is None:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        if response.status_code == 404 and asked_in is None:
            return _without_unknown_prefix(request) or response
        return response


def language_for(user) -> str:
    """The language a person's emails are written in: the one they chose in their
    settings; otherwise their first country's (English for network staff)."""
    from tracker import permissions
    from tracker.models import Country, Profile

    available = {code for code, _ in settings.LANGUAGES}
    chosen = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if chosen in available:
        return chosen
    if permissions.is_network_staff(user):
        return settings.LANGUAGE_CODE
    first = Country.objects.filter(pk__in=permissions.focal_country_ids(user)).order_by("pk")
    code = first.values_list("code", flat=True).first()
    language = COUNTRY_LANGUAGES.get(str(code), settings.LANGUAGE_CODE)
    return language if language in available else settings.LANGUAGE_CODE


def by_language(users) -> dict[str, list]:
    """People grouped by the language of their emails."""
    grouped: dict[str, list] = {}
    for user in users:
        grouped.setdefault(language_for(user), []).append(user)
    return grouped


def choices(request) -> dict:
    """Context processor: the languages to switch to, each named in itself."""
    from tracker.calendars import buddhist_era

    return {
        "language_choices": [
            (code, NATIVE_NAMES.get(code, name)) for code, name in settings.LANGUAGES
        ],
        "buddhist_era": buddhist_era(),
    }


def _without_unknown_prefix(request):
    """/xx/countries/kh/ (no language of the site): the page in the default language."""
    found = PREFIX.match(request.path_info)
    if not found:
        return None
    rest = found.group(2)
    try:
        resolve(rest)
    except Resolver404:
        return None
    query = request.META.get("QUERY_STRING", "")
    return _redirect(rest + (f"?{query}" if query else ""))


def _redirect(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
