"""Reports uploaded to the admin's import, between their upload and their import.

`keep` keeps one for its uploader. A PDF (whose reading takes seconds) waits in the
uploads storage for the background worker, which reads it (`read`) and deletes the file;
any other format is read at once. Either way what is kept is the text the file was read
into, which the dry run and the import use (`document`), so a file is read once however
often it is tried. Kept an hour at most (PENDING), for its uploader only."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from consultations import documents
from consultations.models import ReportFile
from consultations.report_parser import ReportError
from consultations.tasks import later, read_report_file

PENDING = dt.timedelta(hours=1)


def is_read_later(data: bytes) -> bool:
    return data.startswith(b"%PDF")


def keep(*, user, data: bytes, name: str, options: dict) -> ReportFile:
    """Keep an uploaded report: read now, or queued for the worker (a PDF). Raises
    ReportError for a file that is not a report that can be read now."""
    purge()
    report = ReportFile(
        token=secrets.token_urlsafe(16),
        user=user,
        name=name[:255],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        options=options,
    )
    if not is_read_later(data):
        _read_into(report, documents.read_report(data))
        report.save()
        return report
    report.file.save(f"{report.token}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            report.save()
            later(read_report_file, report.pk)
    except BaseException:
        report.file.delete(save=False)
        raise
    return report


def find(*, user, token: str) -> ReportFile | None:
    """The user's kept report of this token, unless it expired."""
    return (
        ReportFile.objects.filter(token=token, user=user, created_at__gt=timezone.now() - PENDING)
        .defer("text", "places")
        .first()
    )


def read(report_id: int) -> str:
    """Read a kept PDF into text (the background task). A file that is not a report that
    can be read is refused, in words, and not tried again; anything else raises, for the
    task to be retried."""
    report = ReportFile.objects.filter(pk=report_id).first()
    if report is None:
        return "gone"
    if report.is_read or report.error:
        return "already read"
    ReportFile.objects.filter(pk=report.pk).update(attempts=report.attempts + 1)
    with report.file.open("rb") as kept:
        data = kept.read()
    with translation.override(report.language):
        try:
            document = documents.read_report(data)
        except ReportError as error:
            report.error = f"{report.name}, {error}"
        else:
            _read_into(report, document)
    report.attempts += 1
    report.save()
    report.file.delete(save=True)
    return "refused" if report.error else "read"


def _read_into(report: ReportFile, document: documents.ExtractedText) -> None:
    report.text = document.text
    report.places = list(document.places)
    report.warnings = [str(warning) for warning in document.warnings]
    report.read_at = timezone.now()


def document(report: ReportFile) -> documents.ExtractedText:
    report = ReportFile.objects.get(pk=report.pk)
    return documents.ExtractedText(report.text, tuple(report.places), tuple(report.warnings))


def has_failed(report: ReportFile) -> bool:
    """Tried as often as a task is, and not read (nor refused)."""
    return not report.is_read and not report.error and report.attempts >= settings.TASK_ATTEMPTS


def purge() -> int:
    """Remove the reports kept longer than PENDING, with their files; returns how many."""
    expired = ReportFile.objects.filter(created_at__lte=timezone.now() - PENDING)
    for report in expired.exclude(file=""):
        report.file.delete(save=False)
    return expired.delete()[0]
