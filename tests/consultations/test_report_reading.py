"""Reports uploaded for import are kept for their uploader; a PDF is read by the worker."""

import datetime as dt

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations import reading
from consultations.models import ReportFile
from tests.factories import SHIPPED_REPORT

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/consultations/consultation/import/"


def a_pdf_waiting(client, django_capture_on_commit_callbacks) -> tuple[str, list]:
    with django_capture_on_commit_callbacks() as queued:
        asked = client.post(IMPORT_URL, {"file": SimpleUploadedFile("r.pdf", b"%PDF-1.7 x")})
    return asked["Location"], queued


def test_a_report_the_worker_cannot_get_at_is_retried_then_said_to_have_failed(
    staff_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASK_ATTEMPTS = 2
    page, _queued = a_pdf_waiting(staff_client, django_capture_on_commit_callbacks)
    kept = ReportFile.objects.get()

    def unreachable(*args, **kwargs):
        raise OSError("the store did not answer")

    monkeypatch.setattr(FileSystemStorage, "open", unreachable)
    with pytest.raises(OSError):
        reading.read(kept.pk)
    assert "Reading r.pdf" in staff_client.get(page).text  # to be tried again
    with pytest.raises(OSError):
        reading.read(kept.pk)
    failed = staff_client.get(page).text
    assert "r.pdf could not be read, and trying again did not help." in failed
    assert "data-waiting=" not in failed


def test_a_report_is_read_once(staff_client, django_capture_on_commit_callbacks):
    _page, queued = a_pdf_waiting(staff_client, django_capture_on_commit_callbacks)
    queued[0]()
    kept = ReportFile.objects.get()
    assert kept.error and reading.read(kept.pk) == "already read"


def test_a_text_report_is_read_at_once_and_kept_for_its_dry_run(staff_client):
    page = staff_client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("r.txt", SHIPPED_REPORT.read_bytes()), "dry_run": "on"},
    )
    kept = ReportFile.objects.get()
    assert kept.is_read and not kept.file and kept.text.startswith(SHIPPED_REPORT.read_text()[:40])
    assert "Dry run: nothing was saved" in page.text


def test_kept_reports_are_removed_after_an_hour_with_their_files(
    staff_client, django_capture_on_commit_callbacks
):
    a_pdf_waiting(staff_client, django_capture_on_commit_callbacks)
    old = ReportFile.objects.get()
    storage, name = old.file.storage, old.file.name
    ReportFile.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert staff_client.get(f"{IMPORT_URL}?report={old.token}").status_code == 200
    assert "Reading" not in staff_client.get(f"{IMPORT_URL}?report={old.token}").text
    assert reading.purge() == 1
    assert not ReportFile.objects.exists() and not storage.exists(name)
