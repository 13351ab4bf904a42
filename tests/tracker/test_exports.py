"""The progress exports (CSV, JSON, XLSX) and the status matrix: what a downloader gets."""

import csv
import datetime as dt
import io
import json

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consultations.models import Recommendation
from tests.factories import (
    grow_commitments,
    make_commitment,
    make_deadline,
    make_evidence,
    make_update,
)
from tracker import review
from tracker.exports import STATUS_FILLS
from tracker.models import Commitment, Deadline, Evidence, ProgressUpdate, Status
from tracker.spreadsheets import guard, unguard

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "json", "xlsx"]

HEADERS = [
    "Consultation",
    "Consultation title",
    "Recommendation code",
    "Paragraph",
    "Recommendation",
    "Recommendation text",
    "GCM objectives",
    "GCM objective names",
    "SDGs",
    "SDG names",
    "Country code",
    "Country",
    "Government response",
    "Status",
    "Status date",
    "Lead agency",
    "Latest accepted note",
    "Challenges",
    "Support needed",
    "Public evidence",
    "Next deadline",
    "Overdue",
    "Page",
]

# What a spreadsheet program would start to run as a formula.
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS_TEXTS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR"]

JANUARY = dt.date(2024, 1, 10)
JUNE = dt.date(2024, 6, 1)


# --- helpers --------------------------------------------------------------------------


def at(day: dt.date) -> dt.datetime:
    """Noon of `day`, in UTC."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def export_url(fmt: str, query: str = "") -> str:
    url = reverse("tracker:progress_export", kwargs={"fmt": fmt})
    return f"{url}?{query}" if query else url


def matrix_url(query: str = "") -> str:
    url = reverse("tracker:progress_matrix")
    return f"{url}?{query}" if query else url


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def parse(fmt: str, content: bytes) -> tuple[list[str], list[dict]]:
    """The headers and the rows (as dicts keyed by header) of an export."""
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
        headers, values = lines[0], lines[1:]
        for row in values:
            assert len(row) == len(headers), row
        return headers, [dict(zip(headers, row, strict=True)) for row in values]
    if fmt == "json":
        records = json.loads(content.decode("utf-8"))
        headers = list(records[0]) if records else []
        return headers, records
    workbook = load_workbook(io.BytesIO(content))
    cells = list(workbook.worksheets[0].iter_rows(values_only=True))
    headers, values = list(cells[0]), cells[1:]
    return headers, [dict(zip(headers, row, strict=True)) for row in values]


def download(client, fmt: str, query: str = "") -> tuple[list[str], list[dict]]:
    response = client.get(export_url(fmt, query))
    assert response.status_code == 200, body(response)
    return parse(fmt, body(response))


def keys(rows: list[dict]) -> list[tuple[str, str]]:
    return [(row["Recommendation code"], row["Country code"]) for row in rows]


def by_key(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return dict(zip(keys(rows), rows, strict=True))


def page_keys(client, query: str) -> list[tuple[str, str]]:
    url = reverse("tracker:progress_table")
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    return [(c.recommendation.code, c.country.code.code) for c in response.context["page"]]


def workbook_cells(content: bytes):
    """Every cell of every sheet of an XLSX file."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def export_text(client, url: str) -> str:
    """Everything an export says, as text (the cells of a workbook, one a line)."""
    response = client.get(url)
    assert response.status_code == 200, url
    content = body(response)
    if url.split("?")[0].endswith(".xlsx"):
        return "\n".join(str(c.value) for c in workbook_cells(content) if c.value is not None)
    return content.decode("utf-8-sig")


def label(status: str) -> str:
    return str(Status(status).label)


# --- data -----------------------------------------------------------------------------


@pytest.fixture
def history(world):
    """Everything made on 10 January 2024; Cambodia's R31 in progress from 1 June 2024."""
    Commitment.history.all().update(history_date=at(JANUARY))
    Commitment.objects.update(public_changed_at=at(JANUARY))
    before = Commitment.history.aggregate(last=Max("history_id"))["last"]
    make_update(
        world.kh_31,
        world.staff,
        status="in_progress",
        narrative="June: border posts apply one rule.",
        created_at=at(JUNE),
    )
    Commitment.history.filter(history_id__gt=before).update(history_date=at(JUNE))
    # What the update made public, it made public in June.
    Commitment.objects.filter(public_changed_at__gt=at(JANUARY)).update(public_changed_at=at(JUNE))
    return world


def changed(client) -> list[tuple[str, str]]:
    """The rows of the export of what changed since 1 May 2024."""
    return keys(download(client, "json", "changed_since=2024-05-01")[1])


def all_unchanged_since_january() -> None:
    """Date every public change so far to January: what a test does next is all that counts."""
    Commitment.objects.update(public_changed_at=at(JANUARY))


COUNTRY_CODES = ["ID", "NP", "PH", "VN", "MY", "LA", "MM", "BD", "LK", "IN", "SG", "BN"]


def add_commitments(world, total: int) -> None:
    """Grow the data to `total` commitments, each with an update, evidence and deadline."""
    grow_commitments(
        total, by=world.staff, countries=COUNTRY_CODES, lead_agency="Ministry", internal=True
    )


# --- the same rows as the progress table ------------------------------------------------


QUERIES = {
    "": [
        ("BM22-R31", "KH"),
        ("BM22-R31", "TH"),
        ("BM22-R32", "KH"),
        ("BM22-R32", "TH"),
    ],
    "country=KH": [("BM22-R31", "KH"), ("BM22-R32", "KH")],
    "status=in_progress": [("BM22-R31", "KH")],
    "objective=11&country=TH": [("BM22-R31", "TH"), ("BM22-R32", "TH")],
    "q=quarantine": [("BM22-R32", "KH"), ("BM22-R32", "TH")],
    "overdue=on": [("BM22-R31", "KH")],
    "sdg=4": [],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", list(QUERIES))
def test_each_export_has_exactly_the_rows_of_the_progress_table(client, published, fmt, query):
    shown = page_keys(client, query)
    assert shown == QUERIES[query]
    _headers, rows = download(client, fmt, query)
    assert keys(rows) == shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_columns_have_human_readable_headers(client, published, fmt):
    headers, _rows = download(client, fmt)
    assert headers == HEADERS


def test_export_rows_say_what_the_table_says(client, published):
    _headers, rows = download(client, "json", "country=KH")
    row = by_key(rows)[("BM22-R31", "KH")]
    assert row["Consultation"] == "BM22"
    assert row["Country"] == "Cambodia"
    assert row["Status"] == "In progress"
    assert row["Latest accepted note"] == "Accepted: border posts apply one rule."
    assert row["Public evidence"] == "1 Mar 2024 Public circular"
    assert row["GCM objectives"] == "5; 11"
    assert row["GCM objective names"] == "5. Regular pathways; 11. Manage borders"
    assert row["Consultation title"].startswith("Border Management and Labour Migration")
    assert row["Government response"] == "No response yet"
    assert row["Overdue"] is True
    assert row["Page"] == "http://127.0.0.1:8000/recommendations/BM22-R31/#kh"
    assert row["Recommendation text"].startswith("Health requirements/regulations should")
    untouched = by_key(rows)[("BM22-R32", "KH")]
    assert untouched["Status"] == "Not started"
    assert untouched["Latest accepted note"] == ""
    assert untouched["Public evidence"] == ""
    assert untouched["Overdue"] is False


def width_of(sheet, index: int) -> float:
    """A column's width (openpyxl keys columns of the same width by the first of them)."""
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= index <= d.max)


def test_xlsx_can_be_handed_on_as_it_is(client, published):
    """Columns as wide as their content (capped), long text wrapped, an autofilter, yes/no
    as booleans, links to the rows' pages, and a sheet saying what the file holds."""
    response = client.get(export_url("xlsx", "country=kh&overdue=on"))
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["Progress", "About this file"]
    sheet = book["Progress"]
    assert sheet.auto_filter.ref == f"A1:W{sheet.max_row}"
    assert sheet.freeze_panes == "A2"
    column = {header: index + 1 for index, header in enumerate(HEADERS)}
    row = 2
    text = sheet.cell(row, column["Recommendation text"])
    assert len(text.value) > 60 and text.alignment.wrap_text
    assert 40 < width_of(sheet, column["Recommendation text"]) <= 63
    assert width_of(sheet, column["Country code"]) < 20  # "KH": as wide as its header
    assert sheet.cell(row, column["Overdue"]).value is True
    page = sheet.cell(row, column["Page"])
    assert page.value == "http://127.0.0.1:8000/recommendations/BM22-R31/#kh"
    assert (page.hyperlink.target, page.hyperlink.location) == (
        "http://127.0.0.1:8000/recommendations/BM22-R31/",
        "kh",
    )
    assert sheet.cell(row, column["GCM objective names"]).value == (
        "5. Regular pathways; 11. Manage borders"
    )
    about = dict(book["About this file"].iter_rows(values_only=True))
    assert about["Source"] == "http://127.0.0.1:8000/progress/?country=kh&overdue=on"
    assert about["Filters"] == "Country: Cambodia; Only with overdue deadlines: yes"
    assert about["As of"] == "today, as it stands"
    assert about["Licence"] == "CC BY 3.0 IGO (https://creativecommons.org/licenses/by/3.0/igo/)"
    assert about["Implemented"] == Status.definitions()[Status.IMPLEMENTED]
    dated = load_workbook(io.BytesIO(body(client.get(export_url("xlsx", "as_of=2024-05-01")))))
    assert dict(dated["About this file"].iter_rows(values_only=True))["As of"] == "1 May 2024"


def test_csv_and_json_carry_the_same_columns_and_yes_no(client, published):
    csv_headers, csv_rows = download(client, "csv", "country=kh")
    json_headers, json_rows = download(client, "json", "country=kh")
    assert csv_headers == json_headers == HEADERS
    assert {row["Overdue"] for row in csv_rows} == {"TRUE", "FALSE"}
    assert {row["Overdue"] for row in json_rows} == {True, False}
    assert {row["Page"] for row in csv_rows} == {row["Page"] for row in json_rows}


@pytest.mark.parametrize(
    "url", [export_url(fmt) for fmt in FORMATS] + [matrix_url()], ids=[*FORMATS, "matrix"]
)
def test_every_download_names_the_licence_of_its_data(client, world, url, settings):
    settings.DATA_LICENCE_URL = "https://example.org/licence"
    response = client.get(url)
    assert response["Link"] == '<https://example.org/licence>; rel="license"'


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_a_named_download(client, world, fmt):
    response = client.get(export_url(fmt, "as_of=2024-05-01"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="gcm-progress-as-of-2024-05-01.{fmt}"'
    )
    today = timezone.localdate().isoformat()
    response = client.get(export_url(fmt, "country=th&status=implemented&overdue=on"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="gcm-progress-TH-implemented-overdue-{today}.{fmt}"'
    )


# --- typed values -----------------------------------------------------------------------


def test_xlsx_keeps_numbers_and_dates_typed(client, published):
    status_date = Commitment.objects.get(pk=published.kh_31.pk).status_date
    _headers, rows = download(client, "xlsx")
    rows = by_key(rows)
    kh_31, th_32 = rows[("BM22-R31", "KH")], rows[("BM22-R32", "TH")]
    assert type(kh_31["Paragraph"]) is int
    assert kh_31["Paragraph"] == 31
    assert isinstance(kh_31["Status date"], dt.datetime)
    assert kh_31["Status date"].date() == status_date
    assert kh_31["Next deadline"] == dt.datetime(2020, 1, 1)
    assert th_32["Next deadline"] == dt.datetime(2031, 1, 1)
    assert th_32["Status date"] is None


def test_json_has_iso_dates_and_numeric_paragraphs(client, published):
    status_date = Commitment.objects.get(pk=published.kh_31.pk).status_date
    _headers, rows = download(client, "json")
    rows = by_key(rows)
    kh_31, th_32 = rows[("BM22-R31", "KH")], rows[("BM22-R32", "TH")]
    assert kh_31["Paragraph"] == 31
    assert type(kh_31["Paragraph"]) is int
    assert kh_31["Status date"] == status_date.isoformat()
    assert kh_31["Next deadline"] == "2020-01-01"
    assert th_32["Next deadline"] == "2031-01-01"
    assert th_32["Status date"] is None


def test_csv_has_iso_dates(client, published):
    status_date = Commitment.objects.get(pk=published.kh_31.pk).status_date
    _headers, rows = download(client, "csv")
    rows = by_key(rows)
    kh_31, th_32 = rows[("BM22-R31", "KH")], rows[("BM22-R32", "TH")]
    assert kh_31["Paragraph"] == "31"
    assert kh_31["Status date"] == status_date.isoformat()
    assert kh_31["Next deadline"] == "2020-01-01"
    assert th_32["Next deadline"] == "2031-01-01"
    assert th_32["Status date"] == ""


# --- formula safety ---------------------------------------------------------------------


@pytest.fixture(params=DANGEROUS_TEXTS)
def formula_text(request, world):
    """A dangerous text as lead agency, accepted note and public evidence title of KH R31."""
    text = request.param
    Commitment.objects.filter(pk=world.kh_31.pk).update(lead_agency=text)
    make_update(world.kh_31, world.staff, narrative=text)
    make_evidence(world.kh_31, world.staff, title=text, visibility="public")
    return text


def test_xlsx_writes_formula_like_text_as_text_exactly(client, formula_text):
    response = client.get(export_url("xlsx"))
    content = body(response)
    for cell in workbook_cells(content):
        assert cell.data_type != "f", cell.coordinate
    row = by_key(parse("xlsx", content)[1])[("BM22-R31", "KH")]
    # A text cell, which no spreadsheet runs, holds the text as it is: no apostrophe.
    # (XML keeps a carriage return as a line feed.)
    stored = formula_text.replace("\r", "\n")
    assert row["Lead agency"].replace("\r", "\n") == stored
    assert row["Latest accepted note"].replace("\r", "\n") == stored
    assert row["Public evidence"].replace("\r", "\n") == "1 Mar 2024 " + stored
    assert row["Paragraph"] == 31
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    lead_agency = next(
        row[HEADERS.index("Lead agency")]
        for row in sheet.iter_rows(min_row=2)
        if row[HEADERS.index("Recommendation code")].value == "BM22-R31"
        and row[HEADERS.index("Country code")].value == "KH"
    )
    assert lead_agency.data_type == "s"


def test_csv_guards_formula_like_text(client, formula_text):
    _headers, rows = download(client, "csv")
    for row in rows:
        for value in row.values():
            assert not value.startswith(DANGEROUS_STARTS), value
    row = by_key(rows)[("BM22-R31", "KH")]
    assert row["Lead agency"] == "'" + formula_text
    assert row["Latest accepted note"] == "'" + formula_text
    assert row["Public evidence"] == "1 Mar 2024 " + formula_text
    assert row["Paragraph"] == "31"


def test_json_carries_the_exact_text(client, formula_text):
    _headers, rows = download(client, "json")
    row = by_key(rows)[("BM22-R31", "KH")]
    assert row["Lead agency"] == formula_text
    assert row["Latest accepted note"] == formula_text
    assert row["Paragraph"] == 31


def test_as_of_export_carries_the_exact_text_too(client, formula_text):
    today = timezone.localdate().isoformat()
    _headers, rows = download(client, "json", f"as_of={today}")
    row = by_key(rows)[("BM22-R31", "KH")]
    assert row["Lead agency"] == formula_text
    assert row["Latest accepted note"] == formula_text


def test_matrix_writes_formula_like_text_as_text(client, world, formula_text):
    Recommendation.objects.filter(code="BM22-R31").update(short_title=formula_text)
    content = body(client.get(matrix_url()))
    for cell in workbook_cells(content):
        assert cell.data_type != "f", cell.coordinate
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A2"].value == "BM22-R31"
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value.replace("\r", "\n") == formula_text.replace("\r", "\n")


dangerous_text = st.builds(
    lambda start, rest: start + rest, st.sampled_from((*DANGEROUS_STARTS, "'")), st.text()
)


@settings(max_examples=200)
@given(st.one_of(st.text(), dangerous_text))
def test_the_csv_guard_never_leaves_a_formula_and_comes_off_exactly(text):
    guarded = guard(text)
    assert not guarded.startswith(DANGEROUS_STARTS)
    if text.startswith((*DANGEROUS_STARTS, "'")):
        assert guarded == "'" + text
    else:
        assert guarded == text
    assert unguard(guarded) == text


@settings(max_examples=100)
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.dates(),
        st.datetimes(),
    )
)
def test_the_csv_guard_passes_other_values_unchanged(value):
    assert guard(value) is value
    assert unguard(value) is value


# --- only public data -------------------------------------------------------------------


def public_export_urls() -> list[str]:
    today = timezone.localdate().isoformat()
    urls = []
    for query in ["", "country=KH", "country=TH", f"as_of={today}", "changed_since=2020-01-01"]:
        urls += [export_url(fmt, query) for fmt in FORMATS]
        urls.append(matrix_url(query))
    return urls


def test_no_export_shows_unaccepted_updates_or_internal_evidence(client, published):
    for url in public_export_urls():
        assert "SECRET" not in export_text(client, url), url


def test_exports_show_the_accepted_note_and_public_evidence(client, published):
    for url in public_export_urls():
        if "matrix" in url or "country=TH" in url:
            continue
        text = export_text(client, url)
        assert "Accepted: border posts apply one rule." in text, url
        assert "Public circular" in text, url


def test_changed_since_ignores_unpublished_changes(client, history):
    """Internal evidence says nothing to the public: it makes no row "changed"."""
    make_evidence(history.th_32, history.staff, title="Internal memo", visibility="internal")
    memo = make_evidence(history.th_31, history.staff, title="Staff memo", visibility="internal")
    memo.note = "Still internal, now longer."
    memo.save()
    assert changed(client) == [("BM22-R31", "KH")]


def test_changed_since_ignores_updates_not_accepted(client, history):
    """Submitted, returned, draft and taken-back updates, and all they carry, are not public."""
    submitted = make_update(
        history.th_31,
        history.focal_th,
        status="planned",
        narrative="Not reviewed yet.",
        response="supported",
        lead_agency="Ministry of Health",
    )
    make_evidence(history.th_31, history.focal_th, title="Decree", update=submitted)
    make_deadline(history.th_31, history.focal_th, due_date=dt.date(2031, 1, 1), update=submitted)
    returned = make_update(history.th_32, history.focal_th, narrative="Draft to rework.")
    review.return_for_changes(
        returned, by=history.staff, comment="Please add figures.", seen_version=returned.version
    )
    draft = ProgressUpdate(commitment=history.kh_32, status="planned", narrative="A draft.")
    review.report(draft, by=history.focal_kh, as_draft=True)
    taken_back = make_update(history.kh_32, history.focal_kh, narrative="Taken back.")
    review.withdraw(taken_back, by=history.focal_kh)
    assert changed(client) == [("BM22-R31", "KH")]
    _headers, rows = download(client, "json", "country=TH")
    assert {row["Status"] for row in rows} == {"Not started"}
    assert {row["Lead agency"] for row in rows} == {""}
    assert {row["Next deadline"] for row in rows} == {None}


def test_changed_since_ignores_saves_that_change_nothing(client, history):
    evidence = make_evidence(history.th_31, history.staff, title="Decree")
    deadline = make_deadline(history.th_32, history.staff, due_date=dt.date(2031, 1, 1))
    all_unchanged_since_january()
    commitment = Commitment.objects.get(pk=history.th_31.pk)
    commitment.save_checked(expected_version=commitment.version)
    commitment.refresh_status()
    Evidence.objects.get(pk=evidence.pk).save()
    Deadline.objects.get(pk=deadline.pk).save()
    assert changed(client) == []


# --- the status matrix ------------------------------------------------------------------


@pytest.fixture
def matrix_world(published):
    """Thailand's R32 planned; Cambodia alone owns R33."""
    make_update(published.th_32, published.staff, status="planned", narrative="Planned.")
    make_commitment(Recommendation.objects.get(code="BM22-R33"), published.cambodia)
    return published


def matrix(client, query: str = ""):
    response = client.get(matrix_url(query))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content))


def column(sheet, letter: str, start: int) -> list:
    return [cell.value for cell in sheet[letter][start - 1 :]]


def test_matrix_has_recommendations_down_and_countries_across(client, matrix_world):
    workbook = matrix(client)
    assert workbook.sheetnames == ["Status matrix", "Legend", "About this file"]
    sheet = workbook["Status matrix"]
    assert [cell.value for cell in sheet[1]] == [
        "Recommendation code",
        "Recommendation",
        "Cambodia",
        "Thailand",
    ]
    assert column(sheet, "A", 2) == ["BM22-R31", "BM22-R32", "BM22-R33"]
    assert sheet.freeze_panes == "C2"
    expected = {
        "C2": Status.IN_PROGRESS,
        "D2": Status.NOT_STARTED,
        "C3": Status.NOT_STARTED,
        "D3": Status.PLANNED,
        "C4": Status.NOT_STARTED,
    }
    for coordinate, status in expected.items():
        cell = sheet[coordinate]
        assert cell.value == label(status), coordinate
        assert cell.fill.fill_type == "solid", coordinate
        assert cell.fill.start_color.rgb.endswith(STATUS_FILLS[status]), coordinate
    # Thailand does not own R33.
    assert sheet["D4"].value is None


def test_matrix_legend_lists_every_status_in_its_colour(client, world):
    legend = matrix(client)["Legend"]
    cells = legend["A"][1 : 1 + len(Status.choices)]
    assert [cell.value for cell in cells] == [str(name) for _value, name in Status.choices]
    for cell, status in zip(cells, Status.values, strict=True):
        assert cell.fill.start_color.rgb.endswith(STATUS_FILLS[status]), status
        assert legend.cell(row=cell.row, column=2).value, status


def test_matrix_follows_the_filters(client, matrix_world):
    sheet = matrix(client, "country=KH")["Status matrix"]
    assert [cell.value for cell in sheet[1]] == [
        "Recommendation code",
        "Recommendation",
        "Cambodia",
    ]
    assert column(sheet, "A", 2) == ["BM22-R31", "BM22-R32", "BM22-R33"]
    sheet = matrix(client, "status=planned")["Status matrix"]
    assert [cell.value for cell in sheet[1]][2:] == ["Thailand"]
    assert column(sheet, "A", 2) == ["BM22-R32"]
    assert sheet["C2"].value == "Planned"


def test_matrix_as_of_a_date_shows_the_status_of_that_date(client, history):
    sheet = matrix(client, "as_of=2024-05-01")["Status matrix"]
    assert sheet["A2"].value == "BM22-R31"
    assert sheet["C1"].value == "Cambodia"
    assert sheet["C2"].value == "Not started"


# --- as of a date, changed since a date --------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_as_of_a_date_shows_the_status_of_that_date(client, history, fmt):
    _headers, before = download(client, fmt, "as_of=2024-05-01")
    assert len(before) == 4
    kh_31 = by_key(before)[("BM22-R31", "KH")]
    assert kh_31["Status"] == "Not started"
    assert kh_31["Latest accepted note"] in ("", None)  # an empty XLSX cell reads as None
    assert kh_31["Status date"] in ("", None)

    for day in ["2024-06-01", "2024-07-01"]:
        _headers, after = download(client, fmt, f"as_of={day}")
        assert len(after) == 4
        kh_31 = by_key(after)[("BM22-R31", "KH")]
        assert kh_31["Status"] == "In progress", day
        assert kh_31["Latest accepted note"] == "June: border posts apply one rule."
        assert kh_31["Status date"] in (JUNE.isoformat(), dt.datetime(2024, 6, 1))
        assert by_key(after)[("BM22-R32", "KH")]["Status"] == "Not started"


def test_export_as_of_a_date_shows_the_lead_agency_of_that_date(client, history):
    before = Commitment.history.aggregate(last=Max("history_id"))["last"]
    commitment = Commitment.objects.get(pk=history.th_31.pk)
    commitment.lead_agency = "Ministry of Public Health"
    commitment.save()
    Commitment.history.filter(history_id__gt=before).update(history_date=at(JUNE))
    _headers, rows = download(client, "json", "as_of=2024-05-01")
    assert by_key(rows)[("BM22-R31", "TH")]["Lead agency"] == ""
    _headers, rows = download(client, "json", "as_of=2024-07-01")
    assert by_key(rows)[("BM22-R31", "TH")]["Lead agency"] == "Ministry of Public Health"


def test_export_as_of_a_date_leaves_out_commitments_made_later(client, history):
    before = Commitment.history.aggregate(last=Max("history_id"))["last"]
    make_commitment(Recommendation.objects.get(code="BM22-R33"), history.thailand)
    Commitment.history.filter(history_id__gt=before).update(history_date=at(JUNE))
    _headers, rows = download(client, "json", "as_of=2024-05-01")
    assert ("BM22-R33", "TH") not in keys(rows)
    assert len(rows) == 4
    _headers, rows = download(client, "json", "as_of=2024-07-01")
    assert ("BM22-R33", "TH") in keys(rows)
    assert len(rows) == 5


def test_export_as_of_a_date_leaves_out_evidence_added_later(client, history):
    june = make_evidence(history.kh_32, history.staff, title="June decree", date=JUNE)
    Evidence.objects.filter(pk=june.pk).update(created_at=at(JUNE))
    _headers, rows = download(client, "json", "as_of=2024-05-01")
    assert by_key(rows)[("BM22-R32", "KH")]["Public evidence"] == ""
    _headers, rows = download(client, "json", "as_of=2024-07-01")
    assert by_key(rows)[("BM22-R32", "KH")]["Public evidence"] == "1 Jun 2024 June decree"


def test_export_as_of_a_date_leaves_out_evidence_still_waiting_for_review(client, history):
    update = make_update(history.kh_32, history.focal_kh, status="planned", created_at=at(JUNE))
    pending = make_evidence(history.kh_32, history.focal_kh, title="June decree", update=update)
    Evidence.objects.filter(pk=pending.pk).update(created_at=at(JUNE))
    review.accept(update, by=history.staff, seen_version=update.version)  # today, not in June
    _headers, rows = download(client, "json", "as_of=2024-07-01")
    assert by_key(rows)[("BM22-R32", "KH")]["Status"] == "Not started"
    assert by_key(rows)[("BM22-R32", "KH")]["Public evidence"] == ""


def test_export_as_of_a_date_filters_on_the_status_of_that_date(client, history):
    _headers, rows = download(client, "json", "as_of=2024-05-01&status=in_progress")
    assert [row["Status"] for row in rows] == []
    _headers, rows = download(client, "json", "as_of=2024-05-01&status=not_started")
    assert len(rows) == 4


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_changed_since_a_date_lists_only_what_changed(client, history, fmt):
    _headers, rows = download(client, fmt, "changed_since=2024-05-01")
    assert keys(rows) == [("BM22-R31", "KH")]
    assert rows[0]["Status"] == "In progress"
    _headers, rows = download(client, fmt, "changed_since=2024-06-01")
    assert keys(rows) == [("BM22-R31", "KH")]
    _headers, rows = download(client, fmt, "changed_since=2024-06-02")
    assert keys(rows) == []
    _headers, rows = download(client, fmt, "changed_since=2024-01-01")
    assert len(rows) == 4


def test_changed_since_counts_new_public_evidence_and_deadlines(client, history):
    make_evidence(history.th_31, history.staff, title="New decree", visibility="public")
    make_deadline(history.th_32, history.staff, due_date=dt.date(2031, 1, 1))
    _headers, rows = download(client, "json", "changed_since=2024-05-01")
    assert keys(rows) == [("BM22-R31", "KH"), ("BM22-R31", "TH"), ("BM22-R32", "TH")]


def _set(model, pk, **values):
    """Change a record as an editor would: read it, change it, save it."""
    record = model.objects.get(pk=pk)
    for name, value in values.items():
        setattr(record, name, value)
    record.save()


PUBLIC_CHANGES = {
    "status": lambda w, ev, dl: make_update(w.th_31, w.staff, status="planned"),
    "response": lambda w, ev, dl: _set(Commitment, w.th_31.pk, response="supported"),
    "lead agency": lambda w, ev, dl: _set(Commitment, w.th_31.pk, lead_agency="Ministry"),
    "evidence note": lambda w, ev, dl: _set(Evidence, ev.pk, note="Now in full."),
    "evidence made internal": lambda w, ev, dl: _set(Evidence, ev.pk, visibility="internal"),
    "evidence deleted": lambda w, ev, dl: Evidence.objects.get(pk=ev.pk).delete(),
    "deadline moved": lambda w, ev, dl: _set(Deadline, dl.pk, due_date=dt.date(2032, 1, 1)),
    "deadline done": lambda w, ev, dl: _set(Deadline, dl.pk, is_done=True),
}


@pytest.mark.parametrize("change", list(PUBLIC_CHANGES))
def test_changed_since_counts_each_public_change(client, history, change):
    evidence = make_evidence(history.th_31, history.staff, title="Decree")
    deadline = make_deadline(history.th_31, history.staff, due_date=dt.date(2031, 1, 1))
    all_unchanged_since_january()
    PUBLIC_CHANGES[change](history, evidence, deadline)
    assert changed(client) == [("BM22-R31", "TH")]


def test_changed_since_counts_an_update_when_accepted_and_when_withdrawn(client, history):
    update = make_update(history.th_31, history.focal_th, status="planned", narrative="Adopted.")
    assert changed(client) == [("BM22-R31", "KH")]

    review.accept(update, by=history.staff, seen_version=update.version)
    assert changed(client) == [("BM22-R31", "KH"), ("BM22-R31", "TH")]

    all_unchanged_since_january()
    review.withdraw(update, by=history.staff, reason="The plan was not adopted after all.")
    _headers, rows = download(client, "json", "changed_since=2024-05-01")
    assert keys(rows) == [("BM22-R31", "TH")]
    assert rows[0]["Status"] == "Not started"
    assert rows[0]["Latest accepted note"] == ""


def test_changed_since_counts_what_an_accepted_update_carries(client, history):
    memo = make_evidence(history.th_32, history.focal_th, title="Draft law", visibility="internal")
    update = make_update(
        history.th_32,
        history.focal_th,
        status="planned",
        narrative="Cabinet approved the plan.",
        lead_agency="Ministry of Health",
    )
    make_evidence(history.th_32, history.focal_th, title="Cabinet decision", update=update)
    make_deadline(history.th_32, history.focal_th, due_date=dt.date(2031, 1, 1), update=update)
    update.evidence_changes.create(evidence=memo, visibility=Evidence.Visibility.PUBLIC)
    assert changed(client) == [("BM22-R31", "KH")]

    review.accept(update, by=history.staff, seen_version=update.version)
    _headers, rows = download(client, "json", "changed_since=2024-05-01")
    assert keys(rows) == [("BM22-R31", "KH"), ("BM22-R32", "TH")]
    row = by_key(rows)[("BM22-R32", "TH")]
    assert row["Status"] == "Planned"
    assert row["Lead agency"] == "Ministry of Health"
    assert row["Latest accepted note"] == "Cabinet approved the plan."
    assert row["Public evidence"] == "1 Mar 2024 Draft law\n1 Mar 2024 Cabinet decision"
    assert row["Next deadline"] == "2031-01-01"


@pytest.mark.parametrize(
    "url", [export_url(fmt) for fmt in FORMATS] + [matrix_url()], ids=[*FORMATS, "matrix"]
)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("as_of=2024-13-01", "as_of"),
        ("changed_since=yesterday", "changed_since"),
        ("country=ZZ", "country"),
        ("status=finished", "status"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, world, url, query, parameter):
    """The progress page, with the message by the facet and nothing to download."""
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    field = response.text.split(f'name="{parameter}"')[1].split("</div>")[0]
    assert 'class="errorlist' in field
    assert "A filter could not be applied" in response.text
    assert 'href="/progress/export.' not in response.text
    assert 'href="/progress/matrix.xlsx' not in response.text
    assert 'action="/progress/"' in response.text


# --- streaming and query counts ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_are_streamed(client, published, fmt):
    response = client.get(export_url(fmt))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv" if fmt == "csv" else "application/json")
    assert len(parse(fmt, body(response))[1]) == 4


def test_csv_starts_with_a_byte_order_mark(client, published):
    content = body(client.get(export_url("csv")))
    assert content.startswith("\ufeffConsultation,".encode())


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("csv", ""),
        ("json", ""),
        ("xlsx", ""),
        ("csv", "as_of"),
        ("json", "changed_since=2020-01-01"),
        ("matrix", ""),
    ],
)
def test_export_query_count_holds_with_10_and_with_150_commitments(
    client, world, django_assert_max_num_queries, path, query
):
    if query == "as_of":
        query = f"as_of={timezone.localdate().isoformat()}"
    url = matrix_url(query) if path == "matrix" else export_url(path, query)
    counts = []
    for total in (10, 150):
        add_commitments(world, total)
        assert Commitment.objects.count() == total
        with django_assert_max_num_queries(15) as captured:
            response = client.get(url)
            assert response.status_code == 200
            content = body(response)
        counts.append(len(captured.captured_queries))
        if path != "matrix":
            assert len(parse(path, content)[1]) == total
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries for 10 rows, {counts[1]} for 150"


# --- CSV round trip ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'Ministry of Labour, "MoLVT"\nDepartment of Employment',
        'Santé, "Migration"\r\nPoint d\'entrée; 3, 4',
        '"Quoted", then a line\n\nand an empty one',
        '=IMPORTXML("http://x", "//a"),\n"x"',
    ],
)
def test_csv_keeps_commas_quotes_and_line_breaks(client, world, text):
    Commitment.objects.filter(pk=world.kh_31.pk).update(lead_agency=text)
    make_update(world.kh_31, world.staff, narrative=text)
    content = body(client.get(export_url("csv")))
    headers, rows = parse("csv", content)
    assert headers == HEADERS
    assert len(rows) == 4
    expected = guard(text)
    assert expected == ("'" + text if text.startswith("=") else text)
    row = by_key(rows)[("BM22-R31", "KH")]
    assert row["Lead agency"] == expected
    assert row["Latest accepted note"] == expected
    assert row["Paragraph"] == "31"


def test_xlsx_survives_control_characters_pasted_into_text(client, world):
    Commitment.objects.filter(pk=world.kh_31.pk).update(lead_agency="Ministry\x0bof Labour")
    make_update(world.kh_31, world.staff, narrative="First line\x0bsecond line")
    response = client.get(export_url("xlsx"))
    assert response.status_code == 200
    row = by_key(parse("xlsx", body(response))[1])[("BM22-R31", "KH")]
    assert "Ministry" in row["Lead agency"] and "of Labour" in row["Lead agency"]
    assert "second line" in row["Latest accepted note"]
