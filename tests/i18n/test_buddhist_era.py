"""Thai readers may read years of the Buddhist Era (the Gregorian year + 543) on the
pages; downloads keep ISO dates, and other languages their own years."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_update
from tracker.calendars import year_swapped

pytestmark = pytest.mark.django_db


def test_the_year_codes_become_the_buddhist_era_year():
    assert year_swapped("j M Y", 2026) == "j M \\2\\5\\6\\9"
    assert year_swapped("j M y, H:i", 2026) == "j M \\6\\9, H:i"
    assert year_swapped("\\Y j M Y", 2026) == "\\Y j M \\2\\5\\6\\9"  # an escaped Y is text


def test_a_thai_reader_chooses_buddhist_era_years(client, world):
    make_update(world.kh_31, world.focal_kh, narrative="ก้าวหน้า", accepted_by=world.staff)
    year = timezone.localdate().year
    page = client.get("/th/recommendations/BM22-R31/")
    assert f" {year}" in page.text and f" {year + 543}" not in page.text
    chosen = client.post("/calendar/", {"calendar": "be", "next": "/th/recommendations/BM22-R31/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/th/recommendations/BM22-R31/"
    page = client.get("/th/recommendations/BM22-R31/")
    assert f" {year + 543}" in page.text
    assert f'datetime="{year}-' in page.text  # machine-readable dates stay Gregorian
    assert 'name="calendar" value="be" aria-current="true"' in page.text
    assert f"/{year + 543}" in client.get("/th/countries/kh/").text  # quarters too
    # Downloads keep ISO dates; another language keeps its years.
    download = client.get("/th/progress/export.csv")
    export = b"".join(download.streaming_content).decode("utf-8-sig")
    assert str(year + 543) not in export and str(dt.date.today().year) in export
    assert f" {year + 543}" not in client.get("/km/recommendations/BM22-R31/").text
    # Back to Gregorian years.
    client.post("/calendar/", {"calendar": "ce", "next": "/th/recommendations/BM22-R31/"})
    assert f" {year + 543}" not in client.get("/th/recommendations/BM22-R31/").text


def test_the_switch_goes_back_only_to_this_site(client, world):
    away = client.post("/calendar/", {"calendar": "be", "next": "https://elsewhere.example/"})
    assert away["Location"] == "/"
