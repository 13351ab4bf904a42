"""Reports imported as the network publishes and drafts them: a Word document (and a PDF,
in test_pdf_reports) gives exactly what the text file gives, by the command and by the
admin's upload; other formats are refused naming the format; a problem in a document is
named by its place in the document, not by a line of text the reader never saw."""

import io
import re
import zipfile

import pytest
from django.core.files.storage import storages as default_storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from consultations.documents import DocumentError, read_report
from consultations.importer import import_report_file
from consultations.models import Consultation, Paragraph, Recommendation, ReportFile
from tests.consultations.test_word_reports import literal_docx, numbered_docx, shipped_text

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/consultations/consultation/import/"


def stored() -> list[tuple]:
    return list(
        Paragraph.objects.order_by("number").values_list(
            "number", "text", "section__key", "countries"
        )
    ) + list(Recommendation.objects.order_by("code").values_list("code", "paragraph__number"))


@pytest.fixture
def from_text() -> list[tuple]:
    """What importing the report as text stores; the database is emptied afterwards."""
    import_report_file(shipped_text().encode())
    result = stored()
    Recommendation.objects.all().delete()
    Consultation.objects.all().delete()
    return result


@pytest.mark.parametrize("build", [literal_docx, numbered_docx], ids=["typed", "numbered"])
def test_a_word_document_imports_exactly_as_the_text(from_text, build):
    result = import_report_file(build(shipped_text()), source_name="report.docx")
    assert stored() == from_text
    assert result.counts["paragraphs"] == 74 and result.counts["recommendations"] == 14
    assert Consultation.objects.get().source_file == "report.docx"


def test_a_pdf_is_read_in_the_background_then_dry_run_then_imported_exactly_as_the_text(
    from_text, staff_client, settings, django_capture_on_commit_callbacks
):
    from tests.consultations.test_pdf_reports import render, report_html

    pdf = render(report_html(shipped_text()))
    with django_capture_on_commit_callbacks() as queued:
        asked = staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("report.pdf", pdf)})
    assert asked.status_code == 302 and asked["Location"].startswith(f"{IMPORT_URL}?report=")
    waiting = staff_client.get(asked["Location"])
    assert "Reading report.pdf" in waiting.text
    assert 'data-waiting="3"' in waiting.text
    kept = ReportFile.objects.get()
    assert kept.file.name and default_storages["uploads"].exists(kept.file.name)
    assert not Consultation.objects.exists()

    [read] = queued
    read()  # the worker reads it
    kept.refresh_from_db()
    assert kept.is_read and not kept.file  # the file is deleted once read
    page = staff_client.get(asked["Location"])
    assert "Dry run: nothing was saved" in page.text and "data-waiting=" not in page.text
    assert "74 paragraphs, 14 recommendations" in page.text
    assert not Consultation.objects.exists()
    assert f'name="pending" value="{kept.token}"' in page.text

    imported = staff_client.post(IMPORT_URL, {"pending": kept.token})
    assert "74 paragraphs, 14 recommendations" in imported.text
    assert "Dry run: nothing was saved" not in imported.text
    assert stored() == from_text
    assert Consultation.objects.get().source_file == "report.pdf"
    assert not ReportFile.objects.exists()


def test_a_report_being_read_is_only_its_uploaders(
    staff_client, django_capture_on_commit_callbacks
):
    from tests.factories import make_staff

    with django_capture_on_commit_callbacks():
        asked = staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("r.pdf", b"%PDF-1.7")})
    staff_client.force_login(make_staff("other.staff"))
    page = staff_client.get(asked["Location"])
    assert "Reading" not in page.text and "r.pdf" not in page.text


def test_a_problem_in_a_pdf_names_its_page(tmp_path):
    from tests.consultations.test_pdf_reports import render, report_html

    text = shipped_text().replace("\n33. Fully", "\n32. Fully")
    path = tmp_path / "edited.pdf"
    path.write_bytes(render(report_html(text)))
    with pytest.raises(CommandError) as problem:
        call_command("import_report", str(path))
    assert re.search(
        r"edited\.pdf, page \d+: paragraph 32 is numbered twice \(first at page \d+\)",
        str(problem.value),
    )
    assert Consultation.objects.count() == 0


def test_the_command_imports_a_word_document(tmp_path, capsys):
    path = tmp_path / "report.docx"
    path.write_bytes(numbered_docx(shipped_text()))
    call_command("import_report", str(path))
    assert Recommendation.objects.count() == 14
    assert "74 paragraphs, 14 recommendations" in capsys.readouterr().out


def test_the_admin_imports_a_word_document(staff_client):
    upload = SimpleUploadedFile("report.docx", literal_docx(shipped_text()))
    page = staff_client.post(IMPORT_URL, {"file": upload})
    assert "74 paragraphs, 14 recommendations" in page.text
    assert Recommendation.objects.count() == 14


def test_a_problem_in_a_word_document_names_its_paragraph(tmp_path):
    text = shipped_text().replace("\n33. Fully", "\n32. Fully")
    with pytest.raises(Exception) as problem:
        import_report_file(literal_docx(text))
    message = str(problem.value)
    assert message.startswith("paragraph ") and " of the document (“32. Fully vaccinated" in (
        message
    )
    assert "paragraph 32 is numbered twice (first at paragraph " in message
    assert "line" not in message
    assert Consultation.objects.count() == 0


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"{\\rtf1\\ansi Report}", "an RTF document"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "a PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(40), "a JPEG image"),
        (b"GIF89a" + bytes(40), "a GIF image"),
        (b"II*\x00" + bytes(40), "a TIFF image"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a WebP image"),
        (b"<!DOCTYPE html><html><body>1. Text</body></html>", "a web page (HTML)"),
        (b"\n  <html lang='en'><p>1. Text</p></html>", "a web page (HTML)"),
    ],
)
def test_other_formats_are_refused_naming_the_format(data, named):
    with pytest.raises(DocumentError) as refusal:
        read_report(data)
    assert str(refusal.value) == (
        f"the whole file: this is {named}"
        + ("" if "HTML" not in named else " or an XML file")
        + "; a report must be a PDF, a Word document (.docx) or plain text"
    )


def test_an_opendocument_text_is_refused_naming_it():
    odt = zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>",
        }
    )
    with pytest.raises(DocumentError, match=r"OpenDocument text \(\.odt\)"):
        read_report(odt)


def test_a_refused_upload_changes_nothing_and_says_why(staff_client):
    upload = SimpleUploadedFile(
        "report.odt", zip_of({"mimetype": b"application/vnd.oasis.opendocument.text"})
    )
    page = staff_client.post(IMPORT_URL, {"file": upload})
    assert "report.odt, the whole file: this is an OpenDocument text (.odt)" in page.text
    assert "Nothing was changed" in page.text
    assert Consultation.objects.count() == 0


def test_the_command_refuses_an_image_naming_it(tmp_path):
    path = tmp_path / "scan.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(CommandError, match="this is a PNG image"):
        call_command("import_report", str(path))
    assert Consultation.objects.count() == 0
