"""Evidence files: checked by content and size, kept where no URL serves them, linked only
through /evidence/<pk>/file/, and internal ones (or those of an update not accepted yet)
served only to those allowed.

Focal points add evidence, with its files, as rows of a progress update (prefix `evidence`);
network staff add it on the commitment's page or the Evidence form.
"""

import html
import io
import tracemalloc
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_evidence, make_update
from tests.forms import form_data
from tracker import review
from tracker.models import Evidence, ProgressUpdate
from tracker.validators import sniff_kind, validate_evidence_file

pytestmark = pytest.mark.django_db

EVIDENCE_ADD_URL = reverse("admin:tracker_evidence_add")
UPDATE_ADD_URL = reverse("admin:tracker_progressupdate_add")

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
    """MEDIA_ROOT, apart from the evidence storage: evidence files never land in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def evidence_root(settings) -> Path:
    """Where the evidence storage keeps files in this test (see tests/conftest.py)."""
    return Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])


def stored(evidence) -> bytes:
    with evidence.file.open("rb") as file:
        return file.read()


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


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


# --- focal points: evidence files come with a progress update -------------------------


def update_url(update) -> str:
    return reverse("admin:tracker_progressupdate_change", args=[update.pk])


def update_form(client, commitment, file, *, visibility="internal", **changes) -> dict:
    """The add form of a progress update, as a focal point fills it, with one evidence row
    carrying `file`."""
    page = client.get(UPDATE_ADD_URL, {"commitment": commitment.pk})
    assert page.status_code == 200
    fields = {
        "_save": "Save",
        "status": "in_progress",
        "narrative": "The circular was signed.",
        "evidence-TOTAL_FORMS": "1",
        "evidence-0-date": "2024-03-01",
        "evidence-0-title": "Ministerial circular",
        "evidence-0-note": "Signed by the minister.",
        "evidence-0-url": "",
        "evidence-0-visibility": visibility,
        "evidence-0-file": file,
        **changes,
    }
    return form_data(page.text, "progressupdate_form", **fields)


def test_focal_point_adds_evidence_with_a_file_to_their_update(
    kh_client, world, media, evidence_root, django_assert_max_num_queries
):
    data = update_form(kh_client, world.kh_31, upload("circular.pdf", PDF), visibility="public")
    with django_assert_max_num_queries(35):
        response = kh_client.post(UPDATE_ADD_URL, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    with django_assert_max_num_queries(15):
        listing = kh_client.get(response.url)
    assert "Submitted for review" in listing.text
    update = ProgressUpdate.objects.get()
    assert update.author == world.focal_kh
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    evidence = Evidence.objects.get()
    assert evidence.update == update
    assert evidence.commitment == world.kh_31
    assert evidence.added_by == world.focal_kh
    assert not evidence.set_by_staff
    assert evidence.visibility == Evidence.Visibility.PUBLIC
    assert evidence.file.name.endswith(".pdf")
    assert stored(evidence) == PDF
    # Kept in the evidence storage, never under MEDIA_ROOT.
    assert Path(evidence.file.path).is_relative_to(evidence_root)
    assert files_in(media) == []


def test_focal_points_file_is_public_only_once_their_update_is_accepted(client, world, media):
    client.force_login(world.focal_kh)
    data = update_form(client, world.kh_31, upload("circular.pdf", PDF), visibility="public")
    assert client.post(UPDATE_ADD_URL, data).status_code == 302
    evidence, update = Evidence.objects.get(), ProgressUpdate.objects.get()
    client.logout()
    assert not Evidence.objects.public().exists()
    assert client.get(file_url(evidence)).status_code == 404
    review.accept(update, by=world.staff, seen_version=update.version)
    response = client.get(file_url(evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_focal_point_saves_a_draft_with_a_file(kh_client, world, media):
    data = update_form(kh_client, world.kh_31, upload("budget.xlsx", XLSX), _continue="draft")
    assert kh_client.post(UPDATE_ADD_URL, data).status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.review_state == ProgressUpdate.ReviewState.DRAFT
    assert stored(update.evidence.get()) == XLSX


def assert_nothing_saved(evidence_root, media, mailoutbox) -> None:
    assert ProgressUpdate.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert files_in(evidence_root) == []
    assert files_in(media) == []
    assert mailoutbox == []  # nobody was told of an update to review


@pytest.mark.parametrize(
    "button", [{"_save": "Save"}, {"_continue": "draft"}], ids=["save", "draft"]
)
def test_focal_point_sees_why_a_disguised_file_is_refused(
    kh_client,
    world,
    media,
    evidence_root,
    mailoutbox,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
    button,
):
    buttons = {"_save": None, **button}
    data = update_form(kh_client, world.kh_31, upload("report.pdf", EXE), **buttons)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(18):
        response = kh_client.post(UPDATE_ADD_URL, data)
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or" in response.text
    assert "The circular was signed." in response.text  # what they wrote is still there
    assert_nothing_saved(evidence_root, media, mailoutbox)


def test_focal_point_sees_why_a_renamed_image_is_refused(
    kh_client, world, media, evidence_root, mailoutbox
):
    data = update_form(kh_client, world.kh_31, upload("circular.pdf", PNG))
    response = kh_client.post(UPDATE_ADD_URL, data)
    assert response.status_code == 200
    # What the page says, however the apostrophe is escaped.
    assert "The file's content is PNG but its name ends differently; rename it to .png." in (
        html.unescape(response.text)
    )
    assert_nothing_saved(evidence_root, media, mailoutbox)


def test_focal_point_sees_why_an_oversized_file_is_refused(
    kh_client, world, media, evidence_root, mailoutbox, settings
):
    settings.EVIDENCE_MAX_BYTES = 50
    data = update_form(kh_client, world.kh_31, upload("circular.pdf", PDF))
    response = kh_client.post(UPDATE_ADD_URL, data)
    assert response.status_code == 200
    assert "the largest evidence file accepted is 50\xa0bytes" in response.text
    assert_nothing_saved(evidence_root, media, mailoutbox)


def test_disguised_file_added_to_a_waiting_update_is_refused_and_changes_nothing(
    kh_client, world, media, evidence_root
):
    update = make_update(world.kh_31, world.focal_kh)
    url = update_url(update)
    data = form_data(
        kh_client.get(url).text,
        "progressupdate_form",
        narrative="Changed text that must not be saved.",
        _save="Save",
        **{
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-date": "2024-03-01",
            "evidence-0-title": "Budget",
            "evidence-0-visibility": "internal",
            "evidence-0-file": upload("budget.xlsx", EXE),
        },
    )
    response = kh_client.post(url, data)
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or" in response.text
    fresh = ProgressUpdate.objects.get(pk=update.pk)
    assert (fresh.narrative, fresh.version) == (update.narrative, update.version)
    assert Evidence.objects.count() == 0
    assert files_in(evidence_root) == []


def test_focal_point_edits_their_updates_evidence_and_keeps_its_file(
    kh_client, world, media, django_assert_max_num_queries
):
    update = make_update(world.kh_31, world.focal_kh)
    evidence = make_evidence(
        world.kh_31,
        world.focal_kh,
        update=update,
        visibility="internal",
        file=upload("circular.pdf", PDF),
    )
    url = update_url(update)
    data = form_data(
        kh_client.get(url).text,
        "progressupdate_form",
        _save="Save",
        **{"evidence-0-title": "Signed ministerial circular"},
    )
    with django_assert_max_num_queries(30):
        response = kh_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    evidence.refresh_from_db()
    assert evidence.title == "Signed ministerial circular"
    assert stored(evidence) == PDF
    # A new version: a reviewer who read the old one cannot accept it unseen.
    assert ProgressUpdate.objects.get(pk=update.pk).version > update.version


def test_focal_point_adds_a_file_to_a_returned_update_and_saves_it_as_a_draft(
    kh_client, world, media
):
    update = make_update(world.kh_31, world.focal_kh)
    review.return_for_changes(
        update, by=world.staff, comment="Attach the budget.", seen_version=update.version
    )
    url = update_url(update)
    data = form_data(
        kh_client.get(url).text,
        "progressupdate_form",
        _continue="draft",
        **{
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-date": "2024-03-01",
            "evidence-0-title": "Budget",
            "evidence-0-visibility": "internal",
            "evidence-0-file": upload("budget.xlsx", XLSX),
        },
    )
    response = kh_client.post(url, data, follow=True)
    assert "Saved as a draft" in response.text
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.DRAFT
    assert stored(update.evidence.get()) == XLSX


def test_focal_point_changes_a_waiting_updates_file_only_with_the_update(kh_client, world, media):
    update = make_update(world.kh_31, world.focal_kh)
    evidence = make_evidence(
        world.kh_31, world.focal_kh, update=update, visibility="internal", file=upload("a.pdf", PDF)
    )
    seen_by_reviewer = update.version
    url = reverse("admin:tracker_evidence_change", args=[evidence.pk])
    data = form_data(
        kh_client.get(url).text,
        "evidence_form",
        visibility="public",
        file=upload("other.pdf", PDF + b"% another document\n"),
        _save="Save",
    )
    response = kh_client.post(url, data)
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.visibility == Evidence.Visibility.INTERNAL
    assert stored(evidence) == PDF
    assert ProgressUpdate.objects.get(pk=update.pk).version == seen_by_reviewer


def test_focal_point_cannot_add_evidence_on_the_evidence_form(
    kh_client, world, media, evidence_root
):
    assert kh_client.get(EVIDENCE_ADD_URL).status_code == 403
    data = {
        "commitment": str(world.kh_31.pk),
        "date": "2024-03-01",
        "title": "Ministerial circular",
        "visibility": "public",
        "file": upload("circular.pdf", PDF),
    }
    assert kh_client.post(EVIDENCE_ADD_URL, data).status_code == 403
    assert Evidence.objects.count() == 0
    assert files_in(evidence_root) == []


def test_focal_point_cannot_change_staffs_evidence_file(kh_client, world, media):
    evidence = make_evidence(
        world.kh_31, world.staff, visibility="public", file=upload("circular.pdf", PDF)
    )
    url = reverse("admin:tracker_evidence_change", args=[evidence.pk])
    page = kh_client.get(url)
    assert page.status_code == 200  # to read
    data = form_data(
        page.text, "evidence_form", title="Replaced", file=upload("x.pdf", PDF), _save="Save"
    )
    assert kh_client.post(url, data).status_code == 403
    evidence.refresh_from_db()
    assert evidence.title == "Ministerial circular"
    assert stored(evidence) == PDF


# --- staff: evidence files on the commitment's page and the Evidence form -------------


def commitment_form_with_evidence(client, commitment, file) -> tuple[str, dict]:
    url = reverse("admin:tracker_commitment_change", args=[commitment.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.text, "commitment_form", _save="Save")
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


def test_staff_add_a_file_on_the_commitment_page(
    staff_client, world, media, django_assert_max_num_queries
):
    url, data = commitment_form_with_evidence(
        staff_client, world.kh_31, upload("budget.xlsx", XLSX)
    )
    with django_assert_max_num_queries(20):
        response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    evidence = Evidence.objects.get()
    assert evidence.added_by == world.staff
    assert evidence.set_by_staff
    assert evidence.update is None
    assert stored(evidence) == XLSX
    assert files_in(media) == []


def test_disguised_file_is_refused_on_the_commitment_page_too(
    staff_client, world, media, evidence_root, django_assert_max_num_queries
):
    before = world.kh_31.version
    url, data = commitment_form_with_evidence(staff_client, world.kh_31, upload("budget.xlsx", EXE))
    data["lead_agency"] = "Ministry of Interior"
    with django_assert_max_num_queries(18):
        response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or" in response.text
    assert Evidence.objects.count() == 0
    assert files_in(evidence_root) == []
    world.kh_31.refresh_from_db()
    assert (world.kh_31.lead_agency, world.kh_31.version) == ("", before)


def test_focal_point_cannot_add_files_on_the_commitment_page(
    kh_client, world, media, evidence_root
):
    url, data = commitment_form_with_evidence(kh_client, world.kh_31, upload("budget.xlsx", XLSX))
    assert kh_client.post(url, data).status_code == 403
    assert Evidence.objects.count() == 0
    assert files_in(evidence_root) == []


def test_staff_add_evidence_with_a_file_on_the_evidence_form(
    staff_client, world, media, django_assert_max_num_queries
):
    page = staff_client.get(EVIDENCE_ADD_URL)
    data = form_data(
        page.text,
        "evidence_form",
        commitment=str(world.kh_31.pk),
        date="2024-03-01",
        title="Ministerial circular",
        note="Signed by the minister.",
        visibility="internal",
        file=upload("circular.pdf", PDF),
        _save="Save",
    )
    with django_assert_max_num_queries(14):
        response = staff_client.post(EVIDENCE_ADD_URL, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    with django_assert_max_num_queries(12):
        listing = staff_client.get(response.url)
    assert "was added successfully" in listing.text
    evidence = Evidence.objects.get()
    assert (evidence.commitment, evidence.added_by) == (world.kh_31, world.staff)
    assert stored(evidence) == PDF


def test_staff_edit_evidence_and_keep_its_file(
    staff_client, world, media, django_assert_max_num_queries
):
    evidence = make_evidence(
        world.kh_31, world.staff, visibility="internal", file=upload("circular.pdf", PDF)
    )
    url = reverse("admin:tracker_evidence_change", args=[evidence.pk])
    page = staff_client.get(url)
    data = form_data(
        page.text, "evidence_form", title="Signed ministerial circular", url="", _save="Save"
    )
    with django_assert_max_num_queries(12):
        response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    evidence.refresh_from_db()
    assert evidence.title == "Signed ministerial circular"
    assert stored(evidence) == PDF


# --- downloading -----------------------------------------------------------------------


def file_url(evidence) -> str:
    return reverse("tracker:evidence_file", args=[evidence.pk])


@pytest.fixture
def public_file(world, media):
    return make_evidence(
        world.kh_31, world.staff, visibility="public", file=upload("circular.pdf", PDF)
    )


@pytest.fixture
def internal_file(world, media):
    return make_evidence(
        world.kh_31, world.staff, visibility="internal", file=upload("draft.docx", DOCX)
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
    evidence = make_evidence(world.kh_31, world.staff, url="https://example.org/circular")
    assert evidence.get_file_url() == ""
    with django_assert_max_num_queries(5):
        response = staff_client.get(file_url(evidence))
    assert response.status_code == 404


def test_unknown_evidence_has_nothing_to_download(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("tracker:evidence_file", args=[999_999]))
    assert response.status_code == 404


def restricted_file(world, kind: str):
    """A file the public may not download: internal, or added with an update that is not
    accepted (yet, or any more)."""
    if kind == "internal, set by staff":
        return make_evidence(
            world.kh_31, world.staff, visibility="internal", file=upload("draft.docx", DOCX)
        )
    update = make_update(world.kh_31, world.focal_kh)
    visibility = "internal" if kind.startswith("internal") else "public"
    evidence = make_evidence(
        world.kh_31,
        world.focal_kh,
        update=update,
        visibility=visibility,
        file=upload("draft.docx", DOCX),
    )
    if kind != "public, with an update waiting for review":
        review.accept(update, by=world.staff, seen_version=update.version)
    if kind == "public, with an update withdrawn after it was accepted":
        update.refresh_from_db()
        review.withdraw(update, by=world.staff, reason="Published in error.")
    return evidence


RESTRICTED = [
    "internal, set by staff",
    "internal, with an accepted update",
    "public, with an update waiting for review",
    "public, with an update withdrawn after it was accepted",
]


@pytest.mark.parametrize("kind", RESTRICTED)
def test_restricted_files_are_not_found_for_the_public_or_the_other_country(
    client, world, media, django_assert_max_num_queries, kind
):
    evidence = restricted_file(world, kind)
    for user in (None, world.focal_th):
        if user is not None:
            client.force_login(user)
        with django_assert_max_num_queries(6):
            response = client.get(file_url(evidence))
        assert response.status_code == 404, (kind, user)
        assert DOCX not in response.content


@pytest.mark.parametrize("kind", RESTRICTED)
def test_restricted_files_are_downloaded_by_staff_and_the_countrys_focal_points(
    client, world, media, kind
):
    evidence = restricted_file(world, kind)
    for user in (world.staff, world.focal_kh):
        client.force_login(user)
        response = client.get(file_url(evidence))
        assert response.status_code == 200, (kind, user)
        assert b"".join(response.streaming_content) == DOCX


# --- never linked, or served, by where it is stored -----------------------------------


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(name, value) for name, value in attrs if value]


def assert_linked_only_through_the_download_view(html: str, evidence) -> None:
    parser = _Attributes()
    parser.feed(html)
    name = evidence.file.name
    assert name.startswith("evidence/")
    hrefs = [value for attr, value in parser.found if attr == "href"]
    assert [href for href in hrefs if name in href] == []
    assert [value for _attr, value in parser.found if name in value] == []
    assert f"/evidence/{evidence.pk}/file/" in hrefs
    assert "/media/" not in html


@pytest.fixture
def staff_file(world, media):
    return make_evidence(
        world.kh_31, world.staff, visibility="public", file=upload("circular.pdf", PDF)
    )


@pytest.fixture
def update_file(world, media):
    """A file a focal point added with an update waiting for review."""
    update = make_update(world.kh_31, world.focal_kh)
    return make_evidence(
        world.kh_31,
        world.focal_kh,
        update=update,
        visibility="public",
        title="Budget table",
        file=upload("budget.xlsx", XLSX),
    )


@pytest.mark.parametrize("who", ["staff", "focal_kh"])
def test_commitment_page_links_files_through_the_download_view(
    client, world, staff_file, update_file, django_assert_max_num_queries, who
):
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("admin:tracker_commitment_change", args=[world.kh_31.pk]))
    assert response.status_code == 200
    assert_linked_only_through_the_download_view(response.text, staff_file)
    assert_linked_only_through_the_download_view(response.text, update_file)


@pytest.mark.parametrize("who", ["staff", "focal_kh"])
def test_evidence_page_links_its_file_through_the_download_view(
    client, world, staff_file, django_assert_max_num_queries, who
):
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:tracker_evidence_change", args=[staff_file.pk]))
    assert response.status_code == 200
    assert_linked_only_through_the_download_view(response.text, staff_file)


def test_evidence_list_links_files_through_the_download_view(staff_client, staff_file):
    response = staff_client.get(reverse("admin:tracker_evidence_changelist"))
    assert_linked_only_through_the_download_view(response.text, staff_file)


@pytest.mark.parametrize("who", ["staff", "focal_kh"])
def test_update_page_links_its_files_through_the_download_view(
    client, world, update_file, django_assert_max_num_queries, who
):
    """The author edits it; staff read it to review it."""
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(20):
        response = client.get(update_url(update_file.update))
    assert response.status_code == 200
    assert "Budget table" in response.text
    assert_linked_only_through_the_download_view(response.text, update_file)


def test_staffs_own_update_page_links_its_file_through_the_download_view(
    staff_client, world, media
):
    update = make_update(world.kh_31, world.staff)
    evidence = make_evidence(
        world.kh_31, world.staff, update=update, file=upload("circular.pdf", PDF)
    )
    response = staff_client.get(update_url(update))
    assert_linked_only_through_the_download_view(response.text, evidence)


def test_review_confirmation_page_never_shows_where_a_file_is_stored(
    staff_client, update_file, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = staff_client.post(
            reverse("admin:tracker_progressupdate_changelist"),
            {
                "action": "accept_updates",
                "index": "0",
                ACTION_CHECKBOX_NAME: [update_file.update_id],
            },
        )
    assert response.status_code == 200
    assert "Budget table" in response.text
    assert update_file.file.name not in response.text


@pytest.mark.parametrize(
    "url",
    [
        reverse("tracker:recommendation_detail", args=["BM22-R31"]),
        reverse("tracker:country_detail", args=["kh"]),
    ],
    ids=["recommendation", "country"],
)
def test_public_pages_link_files_through_the_download_view(
    client, world, staff_file, update_file, django_assert_max_num_queries, url
):
    update = update_file.update
    review.accept(update, by=world.staff, seen_version=update.version)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert_linked_only_through_the_download_view(response.text, staff_file)
    assert_linked_only_through_the_download_view(response.text, update_file)


def test_evidence_files_are_not_served_by_their_storage_path(
    client, world, staff_file, settings, evidence_root
):
    # Even with MEDIA_ROOT where the files are, no URL serves them.
    settings.MEDIA_ROOT = evidence_root
    name = staff_file.file.name
    assert (evidence_root / name).read_bytes() == PDF
    for user in (None, world.staff):
        if user is not None:
            client.force_login(user)
        for path in (f"/media/{name}", f"/{name}", f"/static/{name}"):
            response = client.get(path)
            assert response.status_code == 404, (path, user)
            assert PDF not in response.content
