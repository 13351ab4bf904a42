"""Evidence files: checked by content and size, and internal ones served only to those allowed."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_evidence
from tests.forms import form_data
from tracker.models import Evidence
from tracker.validators import sniff_kind, validate_evidence_file

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:tracker_evidence_add")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
PLAIN_ZIP = zipped({"notes.txt": b"just some notes"})


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- what is accepted ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("circular.pdf", PDF, "pdf"),
        ("photo.png", PNG, "png"),
        ("photo.jpg", JPEG, "jpeg"),
        ("photo.JPEG", JPEG, "jpeg"),
        ("decree.docx", DOCX, "docx"),
        ("budget.xlsx", XLSX, "xlsx"),
        ("minutes.odt", ODT, "odt"),
    ],
)
def test_real_documents_are_recognised_and_accepted(name, data, kind):
    file = upload(name, data)
    assert sniff_kind(file) == kind
    validate_evidence_file(file)  # raises when refused


def test_checking_a_file_leaves_it_readable_from_the_start():
    file = upload("decree.docx", DOCX)
    validate_evidence_file(file)
    assert file.read() == DOCX


# --- what is refused -------------------------------------------------------------------


def refusal(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_evidence_file(upload(name, data))
    return caught.value


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", EXE),
        ("report.pdf", bytes(range(256)) * 4),
        ("report.pdf", b"Just some text pretending to be a PDF"),
        ("decree.docx", PLAIN_ZIP),
        ("decree.docx", b"PK\x03\x04 but not really a zip at all"),
    ],
    ids=["executable", "random-bytes", "text", "plain-zip", "broken-zip"],
)
def test_file_of_an_unaccepted_kind_is_refused_whatever_its_name(name, data):
    error = refusal(name, data)
    assert error.code == "wrong_type"
    assert error.messages == [
        "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or "
        "OpenDocument text (ODT) file."
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", PNG, "The file's content is PNG but its name ends differently; "
         "rename it to .png."),
        ("photo.png", PDF, "The file's content is PDF but its name ends differently; "
         "rename it to .pdf."),
        ("sheet.xlsx", DOCX, "The file's content is DOCX but its name ends differently; "
         "rename it to .docx."),
        ("minutes.docx", ODT, "The file's content is ODT but its name ends differently; "
         "rename it to .odt."),
    ],
)  # fmt: skip
def test_file_whose_content_does_not_match_its_name_is_refused(name, data, message):
    error = refusal(name, data)
    assert error.code == "wrong_extension"
    assert error.messages == [message]


def test_small_zip_that_unpacks_to_a_huge_part_is_checked_without_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + bytes(2**25))
    bomb = upload("minutes.odt", buffer.getvalue())
    assert bomb.size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            validate_evidence_file(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"checking a {bomb.size}-byte upload took {peak} bytes"


def test_file_over_the_size_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    error = refusal("circular.pdf", PDF.ljust(150, b"\n"))
    assert error.code == "too_large"
    assert error.messages == [
        "The file is 150\xa0bytes; the largest evidence file accepted is 100\xa0bytes."
    ]


def test_file_exactly_at_the_size_limit_is_accepted(settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF)
    validate_evidence_file(upload("circular.pdf", PDF))


# --- adding evidence in the admin ------------------------------------------------------


def evidence_form(client, world, **changes) -> dict:
    page = client.get(ADD_URL)
    assert page.status_code == 200
    fields = {
        "commitment": str(world.kh_31.pk),
        "date": "2024-03-01",
        "title": "Ministerial circular",
        "note": "Signed by the minister.",
        "url": "",
        "visibility": "internal",
        **changes,
    }
    return form_data(page.text, "evidence_form", **fields)


def test_focal_point_adds_evidence_with_a_file(
    kh_client, world, media, django_assert_max_num_queries
):
    data = evidence_form(kh_client, world, file=upload("circular.pdf", PDF))
    with django_assert_max_num_queries(14):
        response = kh_client.post(ADD_URL, data)
    assert response.status_code == 302
    with django_assert_max_num_queries(12):
        listing = kh_client.get(response.url)
    assert "was added successfully" in listing.text
    assert "Ministerial circular" in listing.text
    evidence = Evidence.objects.get()
    assert evidence.commitment == world.kh_31
    assert evidence.added_by == world.focal_kh
    assert evidence.visibility == Evidence.Visibility.INTERNAL
    assert evidence.file.name.endswith(".pdf")
    assert (media / evidence.file.name).read_bytes() == PDF


def test_focal_point_sees_why_a_disguised_file_is_refused(
    kh_client, world, media, django_assert_max_num_queries
):
    data = evidence_form(kh_client, world, file=upload("report.pdf", EXE))
    with django_assert_max_num_queries(12):
        response = kh_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or" in response.text
    assert Evidence.objects.count() == 0
    assert not any(media.rglob("*.pdf"))


def test_focal_point_sees_why_a_renamed_image_is_refused(kh_client, world, media):
    data = evidence_form(kh_client, world, file=upload("circular.pdf", PNG))
    response = kh_client.post(ADD_URL, data)
    assert "rename it to .png" in response.text
    assert Evidence.objects.count() == 0


def test_focal_point_sees_why_an_oversized_file_is_refused(kh_client, world, media, settings):
    settings.EVIDENCE_MAX_BYTES = 50
    data = evidence_form(kh_client, world, file=upload("circular.pdf", PDF))
    response = kh_client.post(ADD_URL, data)
    assert "the largest evidence file accepted is 50\xa0bytes" in response.text
    assert Evidence.objects.count() == 0


# --- downloading -----------------------------------------------------------------------


def file_url(evidence) -> str:
    return reverse("tracker:evidence_file", args=[evidence.pk])


@pytest.fixture
def public_file(world, media):
    return make_evidence(
        world.kh_31, world.focal_kh, visibility="public", file=upload("circular.pdf", PDF)
    )


@pytest.fixture
def internal_file(world, media):
    return make_evidence(
        world.kh_31, world.focal_kh, visibility="internal", file=upload("draft.docx", DOCX)
    )


def test_anyone_downloads_a_public_evidence_file(
    client, public_file, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(file_url(public_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_public_evidence_file_gives_its_name(client, public_file):
    response = client.get(file_url(public_file))
    assert 'filename="circular' in response["Content-Disposition"]


def test_anonymous_visitor_cannot_download_internal_evidence(
    client, internal_file, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(file_url(internal_file))
    assert response.status_code == 404
    assert DOCX not in response.content


def test_other_countrys_focal_point_cannot_download_internal_evidence(
    client, world, internal_file, django_assert_max_num_queries
):
    client.force_login(world.focal_th)
    with django_assert_max_num_queries(5):
        response = client.get(file_url(internal_file))
    assert response.status_code == 404


def test_outsider_cannot_download_internal_evidence(
    client, outsider, internal_file, django_assert_max_num_queries
):
    client.force_login(outsider)
    with django_assert_max_num_queries(5):
        response = client.get(file_url(internal_file))
    assert response.status_code == 404


def test_countrys_focal_point_downloads_internal_evidence(
    kh_client, internal_file, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        response = kh_client.get(file_url(internal_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DOCX


def test_staff_download_internal_evidence(
    staff_client, internal_file, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        response = staff_client.get(file_url(internal_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DOCX


def test_evidence_without_a_file_has_nothing_to_download(
    staff_client, world, django_assert_max_num_queries
):
    evidence = make_evidence(world.kh_31, world.focal_kh, url="https://example.org/circular")
    assert evidence.get_file_url() == ""
    with django_assert_max_num_queries(5):
        response = staff_client.get(file_url(evidence))
    assert response.status_code == 404


def test_unknown_evidence_has_nothing_to_download(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("tracker:evidence_file", args=[999_999]))
    assert response.status_code == 404


def test_focal_point_edits_evidence_and_keeps_its_file(
    kh_client, world, media, django_assert_max_num_queries
):
    evidence = make_evidence(
        world.kh_31, world.focal_kh, visibility="internal", file=upload("circular.pdf", PDF)
    )
    url = reverse("admin:tracker_evidence_change", args=[evidence.pk])
    page = kh_client.get(url)
    data = form_data(page.text, "evidence_form", title="Signed ministerial circular", url="")
    with django_assert_max_num_queries(14):
        response = kh_client.post(url, data)
    assert response.status_code == 302, response.text
    evidence.refresh_from_db()
    assert evidence.title == "Signed ministerial circular"
    assert (media / evidence.file.name).read_bytes() == PDF


# --- adding evidence on the commitment's page ------------------------------------------


def commitment_form_with_evidence(client, commitment, file) -> tuple[str, dict]:
    url = reverse("admin:tracker_commitment_change", args=[commitment.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.text, "commitment_form")
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-commitment": str(commitment.pk),
            "evidence-0-date": "2024-03-01",
            "evidence-0-title": "Ministerial circular",
            "evidence-0-note": "",
            "evidence-0-url": "",
            "evidence-0-visibility": "internal",
            "evidence-0-file": file,
        }
    )
    return url, data


def test_focal_point_adds_a_file_on_the_commitment_page(
    kh_client, world, media, django_assert_max_num_queries
):
    url, data = commitment_form_with_evidence(kh_client, world.kh_31, upload("budget.xlsx", XLSX))
    with django_assert_max_num_queries(20):
        response = kh_client.post(url, data)
    assert response.status_code == 302, response.text
    evidence = Evidence.objects.get()
    assert evidence.added_by == world.focal_kh
    assert (media / evidence.file.name).read_bytes() == XLSX


def test_disguised_file_is_refused_on_the_commitment_page_too(
    kh_client, world, media, django_assert_max_num_queries
):
    url, data = commitment_form_with_evidence(kh_client, world.kh_31, upload("budget.xlsx", EXE))
    with django_assert_max_num_queries(20):
        response = kh_client.post(url, data)
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or" in response.text
    assert Evidence.objects.count() == 0
