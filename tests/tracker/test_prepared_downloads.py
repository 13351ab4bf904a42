"""Downloads too big to make within a request are made by the background worker: the
request gets a page that waits for the file, and the file is the one a small request
gets at once."""

import datetime as dt
import io

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import make_update
from tracker import downloads
from tracker.models import PreparedDownload

pytestmark = pytest.mark.django_db

EXPORT = "/progress/export.xlsx?country=KH"
WAITING = "Your file is being made"


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def big(settings):
    """Every spreadsheet of more than one row, every brief of more than one commitment,
    is big."""
    settings.DOWNLOAD_BACKGROUND_ROWS = 1
    settings.BRIEF_BACKGROUND_COMMITMENTS = 1


def test_a_small_export_is_made_at_once_and_nothing_is_kept(client, world):
    response = client.get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert not PreparedDownload.objects.exists()


def test_a_big_export_waits_on_a_page_then_downloads_the_same_file(
    client, world, big, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks() as queued:
        asked = client.get(EXPORT)
    [download] = PreparedDownload.objects.all()
    page = f"/downloads/{download.key}/"
    assert asked.status_code == 302 and asked["Location"] == page
    with django_assert_max_num_queries(3):
        waiting = client.get(page)
    assert WAITING in waiting.text and 'data-waiting="3"' in waiting.text
    assert "gcm-progress-KH-" in waiting.text
    assert client.get(f"{page}file").status_code == 404  # not made yet

    [run] = queued
    run()  # the worker makes it
    with django_assert_max_num_queries(3):
        ready = client.get(page)
    assert "Your file is ready" in ready.text
    assert f'<a href="{page}file" download data-download>' in ready.text
    assert "data-waiting=" not in ready.text
    with django_assert_max_num_queries(3):
        made = client.get(f"{page}file")
    assert made.status_code == 200
    assert made["Content-Disposition"] == f'attachment; filename="{download.filename}"'
    assert 'rel="license"' in made["Link"]

    with override_settings(DOWNLOAD_BACKGROUND_ROWS=10_000):
        at_once = client.get(EXPORT)
    assert sheet_rows(made.content) == sheet_rows(at_once.content)
    assert len(sheet_rows(made.content)) == 3  # the header and Cambodia's two commitments


def test_the_same_file_asked_again_is_made_once_until_the_data_changes(
    client, world, big, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = client.get(EXPORT)
        again = client.get(EXPORT)
    assert first["Location"] == again["Location"] and len(queued) == 1
    make_update(world.kh_31, world.focal_kh, narrative="Done.", accepted_by=world.staff)
    with django_capture_on_commit_callbacks() as queued:
        after_the_change = client.get(EXPORT)
    assert after_the_change["Location"] != first["Location"] and len(queued) == 1
    assert PreparedDownload.objects.count() == 2


def test_a_download_that_keeps_failing_says_so_and_is_tried_afresh_when_asked_again(
    client, world, big, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASK_ATTEMPTS = 2

    def broken(params):
        raise MemoryError("out of memory")

    monkeypatch.setitem(downloads.KINDS, "progress", broken)
    with django_capture_on_commit_callbacks():
        page = client.get(EXPORT)["Location"]
    download = PreparedDownload.objects.get()
    for _attempt in range(2):
        with pytest.raises(MemoryError):
            downloads.make(download.pk)
    failed = client.get(page)
    assert "The file could not be made" in failed.text and "data-waiting=" not in failed.text
    download.refresh_from_db()
    assert download.attempts == 2 and download.error == "MemoryError: out of memory"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert client.get(EXPORT)["Location"] == page
    assert len(queued) == 1
    assert "Your file is ready" in client.get(page).text


def test_a_big_brief_is_made_in_the_language_it_was_asked_in(
    client, world, big, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get("/th/countries/kh/brief.docx")
    download = PreparedDownload.objects.get()
    assert asked["Location"] == f"/th/downloads/{download.key}/"
    assert download.language == "th" and download.filename.startswith("gcm-brief-KH-")
    made = client.get(f"/th/downloads/{download.key}/file")
    assert made.status_code == 200 and made.content.startswith(b"PK")
    with translation.override("th"):
        assert downloads.country_brief(download.params)[:2] == b"PK"


def test_a_big_matrix_and_pdf_brief_are_made_too(
    client, world, big, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matrix = client.get("/progress/matrix.xlsx")
        brief = client.get("/recommendations/BM22-R31/brief.pdf")
    files = {d.kind: client.get(f"/downloads/{d.key}/file") for d in PreparedDownload.objects.all()}
    assert matrix.status_code == brief.status_code == 302
    assert files["matrix"].content.startswith(b"PK")
    assert files["recommendation brief"].content.startswith(b"%PDF")


def test_a_query_that_cannot_be_is_refused_and_nothing_is_made(client, world, big):
    refused = client.get("/progress/export.xlsx?as_of=2024-02-30")
    assert refused.status_code == 400
    assert client.get("/countries/kh/brief.pdf?as_of=someday").status_code == 400
    assert not PreparedDownload.objects.exists()


def test_an_unknown_download_is_not_found(client, world):
    assert client.get("/downloads/" + "0" * 64 + "/").status_code == 404
    assert client.get("/downloads/" + "0" * 64 + "/file").status_code == 404


def test_downloads_are_forgotten_after_their_hours(client, world, big):
    client.get(EXPORT)
    PreparedDownload.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    client.get("/progress/export.xlsx?country=TH")
    assert downloads.forget_old() == 1
    assert PreparedDownload.objects.get().params == {"query": "country=TH"}
