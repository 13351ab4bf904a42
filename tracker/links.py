"""Addresses on this site as people elsewhere open them (SITE_URL): in emails, downloads,
briefs and the API."""

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def page(name: str, *args) -> str:
    return absolute(reverse(name, args=args))


def recommendation_page(code: str) -> str:
    return page("tracker:recommendation_detail", code)


def commitment_page(code: str, country_code: str) -> str:
    """A commitment: its country's row on its recommendation's page."""
    return f"{recommendation_page(code)}#{country_code.lower()}"
