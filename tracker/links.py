"""Addresses on this site: as people elsewhere open them (SITE_URL), in emails, downloads,
briefs and the API; and as its own pages link them (`path`)."""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


@dataclass(frozen=True, slots=True)
class Here:
    """What a page's links depend on: the active language and the script prefix. A table
    looks them up once for its rows (`here()`), not twice for each of its links."""

    language: str | None
    prefix: str


def here() -> Here:
    return Here(get_language(), get_script_prefix())


def path(name: str, *args, at: Here | None = None) -> str:
    """The path of a page, in the active language: worked out once per page and language
    (a table of fifty rows links fifty recommendations and countries). `at`: the active
    language and prefix, when looked up already (`here()`)."""
    at = at or here()
    return _path(name, args, at.language, at.prefix)


@functools.lru_cache(maxsize=20_000)
def _path(name: str, args: tuple, language: str | None, prefix: str) -> str:
    return reverse(name, args=args)


def recommendation_path(code: str, at: Here | None = None) -> str:
    """A recommendation's page, by its code, as this site links it."""
    return path("tracker:recommendation_detail", code, at=at)


def progress(**query) -> str:
    """The progress table with these facets (`country="kh"`, `objective=3`)."""
    return f"{path('tracker:progress_table')}?{urlencode(query)}"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def page(name: str, *args) -> str:
    return absolute(reverse(name, args=args))


def recommendation_page(code: str) -> str:
    return page("tracker:recommendation_detail", code)


def commitment_page(code: str, country_code: str) -> str:
    """A commitment: its country's row on its recommendation's page."""
    return f"{recommendation_page(code)}#{country_code.lower()}"
