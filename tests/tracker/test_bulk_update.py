"""Focal points and staff update many commitments at once by uploading the progress table.

Preview first (row by row: what would change, what is wrong and why), then confirm:
all rows or none, each changed row a progress update with history.
"""

import csv
import html
import io
import re
import zipfile

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import make_evidence, make_update
from tests.forms import form_data
from tracker.models import Commitment, Deadline, ProgressUpdate

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:tracker_commitment_import")
CONFIRM_URL = reverse("admin:tracker_commitment_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def export_rows(client, query: str = "") -> list[dict]:
    response = client.get(reverse("tracker:progress_export", args=["csv"]) + query)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(rows: list[dict], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def to_xlsx(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview(client, data: bytes, name: str = "progress.csv", fmt: str = CSV_FORMAT):
    upload = SimpleUploadedFile(name, data)
    return client.post(IMPORT_URL, {"import_file": upload, "format": fmt, "resource": "0"})


def confirm(client, page):
    return client.post(CONFIRM_URL, form_data(page.text, None) | {"resource": "0"})


def snapshot():
    return (
        list(Commitment.objects.values().order_by("pk")),
        list(ProgressUpdate.objects.values().order_by("pk")),
        list(Deadline.objects.values().order_by("pk")),
    )


def row_for(rows, code, country):
    return next(
        r for r in rows if r["Recommendation code"] == code and r["Country code"] == country
    )


def shown(page) -> str:
    """The page's text as a reader sees it: tags (such as the preview's diff marks) removed."""
    text = re.sub(r"<(script|svg|style)\b.*?</\1>", " ", page.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


# --- the happy paths --------------------------------------------------------------------


def test_focal_point_uploads_changes_that_wait_for_review(
    kh_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "In progress"
    row_for(rows, "BM22-R31", "KH")["Latest accepted note"] = "Circular sent to border posts."
    row_for(rows, "BM22-R32", "KH")["Next deadline"] = "2030-06-30"
    page = preview(kh_client, to_csv(rows))
    assert page.status_code == 200
    assert "In progress (new progress update)" in shown(page)
    assert snapshot()[1] == []  # the preview changed nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(kh_client, page)
    assert response.status_code == 302
    # One update per changed row, each waiting for review.
    assert ProgressUpdate.objects.count() == 2
    update = ProgressUpdate.objects.get(commitment=world.kh_31)
    assert update.author == world.focal_kh
    assert update.status == "in_progress"
    assert update.narrative == "Circular sent to border posts."
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == "not_started"  # public once accepted
    deadline = world.kh_32.deadlines.get()
    assert deadline.due_date.isoformat() == "2030-06-30"
    assert deadline.update.commitment == world.kh_32
    assert deadline.update.author == world.focal_kh
    assert deadline.update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert deadline.history.first().history_user == world.focal_kh
    # Network staff get one email about the updates to review.
    [mail] = mailoutbox
    assert mail.subject == "[GCM Tracker] 2 updates to review from kim.cambodia"
    assert "- BM22-R31 · Cambodia: In progress" in mail.body
    assert "- BM22-R32 · Cambodia: Not started" in mail.body
    assert mail.to == [world.staff.email]


def test_staff_upload_is_accepted_at_once(staff_client, world):
    rows = export_rows(staff_client)
    row_for(rows, "BM22-R32", "TH")["Status"] = "planned"
    page = preview(staff_client, to_csv(rows))
    assert confirm(staff_client, page).status_code == 302
    world.th_32.refresh_from_db()
    assert world.th_32.status == "planned"
    assert world.th_32.latest_accepted_update.review_state == "accepted"


def test_xlsx_from_a_spreadsheet_program_is_read(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "Planned"
    page = preview(kh_client, to_xlsx(rows), name="progress.xlsx", fmt=XLSX_FORMAT)
    assert "Planned (new progress update)" in shown(page)
    assert confirm(kh_client, page).status_code == 302
    assert ProgressUpdate.objects.get().status == "planned"


def test_windows_1252_csv_is_read(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Latest accepted note"] = "Décret signé – phase 1"
    page = preview(kh_client, to_csv(rows, encoding="cp1252"))
    assert confirm(kh_client, page).status_code == 302
    assert ProgressUpdate.objects.get().narrative == "Décret signé – phase 1"


def test_exporting_and_importing_unchanged_changes_nothing(staff_client, world):
    make_evidence(world.kh_31, world.focal_kh, title="=cmd|' /C calc'!A0")
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff, narrative="-1 done, +2 to go")
    world.kh_31.lead_agency = "@Ministry"
    world.kh_31.save()
    before = snapshot()
    rows = export_rows(staff_client)
    page = preview(staff_client, to_csv(rows))
    assert page.status_code == 200
    result = page.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert "0 rows change." in shown(page)
    assert confirm(staff_client, page).status_code == 302
    assert snapshot() == before


# --- a new deadline goes with its update ---------------------------------------------------

CHANGELIST_URL = reverse("admin:tracker_progressupdate_changelist")


def public_deadline(code: str, iso: str) -> str:
    """The Next deadline column of the public export, for one commitment."""
    return row_for(export_rows(Client(), f"?country={iso}"), code, iso)["Next deadline"]


def public_country_page(iso: str) -> str:
    return Client().get(reverse("tracker:country_detail", args=[iso.lower()])).text


def test_a_focal_points_new_deadline_is_public_only_once_staff_accept_it(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R32", "KH")["Next deadline"] = "2030-06-30"
    assert confirm(kh_client, preview(kh_client, to_csv(rows))).status_code == 302

    deadline = Deadline.objects.get()
    update = deadline.update
    assert update is not None  # part of an update, not a live deadline
    assert (update.commitment, update.author) == (world.kh_32, world.focal_kh)
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert not deadline.set_by_staff
    assert not Deadline.objects.public().exists()
    assert "30 Jun 2030" not in public_country_page("KH")
    assert public_deadline("BM22-R32", "KH") == ""

    # Network staff see the deadline the update carries, and accept it.
    staff = Client()
    staff.force_login(world.staff)
    page = staff.post(
        CHANGELIST_URL, {"action": "accept_updates", ACTION_CHECKBOX_NAME: [update.pk]}
    )
    assert page.status_code == 200
    assert "New deadlines: Follow-up deadline set in a spreadsheet upload (by 2030-06-30)" in (
        shown(page)
    )
    assert not Deadline.objects.public().exists()  # the confirmation page changed nothing
    assert staff.post(CHANGELIST_URL, form_data(page.text)).status_code == 302

    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert list(Deadline.objects.public()) == [deadline]
    assert "30 Jun 2030" in public_country_page("KH")
    assert public_deadline("BM22-R32", "KH") == "2030-06-30"


def test_a_staff_rows_new_deadline_is_public_at_once(staff_client, world):
    rows = export_rows(staff_client)
    row_for(rows, "BM22-R32", "TH")["Next deadline"] = "2030-06-30"
    assert confirm(staff_client, preview(staff_client, to_csv(rows))).status_code == 302

    deadline = Deadline.objects.get()
    assert deadline.set_by_staff
    assert deadline.update.review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert list(Deadline.objects.public()) == [deadline]
    assert "30 Jun 2030" in public_country_page("TH")
    assert public_deadline("BM22-R32", "TH") == "2030-06-30"


# --- row errors: nothing is applied, each row says why ----------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Country code": "TH"}, "This row is for Thailand, which you do not report for."),
        ({"Status": "Finished"}, "Unknown status “Finished”"),
        ({"Recommendation code": "BM22-R99"}, "Unknown recommendation code “BM22-R99”."),
        ({"Next deadline": "31/02/2030"}, "“31/02/2030” is not a date"),
        ({"Lead agency": "Someone else"}, "This column cannot be changed here"),
        ({"Recommendation text": "Rewritten"}, "This column cannot be changed here"),
        ({"Status": "Implemented"}, "needs public evidence with a note, a link or a file"),
    ],
)
def test_row_errors_are_reported_and_nothing_changes(kh_client, world, change, message):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R32", "KH")["Status"] = "Planned"  # a valid change on another row
    row_for(rows, "BM22-R31", "KH").update(change)
    before = snapshot()
    page = preview(kh_client, to_csv(rows))
    assert page.status_code == 200
    assert message in shown(page)
    assert page.context["result"].has_validation_errors()
    assert page.context.get("confirm_form") is None
    assert "Confirm the changes" not in shown(page)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("evidence", "accepted"),
    [
        ({"visibility": "public", "note": "", "title": "A title alone"}, False),
        ({"visibility": "internal", "note": "Signed by the minister."}, False),
        ({"visibility": "public", "note": "", "url": "https://example.org/decree"}, True),
        ({"visibility": "public", "note": "Signed by the minister."}, True),
    ],
    ids=["public title alone", "internal with a note", "public link", "public note"],
)
def test_implemented_needs_public_evidence_with_a_note_link_or_file(
    staff_client, world, evidence, accepted
):
    make_evidence(world.kh_31, world.staff, **evidence)
    rows = export_rows(staff_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "Implemented"
    before = snapshot()
    page = preview(staff_client, to_csv(rows))
    refusal = "“Implemented” needs public evidence with a note, a link or a file"
    assert (refusal in shown(page)) is not accepted
    if not accepted:
        assert snapshot() == before
        return
    assert confirm(staff_client, page).status_code == 302
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == "implemented"


def test_duplicated_row_is_an_error(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    rows.append(dict(rows[0]))
    page = preview(kh_client, to_csv(rows))
    assert "appears twice (first in row 1)" in shown(page)
    assert ProgressUpdate.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name", "fmt", "message"),
    [
        (b"", "empty.csv", CSV_FORMAT, "The submitted file is empty"),
        (b"\x00\x01\x02binary" * 10, "renamed.csv", CSV_FORMAT, "holds binary data"),
        (b"not a zip at all", "fake.xlsx", XLSX_FORMAT, "an XLSX file is a zip archive"),
        (b"Country,Status\nKH,Planned\n", "short.csv", CSV_FORMAT, "lacks the column(s)"),
    ],
)
def test_files_that_are_not_progress_tables_are_refused(kh_client, world, data, name, fmt, message):
    page = preview(kh_client, data, name=name, fmt=fmt)
    assert page.status_code == 200
    assert message in shown(page)
    assert ProgressUpdate.objects.count() == 0


def test_zip_bomb_is_refused_before_it_is_opened(kh_client, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 60_000_000 + "</a>")
    page = preview(kh_client, buffer.getvalue(), name="bomb.xlsx", fmt=XLSX_FORMAT)
    assert "refused as unsafe" in shown(page)


def test_too_many_rows_are_refused(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_ROWS = 1
    page = preview(kh_client, to_csv(export_rows(kh_client, "?country=KH")))
    assert "more than 1 rows below its header (empty rows count too)" in shown(page)


def test_oversized_upload_is_refused(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_BYTES = 100
    page = preview(kh_client, to_csv(export_rows(kh_client, "?country=KH")))
    assert "the largest upload accepted is 100" in shown(page)


# --- confirming ---------------------------------------------------------------------


def test_row_changed_between_preview_and_confirm_is_a_conflict(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "Planned"
    row_for(rows, "BM22-R32", "KH")["Status"] = "Planned"
    page = preview(kh_client, to_csv(rows))
    make_update(world.kh_32, world.focal_kh, accepted_by=world.staff)  # someone else's change
    before = snapshot()
    response = confirm(kh_client, page)
    assert response.status_code == 302
    assert snapshot() == before
    told = kh_client.get(response.url)
    assert "Nothing was applied. Row 2: Someone changed BM22-R32 · Cambodia after your preview" in (
        shown(told)
    )
    # The preview is spent: confirming it again applies nothing either.
    again = confirm(kh_client, page)
    assert "This preview can no longer be confirmed" in shown(again)
    assert snapshot() == before


def test_another_user_cannot_confirm_your_upload(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "Planned"
    page = preview(kh_client, to_csv(rows))
    staff = Client()
    staff.force_login(world.staff)
    response = confirm(staff, page)
    assert response.status_code == 403
    assert "This preview can no longer be confirmed" in shown(response)
    assert ProgressUpdate.objects.count() == 0
    # It is still the focal point's to confirm.
    assert confirm(kh_client, page).status_code == 302
    assert ProgressUpdate.objects.count() == 1


def test_permission_is_checked_again_at_confirm(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "Planned"
    page = preview(kh_client, to_csv(rows))
    world.focal_kh.focal_memberships.all().delete()
    response = confirm(kh_client, page)
    assert response.status_code == 403
    assert ProgressUpdate.objects.count() == 0


def test_anonymous_and_outsiders_cannot_upload(client, outsider, world):
    assert client.get(IMPORT_URL).status_code == 302
    client.force_login(outsider)
    assert client.get(IMPORT_URL).status_code == 403


def test_admin_offers_only_csv_xlsx_and_json(staff_client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        page = staff_client.get(IMPORT_URL)
    choices = page.context["form"].fields["format"].choices
    assert [str(label) for value, label in choices if value != ""] == ["CSV", "Excel (XLSX)"]
    export = staff_client.get(reverse("admin:tracker_commitment_export"))
    choices = export.context["form"].fields["format"].choices
    assert [str(label) for value, label in choices] == ["CSV", "Excel (XLSX)", "JSON"]


def test_a_table_downloaded_in_khmer_is_read_in_english_and_the_other_way(kh_client, world):
    from django.utils import translation

    from tracker.models import Status

    with translation.override("km"):
        code, status, note = (str(translation.gettext(h)) for h in HEADERS)
        in_progress = str(Status.IN_PROGRESS.label)
    response = kh_client.get("/km/progress/export.csv?country=KH")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {code, status, note} <= set(rows[0]) and status != "Status"  # Khmer headers
    khmer = next(r for r in rows if r[code] == "BM22-R31")
    khmer[status], khmer[note] = in_progress, "Circular sent to border posts."
    page = preview(kh_client, to_csv(rows))  # uploaded in the English admin
    assert page.status_code == 200  # read, and previewed, in the file's language
    assert f"{in_progress} (" in shown(page) and "Circular sent to border posts." in shown(page)
    confirm(kh_client, page)
    update = ProgressUpdate.objects.get()
    assert (update.commitment, update.status) == (world.kh_31, "in_progress")


HEADERS = ("Recommendation code", "Status", "Latest accepted note")
