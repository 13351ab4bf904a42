"""Spreadsheet uploads of the progress table: files too big to be a progress table are
refused with a message that says why, before anything is kept; a preview is kept (in the
database, for its user alone, for an hour) only when it can be confirmed, and is confirmed
once; and what a cell holds is what is stored, whatever it starts with.
"""

import csv
import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consultations.models import Recommendation
from tests.factories import make_commitment, make_evidence, make_update
from tests.forms import form_data
from tests.tracker.test_bulk_update import (
    CSV_FORMAT,
    IMPORT_URL,
    XLSX_FORMAT,
    export_rows,
    row_for,
    shown,
    snapshot,
    to_csv,
    to_xlsx,
)
from tests.tracker.test_bulk_update import confirm as post_confirm
from tests.tracker.test_bulk_update import preview as post_preview
from tracker import spreadsheets, uploads
from tracker.models import Deadline, PendingUpload, ProgressUpdate
from tracker.spreadsheets import guard, unguard

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:tracker_commitment_export")
NOTE = "Latest accepted note"
# Queries of one page, whatever the file holds (section "queries" measures them exactly);
# a confirmation by network staff also counts what it publishes into the figures.
PAGE_QUERIES = 46

DECLARED_TOO_BIG = (
    "The sheet says it is {size}; a progress table has at most 5,000 rows below its header "
    "and 30 columns. Copy the table alone into a new workbook and upload that."
)
TOO_MANY_ROWS = (
    "The file has more than {limit} rows below its header (empty rows count too); upload at "
    "most {limit} at once."
)
TOO_WIDE = (
    "The file has more than 30 columns; a progress table has 17. Upload the table as it was "
    "downloaded, with your changes."
)
CELL_TOO_LONG = "A cell of this file holds more than 100,000 characters."
NO_LONGER = "This preview can no longer be confirmed"


@pytest.fixture(autouse=True)
def limits(settings):
    """The limits as shipped, whatever the environment says."""
    settings.PROGRESS_IMPORT_MAX_ROWS = 5000
    settings.PROGRESS_IMPORT_MAX_BYTES = 5 * 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """MEDIA_ROOT in a folder of the test's own, which no upload may write into."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# --- helpers ------------------------------------------------------------------------------


def bounded(request):
    """A page request, its query count bounded."""
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert len(queries) <= PAGE_QUERIES, [q["sql"] for q in queries]
    return response


def preview(client, data: bytes, name: str = "progress.csv", fmt: str = CSV_FORMAT):
    return bounded(lambda: post_preview(client, data, name, fmt))


def confirm(client, page):
    return bounded(lambda: post_confirm(client, page))


def can_confirm(page) -> bool:
    """The preview offers its confirmation (and so was kept)."""
    return 'name="import_file_name"' in page.text and "Confirm the changes" in page.text


def assert_refused(page, message: str, before) -> None:
    """The page says why, offers no confirmation, and nothing was kept or written."""
    assert page.status_code == 200
    assert message in shown(page)
    assert not can_confirm(page)
    assert PendingUpload.objects.count() == 0
    assert snapshot() == before


def told(client, response) -> str:
    """The message shown on the page a confirmation redirects to."""
    assert response.status_code == 302
    return shown(bounded(lambda: client.get(response.url)))


def changed_kh_rows(client) -> list[dict]:
    """Cambodia's progress table with both rows changed (status Planned)."""
    rows = export_rows(client, "?country=KH")
    assert len(rows) == 2
    for row in rows:
        row["Status"] = "Planned"
    return rows


def as_shown(rows: list[dict]) -> list[dict]:
    """The rows as a spreadsheet program shows the CSV: the formula guard taken off."""
    return [{k: unguard(v) for k, v in row.items()} for row in rows]


def column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def workbook(rows: dict[int, dict[int, str]], dimension: str | None) -> bytes:
    """A workbook written by hand: rows by their number, cells by their column (0 is A),
    text as inline strings, its size declared by <dimension ref> or not at all."""
    body = "".join(
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column_name(column)}{number}" t="inlineStr">'
            f'<is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
            for column, value in sorted(cells.items())
        )
        + "</row>"
        for number, cells in sorted(rows.items())
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{kind}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{relations}">'
            f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{office}">'
            '<sheets><sheet name="Progress" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{relations}">'
            f'<Relationship Id="rId1" Type="{office}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
            f"{declared}<sheetData>{body}</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def cells(row: dict) -> dict[int, str]:
    return dict(enumerate(row.values()))


def table_workbook(rows: list[dict], *, at=None, dimension=None, extra=None) -> bytes:
    """The header in row 1 and the rows at the row numbers `at` (2, 3, ... by default);
    `extra` adds cells {number: {column: text}}."""
    rows = as_shown(rows)
    sheet = {1: dict(enumerate(rows[0]))}
    for number, row in zip(at or range(2, len(rows) + 2), rows, strict=True):
        sheet[number] = cells(row)
    for number, more in (extra or {}).items():
        sheet.setdefault(number, {}).update(more)
    return workbook(sheet, dimension)


def sparse_workbook(headers: list[str]) -> bytes:
    """As the upload benchmark's: a header, and one cell at XFD1048576 of a sheet declared
    A1:XFD1048576."""
    return workbook(
        {1: dict(enumerate(headers)), 1_048_576: {16_383: "x"}}, dimension="A1:XFD1048576"
    )


def upload_xlsx(client, data: bytes):
    return preview(client, data, name="progress.xlsx", fmt=XLSX_FORMAT)


def csv_bytes(header: list[str], body) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue().encode("utf-8")


def admin_export(client, fmt: str) -> bytes:
    """The admin's export as downloaded, every column ticked."""
    form = bounded(lambda: client.get(EXPORT_URL))
    data = form_data(form.text, None) | {"format": fmt, "resource": "0"}
    assert "adminprogressresource_latest_note" in data
    response = bounded(lambda: client.post(EXPORT_URL, data))
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def edit_xlsx(data: bytes, code: str, iso: str, column: str, text: str) -> bytes:
    """One cell of a workbook changed to a text cell, as a spreadsheet program saves it."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(headers, (cell.value for cell in row), strict=True))
        if values["Recommendation code"] == code and values["Country code"] == iso:
            cell = row[headers.index(column)]
            cell.value = text
            cell.data_type = "s"  # text, never a formula
            break
    else:
        raise AssertionError(f"no row {code} {iso}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def note_cell_of_xlsx(data: bytes, code: str, iso: str):
    sheet = load_workbook(io.BytesIO(data)).active
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(headers, (cell.value for cell in row), strict=True))
        if values["Recommendation code"] == code and values["Country code"] == iso:
            return row[headers.index(NOTE)]
    raise AssertionError(f"no row {code} {iso}")


# --- 1. workbooks -----------------------------------------------------------------------


def test_the_sparse_workbook_of_the_benchmark_is_refused(kh_client, world):
    data = sparse_workbook(list(export_rows(kh_client, "?country=KH")[0]))
    assert len(data) < 3000  # a tiny file that says it is a whole sheet
    message = DECLARED_TOO_BIG.format(size="1,048,576 rows by 16,384 columns")
    before = snapshot()
    assert_refused(upload_xlsx(kh_client, data), message, before)
    # Its size is checked before any row is read: rows that are not even well-formed XML
    # make no difference.
    sheet_xml = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[sheet_xml] = parts[sheet_xml].replace(b"</sheetData>", b"<row r=")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert_refused(upload_xlsx(kh_client, buffer.getvalue()), message, before)


DECLARED_SIZES = {
    "A1:Q1048576": "1,048,576 rows by 17 columns",
    "A1:XFD2": "2 rows by 16,384 columns",
    "A1:Q5002": "5,002 rows by 17 columns",  # one row too many
    "A1:AE3": "3 rows by 31 columns",  # one column too many
}


def test_a_workbook_declaring_too_big_a_sheet_is_refused(kh_client, world):
    # The rows themselves are a valid change: only the declared size is wrong.
    rows = changed_kh_rows(kh_client)
    before = snapshot()
    for dimension, size in DECLARED_SIZES.items():
        page = upload_xlsx(kh_client, table_workbook(rows, dimension=dimension))
        assert_refused(page, DECLARED_TOO_BIG.format(size=size), before)
        assert "Planned (new progress update)" not in shown(page)


def test_a_workbook_within_the_limits_is_read_and_applied(kh_client, world):
    rows = changed_kh_rows(kh_client)
    for dimension in [
        None,  # not declared
        "A1:Q5001",  # 5,000 rows below the header: the most
        "A1:AD3",  # 30 columns: the most
        "A1:Q3",  # as a spreadsheet program declares it
    ]:
        PendingUpload.objects.all().delete()
        page = upload_xlsx(kh_client, table_workbook(rows, dimension=dimension))
        assert page.status_code == 200
        assert shown(page).count("Planned (new progress update)") == 2, dimension
        assert can_confirm(page), dimension
        assert PendingUpload.objects.get().user == world.focal_kh
        assert ProgressUpdate.objects.count() == 0
    response = confirm(kh_client, page)
    assert "2 progress updates sent to network staff for review." in told(kh_client, response)
    assert sorted(ProgressUpdate.objects.values_list("commitment", "status")) == [
        (world.kh_31.pk, "planned"),
        (world.kh_32.pk, "planned"),
    ]
    assert PendingUpload.objects.count() == 0


def test_a_workbook_without_a_declared_size_and_a_row_at_the_bottom_is_refused(kh_client, world):
    data = table_workbook(changed_kh_rows(kh_client), extra={1_048_576: {0: "x"}})
    before = snapshot()
    page = upload_xlsx(kh_client, data)
    assert_refused(page, TOO_MANY_ROWS.format(limit="5,000"), before)


def test_thousands_of_empty_rows_between_two_rows_are_refused(kh_client, world):
    rows = changed_kh_rows(kh_client)
    before = snapshot()
    # Row 2, then 5,997 empty rows, then row 6,000: 5,999 rows below the header, whether
    # the sheet declares no size or too small a one.
    for dimension in (None, "A1:Q3"):
        page = upload_xlsx(kh_client, table_workbook(rows, at=[2, 6000], dimension=dimension))
        assert_refused(page, TOO_MANY_ROWS.format(limit="5,000"), before)


def test_empty_rows_count_toward_a_lower_row_cap(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_ROWS = 100
    rows = changed_kh_rows(kh_client)
    before = snapshot()
    # Rows 2 and 102: 101 rows below the header, 99 of them empty.
    page = upload_xlsx(kh_client, table_workbook(rows, at=[2, 102]))
    assert_refused(page, TOO_MANY_ROWS.format(limit="100"), before)
    # Declared so, it is refused before any row is read.
    page = upload_xlsx(kh_client, table_workbook(rows, dimension="A1:Q102"))
    message = (
        "The sheet says it is 102 rows by 17 columns; a progress table has at most 100 rows "
        "below its header and 30 columns."
    )
    assert_refused(page, message, before)
    # Rows 2 and 101: 100 rows below the header, the most.
    page = upload_xlsx(kh_client, table_workbook(rows, at=[2, 101]))
    assert shown(page).count("Planned (new progress update)") == 2
    assert can_confirm(page)
    assert snapshot() == before


def test_a_workbook_with_a_value_in_column_31_is_refused(kh_client, world):
    rows = changed_kh_rows(kh_client)
    before = snapshot()
    # Column AE (the 31st) of a row, and of the header.
    for number in (2, 3, 1):
        page = upload_xlsx(kh_client, table_workbook(rows, extra={number: {30: "stray"}}))
        assert_refused(page, TOO_WIDE, before)
    # A remark in column AD (the 30th) is read, and left aside.
    page = upload_xlsx(kh_client, table_workbook(rows, extra={2: {29: "my own remark"}}))
    assert shown(page).count("Planned (new progress update)") == 2
    assert can_confirm(page)


@pytest.mark.parametrize("column", [40, 16_383], ids=["AO", "XFD"])
def test_a_workbook_with_a_value_further_right_is_refused(kh_client, world, column):
    rows = changed_kh_rows(kh_client)
    before = snapshot()
    page = upload_xlsx(kh_client, table_workbook(rows, extra={2: {column: "stray"}}))
    assert_refused(page, TOO_WIDE, before)


def test_a_csv_file_with_a_value_further_right_is_refused(kh_client, world):
    rows = changed_kh_rows(kh_client)
    header = list(rows[0])
    body = [list(row.values()) for row in rows]
    body[0] += [""] * (40 - len(header)) + ["stray"]  # column AO
    before = snapshot()
    assert_refused(preview(kh_client, csv_bytes(header, body)), TOO_WIDE, before)


def test_a_normal_small_workbook_still_works(kh_client, world):
    rows = export_rows(kh_client, "?country=KH")
    row_for(rows, "BM22-R31", "KH")["Status"] = "In progress"
    row_for(rows, "BM22-R31", "KH")[NOTE] = "Circular sent."
    page = upload_xlsx(kh_client, to_xlsx(rows))
    assert "In progress (new progress update)" in shown(page)
    assert ProgressUpdate.objects.count() == 0
    response = confirm(kh_client, page)
    assert "1 progress update sent to network staff for review." in told(kh_client, response)
    update = ProgressUpdate.objects.get()
    assert (update.commitment, update.status, update.narrative) == (
        world.kh_31,
        "in_progress",
        "Circular sent.",
    )


# --- 2. CSV files -------------------------------------------------------------------------


def unknown_code_rows(kh_client, count: int) -> tuple[list[str], list[list[str]]]:
    row = export_rows(kh_client, "?country=KH")[0]
    header = list(row)
    code = header.index("Recommendation code")
    body = []
    for number in range(1, count + 1):
        values = list(row.values())
        values[code] = f"NO-SUCH-{number}"
        body.append(values)
    return header, body


def test_5000_rows_of_unknown_codes_are_each_answered_and_nothing_is_kept(kh_client, world):
    header, body = unknown_code_rows(kh_client, 5000)
    before = snapshot()
    page = preview(kh_client, csv_bytes(header, body))
    assert page.status_code == 200
    text = shown(page)
    assert "Rows in error Nothing can be applied until these rows are corrected" in text
    assert "1 Unknown recommendation code “NO-SUCH-1”. NO-SUCH-1KH" in text
    assert "5000 Unknown recommendation code “NO-SUCH-5000”. NO-SUCH-5000KH" in text
    # The whole page answers every row, each once.
    named = re.findall(r"(\d+) Unknown recommendation code “NO-SUCH-(\d+)”", text)
    assert len(named) == 5000
    assert all(row == code for row, code in named)
    assert {int(row) for row, _code in named} == set(range(1, 5001))
    assert not can_confirm(page)
    assert PendingUpload.objects.count() == 0
    assert snapshot() == before


def test_5001_rows_are_refused_before_any_row_is_checked(kh_client, world):
    header, body = unknown_code_rows(kh_client, 5001)
    before = snapshot()
    page = preview(kh_client, csv_bytes(header, body))
    assert_refused(page, TOO_MANY_ROWS.format(limit="5,000"), before)
    assert "Unknown recommendation code" not in shown(page)


def test_empty_lines_count_as_rows(kh_client, world):
    rows = changed_kh_rows(kh_client)
    data = to_csv(rows) + b"\r\n" * 4999  # 2 rows and 4,999 empty lines
    before = snapshot()
    page = preview(kh_client, data)
    assert_refused(page, TOO_MANY_ROWS.format(limit="5,000"), before)
    page = preview(kh_client, to_csv(rows) + b"\r\n" * 4998)  # 5,000 lines: the most
    assert can_confirm(page)


def test_lines_of_a_megabyte_of_short_cells_are_refused_as_too_wide(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    header = list(export_rows(kh_client, "?country=KH")[0])
    line = ["x" * 99] * 10_000  # 10,000 cells: a megabyte a line
    data = csv_bytes(header, [line] * 3)
    assert len(data) > 3_000_000
    before = snapshot()
    page = preview(kh_client, data)
    assert_refused(page, TOO_WIDE, before)


def test_a_cell_over_100000_characters_is_refused(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    rows = changed_kh_rows(kh_client)
    row_for(rows, "BM22-R31", "KH")[NOTE] = "n" * 120_000
    before = snapshot()
    assert_refused(preview(kh_client, to_csv(rows)), CELL_TOO_LONG, before)
    assert_refused(upload_xlsx(kh_client, table_workbook(rows)), CELL_TOO_LONG, before)
    # 100,000 characters are the most.
    row_for(rows, "BM22-R31", "KH")[NOTE] = "n" * 100_000
    assert can_confirm(preview(kh_client, to_csv(rows)))


def megabyte_note_rows(kh_client) -> bytes:
    rows = changed_kh_rows(kh_client)
    for row in rows:
        row[NOTE] = "n" * 1_000_000  # each line about a megabyte
    return to_csv(rows)


def test_lines_of_a_megabyte_in_one_cell_are_refused(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    data = megabyte_note_rows(kh_client)
    assert len(data) > 2_000_000
    before = snapshot()
    page = preview(kh_client, data)
    assert page.status_code == 200
    text = shown(page)
    assert CELL_TOO_LONG in text or "This CSV file cannot be read" in text
    assert "Planned (new progress update)" not in text
    assert not can_confirm(page)
    assert PendingUpload.objects.count() == 0
    assert snapshot() == before


def test_a_megabyte_cell_is_refused_as_a_cell_too_long(kh_client, world, settings):
    settings.PROGRESS_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    page = preview(kh_client, megabyte_note_rows(kh_client))
    assert CELL_TOO_LONG in shown(page)


# --- 3. the life of an upload -----------------------------------------------------------


def test_a_refused_file_uploaded_again_once_fixed_works(kh_client, world):
    rows = changed_kh_rows(kh_client)
    broken = table_workbook(rows, extra={2: {30: "stray"}})
    before = snapshot()
    assert_refused(upload_xlsx(kh_client, broken), TOO_WIDE, before)
    page = upload_xlsx(kh_client, table_workbook(rows))
    assert can_confirm(page)
    response = confirm(kh_client, page)
    assert "2 progress updates sent to network staff for review." in told(kh_client, response)
    assert ProgressUpdate.objects.count() == 2


def test_a_preview_is_confirmed_once(kh_client, world):
    page = preview(kh_client, to_csv(changed_kh_rows(kh_client)))
    response = confirm(kh_client, page)
    assert "2 progress updates sent to network staff for review." in told(kh_client, response)
    after = snapshot()
    assert len(after[1]) == 2
    again = confirm(kh_client, page)
    assert again.status_code == 403
    assert NO_LONGER in shown(again)
    assert "Nothing was applied. Upload the file again." in shown(again)
    assert snapshot() == after
    assert ProgressUpdate.objects.count() == 2


def test_a_preview_left_for_more_than_an_hour_cannot_be_confirmed(kh_client, world):
    rows = changed_kh_rows(kh_client)
    page = preview(kh_client, to_csv(rows))
    PendingUpload.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    before = snapshot()
    response = confirm(kh_client, page)
    assert response.status_code == 403
    assert NO_LONGER in shown(response)
    assert snapshot() == before
    assert ProgressUpdate.objects.count() == 0
    # Within the hour, it can.
    page = preview(kh_client, to_csv(rows))
    PendingUpload.objects.update(created_at=timezone.now() - dt.timedelta(minutes=59))
    assert confirm(kh_client, page).status_code == 302
    assert ProgressUpdate.objects.count() == 2


def test_a_user_keeps_at_most_three_previews(kh_client, world):
    staff = Client()
    staff.force_login(world.staff)
    staff_rows = export_rows(staff, "?country=TH")
    row_for(staff_rows, "BM22-R31", "TH")["Status"] = "Planned"
    staffs = preview(staff, to_csv(staff_rows))
    assert can_confirm(staffs)

    rows = changed_kh_rows(kh_client)
    pages = []
    for note in ("First", "Second", "Third", "Fourth"):
        row_for(rows, "BM22-R31", "KH")[NOTE] = note
        pages.append(preview(kh_client, to_csv(rows)))
        assert can_confirm(pages[-1])
    assert PendingUpload.objects.filter(user=world.focal_kh).count() == uploads.MAX_PER_USER == 3
    assert PendingUpload.objects.filter(user=world.staff).count() == 1  # others' stay

    before = snapshot()
    oldest = confirm(kh_client, pages[0])
    assert oldest.status_code == 403
    assert NO_LONGER in shown(oldest)
    assert snapshot() == before

    response = confirm(kh_client, pages[3])
    assert "2 progress updates sent to network staff for review." in told(kh_client, response)
    assert ProgressUpdate.objects.get(commitment=world.kh_31).narrative == "Fourth"
    # The staff member's preview is still theirs to confirm.
    assert confirm(staff, staffs).status_code == 302
    world.th_31.refresh_from_db()
    assert world.th_31.status == "planned"


def test_purge_uploads_removes_the_expired_ones(kh_client, world):
    rows = changed_kh_rows(kh_client)
    old = preview(kh_client, to_csv(rows))
    fresh = preview(kh_client, to_csv(rows))
    old_token = form_data(old.text, None)["import_file_name"]
    PendingUpload.objects.filter(token=old_token).update(
        created_at=timezone.now() - uploads.LIFETIME - dt.timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert out.getvalue().strip() == "Removed 1 expired upload(s)."
    assert not PendingUpload.objects.filter(token=old_token).exists()
    assert PendingUpload.objects.count() == 1
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert out.getvalue().strip() == "Removed 0 expired upload(s)."
    assert NO_LONGER in shown(confirm(kh_client, old))
    assert confirm(kh_client, fresh).status_code == 302
    assert ProgressUpdate.objects.count() == 2


def test_nothing_is_ever_written_to_disk(kh_client, world, media, tmp_path, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    rows = changed_kh_rows(kh_client)
    # A refused file, a preview with row errors, previews of both formats, a confirmation.
    preview(kh_client, to_csv(rows) + b"\r\n" * 5000)
    wrong = [dict(row) for row in rows]
    wrong[0]["Recommendation code"] = "NO-SUCH"
    preview(kh_client, to_csv(wrong))
    assert can_confirm(upload_xlsx(kh_client, table_workbook(rows)))
    page = preview(kh_client, to_csv(rows))
    assert confirm(kh_client, page).status_code == 302
    assert ProgressUpdate.objects.count() == 2
    assert list(media.rglob("*")) == []
    assert list(temporary.rglob("*")) == []


def test_a_refused_file_or_a_preview_with_row_errors_keeps_nothing(kh_client, world):
    rows = changed_kh_rows(kh_client)
    before = snapshot()
    refused = preview(kh_client, b"\xef\xbb\xbf\r\n\r\n")
    assert_refused(refused, "The file is empty.", before)
    wrong = [dict(row) for row in rows]
    wrong[1]["Country code"] = "TH"
    with_errors = preview(kh_client, to_csv(wrong))
    assert "Rows in error" in shown(with_errors)
    assert "2 This row is for Thailand, which you do not report for." in shown(with_errors)
    assert not can_confirm(with_errors)
    assert PendingUpload.objects.count() == 0
    assert snapshot() == before


def test_the_preview_writes_nothing_and_the_confirmation_writes(kh_client, world):
    rows = changed_kh_rows(kh_client)
    row_for(rows, "BM22-R32", "KH")["Next deadline"] = "2030-06-30"
    before = snapshot()
    page = preview(kh_client, to_csv(rows))
    assert can_confirm(page)
    assert snapshot() == before
    kept = PendingUpload.objects.get()
    assert (kept.user, kept.file_name, kept.file_format) == (
        world.focal_kh,
        "progress.csv",
        CSV_FORMAT,
    )
    assert kept.claimed_at is None
    assert confirm(kh_client, page).status_code == 302
    assert snapshot() != before
    assert ProgressUpdate.objects.filter(author=world.focal_kh).count() == 2
    assert Deadline.objects.get().due_date == dt.date(2030, 6, 30)
    assert PendingUpload.objects.count() == 0


# --- 4a. exact round trips of the file formats ------------------------------------------

HEADERS = ["Recommendation code", "Country code", NOTE]
STARTS = ("-", "=", "+", "@", "'", "\t", "\r", "\n", "''", "'-", "'=", " ")


def with_start(text_strategy):
    return st.one_of(
        text_strategy,
        st.builds(lambda start, rest: start + rest, st.sampled_from(STARTS), text_strategy),
    )


def tables(text_strategy):
    """Rows of text below HEADERS; every row with something in it (empty rows are left out
    on reading, as they should)."""
    row = st.lists(with_start(text_strategy), min_size=3, max_size=3)
    return st.lists(row.filter(lambda r: any(c.strip() for c in r)), min_size=1, max_size=6)


# A NUL byte marks a file as binary: no text cell of a progress table holds one.
csv_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"))
# What XML 1.0 cannot hold: control characters other than tab, line feed and carriage
# return, and U+FFFE, U+FFFF.
# Text that looks like the workbook format's own escape of a character ("_x0041_") has a
# test of its own below.
ESCAPE_LOOKALIKE = re.compile(r"_x[0-9A-Fa-f]{4}_")
xlsx_text = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_characters="".join(map(chr, [*range(9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])),
    )
).filter(lambda text: not ESCAPE_LOOKALIKE.search(text))
EXAMPLES = [
    ["-6", "=1+1", "+x"],
    ["@x", "'quoted'", "-based approach"],
    ["'-6", "\tindented", "line\nbreak"],
    ["a\r\nb", "\r", "x\ry"],
    ["  padded  ", "", "'"],
]


@hypothesis_settings(max_examples=150, deadline=None)
@given(tables(csv_text))
@example(EXAMPLES)
def test_csv_gives_back_exactly_the_texts(rows):
    data = "".join(spreadsheets.csv_lines([HEADERS, *rows])).encode("utf-8")
    dataset = spreadsheets.read_csv(data)
    assert dataset.headers == HEADERS
    assert [list(row) for row in dataset] == rows


@hypothesis_settings(max_examples=100, deadline=None)
@given(tables(xlsx_text))
@example(EXAMPLES)
def test_xlsx_gives_back_exactly_the_texts(rows):
    data = spreadsheets.xlsx_bytes([HEADERS, *rows], title="Progress")
    dataset = spreadsheets.read_xlsx(data)
    assert dataset.headers == HEADERS
    expected = [[cell.replace("\r\n", "\n").replace("\r", "\n") for cell in row] for row in rows]
    assert [["" if cell is None else cell for cell in row] for row in dataset] == expected


def test_xlsx_gives_back_text_that_looks_like_an_escape():
    rows = [["BM22-R31", "KH", "See Annual_x0020_Report"], ["_x0041_", "_x000D_", "x"]]
    dataset = spreadsheets.read_xlsx(spreadsheets.xlsx_bytes([HEADERS, *rows], title="P"))
    assert [list(row) for row in dataset] == rows


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(with_start(st.text()), min_size=3, max_size=3), max_size=6))
@example(EXAMPLES)
def test_json_gives_back_exactly_the_texts(rows):
    records = json.loads("".join(spreadsheets.json_chunks([HEADERS, *rows])))
    assert records == [dict(zip(HEADERS, row, strict=True)) for row in rows]


# --- 4b. exact round trips through the admin ---------------------------------------------


@pytest.fixture
def tricky(world):
    """Text that a spreadsheet would run, or that starts with an apostrophe, in every
    kind of column the export writes."""
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff, narrative="-based approach")
    make_update(world.th_32, world.focal_th, accepted_by=world.staff, narrative="'quoted'")
    make_evidence(world.kh_31, world.staff, title="=cmd|' /C calc'!A0")
    make_evidence(world.th_31, world.staff, title="@SUM(1)", visibility="internal")
    world.kh_32.lead_agency = "+Ministry"
    world.kh_32.save()
    world.th_31.lead_agency = "'Labour' office"
    world.th_31.save()
    return world


def test_exported_and_imported_unchanged_changes_nothing(staff_client, tricky):
    public = export_rows(staff_client)
    assert row_for(public, "BM22-R31", "KH")[NOTE] == "'-based approach"  # guarded
    files = {
        "public CSV": (to_csv(public), "progress.csv", CSV_FORMAT),
        "XLSX of the CSV's cells": (to_xlsx(as_shown(public)), "progress.xlsx", XLSX_FORMAT),
        "admin CSV": (admin_export(staff_client, "0"), "progress.csv", CSV_FORMAT),
        "admin XLSX": (admin_export(staff_client, "1"), "progress.xlsx", XLSX_FORMAT),
    }
    before = snapshot()
    for kind, (data, name, fmt) in files.items():
        page = preview(staff_client, data, name=name, fmt=fmt)
        assert page.status_code == 200
        assert "new progress update" not in shown(page), kind
        assert "Rows in error" not in shown(page), kind
        assert "0 rows change." in shown(page), kind
        response = confirm(staff_client, page)
        assert "0 progress updates published." in told(staff_client, response), kind
        assert snapshot() == before, kind


def test_a_note_exported_with_a_leading_dash_is_written_as_text(staff_client, tricky):
    cell = note_cell_of_xlsx(admin_export(staff_client, "1"), "BM22-R31", "KH")
    assert (cell.value, cell.data_type) == ("-based approach", "s")
    text = admin_export(staff_client, "0").decode("utf-8-sig")
    assert ",'-based approach," in text


@pytest.mark.parametrize("where", ["note", "evidence"])
def test_text_that_looks_like_an_escape_survives_an_unchanged_xlsx(staff_client, world, where):
    if where == "note":  # re-imported, it would make an update "See Annual_x005F_x0020_Report"
        make_update(
            world.kh_31,
            world.focal_kh,
            accepted_by=world.staff,
            narrative="See Annual_x0020_Report",
        )
    else:  # re-imported, the row would be in error: "This column cannot be changed here"
        make_evidence(world.kh_32, world.staff, title="Annual_x0020_Report")
    data = admin_export(staff_client, "1")
    before = snapshot()
    page = preview(staff_client, data, name="progress.xlsx", fmt=XLSX_FORMAT)
    assert "Rows in error" not in shown(page)
    assert "new progress update" not in shown(page)
    assert "See Annual_x005F_x0020_Report" not in shown(page)
    confirm(staff_client, page)
    assert snapshot() == before


def test_a_row_in_error_of_a_workbook_shows_its_empty_cells_empty(kh_client, world):
    data = edit_xlsx(admin_export(kh_client, "1"), "BM22-R32", "KH", "Country code", "TH")
    page = preview(kh_client, data, name="progress.xlsx", fmt=XLSX_FORMAT)
    text = shown(page)
    assert "2 This row is for Thailand, which you do not report for." in text
    assert "None" not in text


CSV_EDITS = [
    # (what the cell holds, what it means), each in turn
    ("-6", "-6"),
    ("=1+1", "=1+1"),
    ("+x", "+x"),
    ("@x", "@x"),
    ("'quoted'", "'quoted'"),
    ("-based approach", "-based approach"),
    ("'-6", "-6"),  # the guard the export writes
    *[(guard(text), text) for text in ("=1+1", "+x", "@x", "-based approach", "'-6", "''")],
]


def test_an_edited_csv_note_is_stored_as_meant(staff_client, world):
    for number, (cell, meant) in enumerate(CSV_EDITS, start=1):
        rows = export_rows(staff_client)
        row_for(rows, "BM22-R31", "KH")[NOTE] = cell
        page = preview(staff_client, to_csv(rows))
        assert can_confirm(page), cell
        assert ProgressUpdate.objects.count() == number - 1
        response = confirm(staff_client, page)
        assert "1 progress update published." in told(staff_client, response), cell
        update = ProgressUpdate.objects.latest("pk")
        assert (update.commitment, update.narrative) == (world.kh_31, meant), cell
        # Exported again, the note reads back as it is; re-imported, it changes nothing.
        rows = export_rows(staff_client)
        assert unguard(row_for(rows, "BM22-R31", "KH")[NOTE]) == meant
        assert confirm(staff_client, preview(staff_client, to_csv(rows))).status_code == 302
        assert ProgressUpdate.objects.count() == number, cell


XLSX_EDITS = ["-6", "=1+1", "+x", "@x", "'quoted'", "-based approach", "'-6", "\ttabbed"]


def test_an_edited_xlsx_note_is_stored_as_written(staff_client, world):
    for number, text in enumerate(XLSX_EDITS, start=1):
        data = edit_xlsx(admin_export(staff_client, "1"), "BM22-R31", "KH", NOTE, text)
        page = preview(staff_client, data, name="progress.xlsx", fmt=XLSX_FORMAT)
        assert can_confirm(page), text
        response = confirm(staff_client, page)
        assert "1 progress update published." in told(staff_client, response), text
        update = ProgressUpdate.objects.latest("pk")
        assert (update.commitment, update.narrative) == (world.kh_31, text.strip()), text
        # Exported again, the note is a text cell holding the text; re-imported unchanged,
        # nothing changes.
        again = admin_export(staff_client, "1")
        cell = note_cell_of_xlsx(again, "BM22-R31", "KH")
        assert (cell.value, cell.data_type) == (text.strip(), "s")
        page = preview(staff_client, again, name="progress.xlsx", fmt=XLSX_FORMAT)
        assert confirm(staff_client, page).status_code == 302
        assert ProgressUpdate.objects.count() == number, text


def meaningful_note(text: str) -> bool:
    return bool(text.strip())


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(note=with_start(csv_text).filter(meaningful_note))
def test_any_note_written_in_a_csv_is_stored_exactly(staff_client, world, note):
    rows = export_rows(staff_client)
    current = unguard(row_for(rows, "BM22-R31", "KH")[NOTE])
    row_for(rows, "BM22-R31", "KH")[NOTE] = guard(note)
    count = ProgressUpdate.objects.count()
    response = confirm(staff_client, preview(staff_client, to_csv(rows)))
    assert response.status_code == 302
    if " ".join(note.split()) == " ".join(current.split()):
        assert ProgressUpdate.objects.count() == count  # the same note: no update
    else:
        assert ProgressUpdate.objects.count() == count + 1
        latest = ProgressUpdate.objects.filter(commitment=world.kh_31).latest("pk")
        assert latest.narrative == note.strip()


# --- 5. queries ---------------------------------------------------------------------------


def test_the_import_page_takes_a_few_queries(kh_client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = kh_client.get(IMPORT_URL)
    assert page.status_code == 200
    assert 'value="Preview the changes"' in page.text
    assert "Download the progress table (Export)" in shown(page)
    assert "At most 5.0 MB and 5,000 rows." in shown(page)


def test_a_previews_queries_do_not_grow_with_its_rows(
    kh_client, world, django_assert_max_num_queries
):
    recommendations = Recommendation.objects.filter(consultation=world.consultation).exclude(
        pk__in=[world.kh_31.recommendation_id, world.kh_32.recommendation_id]
    )
    for recommendation in recommendations.order_by("pk")[:12]:
        make_commitment(recommendation, world.cambodia)
    rows = export_rows(kh_client, "?country=KH")
    assert len(rows) == 14
    for row in rows:
        row["Status"] = "Planned"
    preview(kh_client, to_csv(rows[:1]))  # the first request of a client does more
    previews, confirmations = {}, {}
    for size in (2, 4, 14):
        PendingUpload.objects.all().delete()
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as queries:
            page = post_preview(kh_client, to_csv(rows[:size]))
        assert shown(page).count("Planned (new progress update)") == size
        assert can_confirm(page)
        previews[size] = len(queries)
        # Confirming is bounded the same way.
        with django_assert_max_num_queries(36), CaptureQueriesContext(connection) as queries:
            response = post_confirm(kh_client, page)
        assert response.status_code == 302
        assert ProgressUpdate.objects.filter(status="planned").count() == size
        confirmations[size] = len(queries)
        ProgressUpdate.objects.all().delete()
    assert previews[2] == previews[4] == previews[14]
    assert confirmations[2] == confirmations[4] == confirmations[14]
