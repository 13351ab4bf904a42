"""Addresses on this site: as people elsewhere open them (SITE_URL), in emails, downloads,
briefs and the API; and as its own pages link them (`path`)."""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


def path(name: str, *args) -> str:
    """The path of a page, in the active language: worked out once per page and language
    (a table of fifty rows links fifty recommendations and countries)."""
    return _path(name, args, get_language(), get_script_prefix())


@functools.lru_cache(maxsize=20_000)
def _path(name: str, args: tuple, language: str | None, prefix: str) -> str:
    return reverse(name, args=args)


def recommendation_path(code: str) -> str:
    """A recommendation's page, by its code, as this site links it."""
    return path("tracker:recommendation_detail", code)


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
