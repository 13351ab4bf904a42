"""The admin's export page: a form that says what the file will hold, and files that hold
what the user may see (internal evidence included), named for what they hold."""

import csv
import io
import json
import zipfile
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations.models import Recommendation
from tests.factories import make_commitment, make_country, make_evidence, make_update
from tests.forms import form_data
from tests.tracker.test_exports import HEADERS as PUBLIC_HEADERS

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:tracker_commitment_export")
LOGIN_URL = reverse("admin:login")

# The public export's columns, and the admin's own.
HEADERS = [*PUBLIC_HEADERS, "Internal evidence"]

# The format field's value for each kind of file, as the page offers them.
FORMATS = {"csv": "0", "xlsx": "1", "json": "2"}
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

# Text a spreadsheet program would run, were it not written as text.
FORMULA_AGENCY = '=HYPERLINK("http://evil.example","Ministry")'
FORMULA_NOTE = "+2 border posts open, -1 closed"

# The form page, and a download: a few queries for the whole file, not one per row.
PAGE_QUERIES = 8
DOWNLOAD_QUERIES = 14


# --- the data ------------------------------------------------------------------------


@pytest.fixture
def evidence(world):
    """Public and internal evidence on both countries' commitments, and a row whose text
    looks like formulas."""
    make_evidence(world.kh_31, world.staff, title="KH public circular", visibility="public")
    make_evidence(world.kh_31, world.staff, title="KH internal memo", visibility="internal")
    make_evidence(world.th_31, world.staff, title="TH public decree", visibility="public")
    make_evidence(world.th_31, world.staff, title="TH internal SECRET", visibility="internal")
    make_update(world.kh_31, world.focal_kh, narrative=FORMULA_NOTE, accepted_by=world.staff)
    world.kh_31.refresh_from_db()
    world.kh_31.lead_agency = FORMULA_AGENCY
    world.kh_31.save()
    return world


# --- reading what the page and the files say ---------------------------------------------


class ExportPage(HTMLParser):
    """The export form as a reader meets it: the formats offered, the columns' labels, and
    any inline code (which the Content-Security-Policy would block)."""

    def __init__(self, html: str):
        super().__init__()
        self.formats: list[str] = []
        self.selected_format: list[str] = []
        self.column_labels: list[str] = []
        self.inline_code: list[str] = []
        self._option: bool = False
        self._option_selected: bool = False
        self._label: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.inline_code.append(self.get_starttag_text())
        if tag == "style":
            self.inline_code.append(self.get_starttag_text())
        if tag == "script" and "src" not in attributes:
            self.inline_code.append(self.get_starttag_text())
        if tag == "option":
            self._option, self._option_selected = True, "selected" in attributes
            self.formats.append("")
        if tag == "label" and (attributes.get("for") or "").startswith("id_adminprogressresource_"):
            self._label = ""

    def handle_endtag(self, tag):
        if tag == "option":
            if self._option_selected:
                self.selected_format.append(self.formats[-1])
            self._option = False
        if tag == "label" and self._label is not None:
            self.column_labels.append(" ".join(self._label.split()))
            self._label = None

    def handle_data(self, data):
        if self._option:
            self.formats[-1] += data.strip()
        if self._label is not None:
            self._label += data


def file_name(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="'), disposition
    return disposition.removeprefix('attachment; filename="').removesuffix('"')


def table(response, fmt: str) -> list[dict]:
    """The downloaded file's rows as {header: cell}, cells as the file holds them."""
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[fmt]
    assert file_name(response).endswith(f".{fmt}")
    if fmt == "csv":
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        return [dict(zip(header, row, strict=True)) for row in rows]
    if fmt == "json":
        return json.loads(response.content)
    sheet_xml = sheets_xml(response.content)
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula cell at all
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.iter_rows()
    names = [cell.value for cell in header]
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    cells = [["" if cell.value is None else cell.value for cell in row] for row in rows]
    return [dict(zip(names, values, strict=True)) for values in cells]


def sheets_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def headers_of(response, fmt: str) -> list[str]:
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return next(csv.reader(io.StringIO(text)))
    if fmt == "json":
        return list(json.loads(response.content)[0])
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell.value for cell in next(sheet.iter_rows())]


def row_for(rows, code: str, iso: str) -> dict:
    [row] = [r for r in rows if r["Recommendation code"] == code and r["Country code"] == iso]
    return row


def download(client, fmt: str, query: str = "", queries=None, **changes):
    """What the Download button sends: the form as the page renders it, in `fmt`; the
    download within `queries` (a django_assert_max_num_queries) when given."""
    page = client.get(EXPORT_URL + query)
    assert page.status_code == 200
    data = form_data(page.text, None, format=FORMATS[fmt], **changes)
    if queries is None:
        return client.post(EXPORT_URL + query, data)
    with queries(DOWNLOAD_QUERIES):
        return client.post(EXPORT_URL + query, data)


def today(zone: str = "UTC") -> str:
    """Today's date where the person downloading is (staff: UTC; Cambodia's focal point:
    Asia/Phnom_Penh, a day ahead of UTC in the evening)."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(zone)).isoformat()


# --- the form ----------------------------------------------------------------------------


def test_export_form_offers_three_formats_and_columns_named_as_in_the_file(
    staff_client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = staff_client.get(EXPORT_URL)

    assert response.status_code == 200
    page = ExportPage(response.text)
    assert page.formats == ["CSV", "Excel (XLSX)", "JSON"]
    assert page.selected_format == ["Excel (XLSX)"]
    assert page.column_labels == HEADERS
    assert "Gcm Objectives" not in response.text
    assert "All columns" in response.text
    # Every column ticked at first: the form as rendered downloads every header.
    data = form_data(response.text)
    assert data["format"] == FORMATS["xlsx"]
    assert sorted(k for k, v in data.items() if v == "on") == sorted(
        f"adminprogressresource_{name}"
        for name in [
            "consultation",
            "consultation_title",
            "recommendation_code",
            "paragraph",
            "recommendation_title",
            "recommendation_text",
            "gcm_objectives",
            "gcm_objective_names",
            "sdgs",
            "sdg_names",
            "country_code",
            "country",
            "response",
            "status",
            "status_date",
            "lead_agency",
            "latest_note",
            "challenges",
            "support_needed",
            "public_evidence",
            "next_deadline",
            "overdue",
            "page",
            "internal_evidence",
        ]
    )


@pytest.mark.parametrize("user", ["staff", "focal_kh"])
def test_export_form_has_no_inline_script_or_style(
    client, world, user, django_assert_max_num_queries
):
    client.force_login(getattr(world, user))
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(EXPORT_URL)
    assert response.status_code == 200
    page = ExportPage(response.text)
    assert page.column_labels == HEADERS  # the parser did read the form
    assert page.inline_code == []
    assert '<script src="/static/tracker/export_fields.js"' in response.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_file_has_the_headers_the_form_labels(staff_client, world, fmt):
    assert headers_of(download(staff_client, fmt), fmt) == HEADERS


# --- what the files hold -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_staff_file_holds_internal_evidence_of_every_country(
    staff_client, evidence, fmt, django_assert_max_num_queries
):
    response = download(staff_client, fmt, queries=django_assert_max_num_queries)
    rows = table(response, fmt)

    assert sorted((r["Recommendation code"], r["Country code"]) for r in rows) == [
        ("BM22-R31", "KH"),
        ("BM22-R31", "TH"),
        ("BM22-R32", "KH"),
        ("BM22-R32", "TH"),
    ]
    kh, th = row_for(rows, "BM22-R31", "KH"), row_for(rows, "BM22-R31", "TH")
    assert kh["Internal evidence"] == "1 Mar 2024 KH internal memo"
    assert kh["Public evidence"] == "1 Mar 2024 KH public circular"
    assert th["Internal evidence"] == "1 Mar 2024 TH internal SECRET"
    assert th["Public evidence"] == "1 Mar 2024 TH public decree"
    assert row_for(rows, "BM22-R32", "KH")["Internal evidence"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_focal_point_file_holds_only_their_country(
    kh_client, evidence, fmt, django_assert_max_num_queries
):
    response = download(kh_client, fmt, queries=django_assert_max_num_queries)
    rows = table(response, fmt)

    assert sorted((r["Recommendation code"], r["Country code"]) for r in rows) == [
        ("BM22-R31", "KH"),
        ("BM22-R32", "KH"),
    ]
    assert {r["Country"] for r in rows} == {"Cambodia"}
    kh = row_for(rows, "BM22-R31", "KH")
    assert kh["Internal evidence"] == "1 Mar 2024 KH internal memo"
    assert kh["Public evidence"] == "1 Mar 2024 KH public circular"
    everything = json.dumps(rows, default=str)
    assert "SECRET" not in everything
    assert "TH public decree" not in everything
    assert "Thailand" not in everything


def test_thailands_focal_point_gets_thailand_only(evidence):
    client = Client()
    client.force_login(evidence.focal_th)
    rows = table(download(client, "csv"), "csv")
    assert {r["Country code"] for r in rows} == {"TH"}
    assert row_for(rows, "BM22-R31", "TH")["Internal evidence"] == "1 Mar 2024 TH internal SECRET"
    assert "KH internal memo" not in json.dumps(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_unticked_column_is_left_out(staff_client, evidence, fmt):
    response = download(
        staff_client,
        fmt,
        adminprogressresource_internal_evidence=None,
        adminprogressresource_recommendation_text=None,
    )
    rows = table(response, fmt)

    assert list(rows[0]) == [
        h for h in HEADERS if h not in ("Internal evidence", "Recommendation text")
    ]
    everything = json.dumps(rows, default=str)
    assert "KH internal memo" not in everything
    assert "TH internal SECRET" not in everything
    assert "KH public circular" in everything


def test_evidence_waiting_for_review_is_not_listed_as_public(staff_client, world):
    update = make_update(world.kh_32, world.focal_kh, narrative="Waiting for review.")
    make_evidence(
        world.kh_32, world.focal_kh, title="Draft decree", visibility="public", update=update
    )
    rows = table(download(staff_client, "csv"), "csv")
    kh = row_for(rows, "BM22-R32", "KH")
    assert kh["Latest accepted note"] == ""  # the update is not accepted yet
    assert "Draft decree" not in kh["Public evidence"]
    assert "Draft decree (not public: its update is not accepted yet)" in kh["Internal evidence"]


# What each format holds for text a spreadsheet program would run: a text cell in XLSX,
# the guarded text in CSV (the upload takes the apostrophe off), the text in JSON.
WRITTEN = {
    "xlsx": (FORMULA_AGENCY, FORMULA_NOTE),
    "csv": ("'" + FORMULA_AGENCY, "'" + FORMULA_NOTE),
    "json": (FORMULA_AGENCY, FORMULA_NOTE),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("user", ["staff", "focal_kh"])
def test_formula_like_text_is_written_safely(client, evidence, fmt, user):
    client.force_login(getattr(evidence, user))
    rows = table(download(client, fmt), fmt)
    kh = row_for(rows, "BM22-R31", "KH")
    assert (kh["Lead agency"], kh["Latest accepted note"]) == WRITTEN[fmt]


def test_xlsx_formula_like_text_is_a_text_cell_without_apostrophe(staff_client, evidence):
    response = download(staff_client, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULA_AGENCY]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert not cells[0].quotePrefix
    assert "'" + FORMULA_AGENCY not in [c.value for row in sheet.iter_rows() for c in row]


# --- file names -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_focal_points_file_is_named_for_their_country_and_report(kh_client, world, fmt):
    response = download(kh_client, fmt)
    assert file_name(response) == f"progress-kh-bm22-{today('Asia/Phnom_Penh')}.{fmt}"


def test_staff_file_of_every_country_lists_their_codes(staff_client, world):
    response = download(staff_client, "xlsx")
    assert file_name(response) == f"progress-kh-th-bm22-{today()}.xlsx"


def test_more_than_three_countries_are_several(staff_client, world):
    r31 = Recommendation.objects.get(code="BM22-R31")
    make_commitment(r31, make_country("LA"))
    three = file_name(download(staff_client, "csv"))
    assert three == f"progress-kh-la-th-bm22-{today()}.csv"

    make_commitment(r31, make_country("VN"))
    assert file_name(download(staff_client, "json")) == (
        f"progress-several-countries-bm22-{today()}.json"
    )


def test_file_of_a_filtered_list_names_the_filters(staff_client, world):
    make_update(world.kh_31, world.focal_kh, status="planned", accepted_by=world.staff)
    make_update(world.th_32, world.focal_th, status="in_progress", accepted_by=world.staff)

    planned = download(staff_client, "csv", "?status__exact=planned")
    assert file_name(planned) == f"progress-kh-planned-bm22-{today()}.csv"
    assert [r["Recommendation code"] + r["Country code"] for r in table(planned, "csv")] == [
        "BM22-R31KH"
    ]

    in_progress = download(staff_client, "xlsx", "?status__exact=in_progress")
    assert file_name(in_progress) == f"progress-th-in-progress-bm22-{today()}.xlsx"

    thailand = download(staff_client, "json", f"?country__id__exact={world.thailand.pk}")
    assert file_name(thailand) == f"progress-th-bm22-{today()}.json"
    assert {r["Country code"] for r in table(thailand, "json")} == {"TH"}


# --- who may export ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, evidence):
    for response in (
        client.get(EXPORT_URL),
        client.post(EXPORT_URL, {"format": FORMATS["csv"], "resource": "0"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        assert "Content-Disposition" not in response


def test_outsider_cannot_export(client, outsider, evidence):
    client.force_login(outsider)
    for response in (
        client.get(EXPORT_URL),
        client.post(
            EXPORT_URL,
            {
                "format": FORMATS["csv"],
                "resource": "0",
                "adminprogressresource_internal_evidence": "on",
            },
        ),
    ):
        assert response.status_code == 403
        assert "Content-Disposition" not in response
        assert b"SECRET" not in response.content


def test_focal_point_filtering_for_another_country_gets_nothing_of_it(kh_client, evidence):
    # The changelist's country filter offers Cambodia only; Thailand's id is not a choice.
    query = f"?country__id__exact={evidence.thailand.pk}"
    response = download(kh_client, "csv", query)

    rows = table(response, "csv")
    assert {r["Country code"] for r in rows} <= {"KH"}
    assert "Internal evidence" in response.content.decode("utf-8-sig").splitlines()[0]
    assert "th" not in file_name(response).split("-")
    for secret in (b"TH internal SECRET", b"TH public decree", b"Thailand", b",TH,"):
        assert secret not in response.content
    # The same filter shows Thailand's rows to network staff.
    staff = Client()
    staff.force_login(evidence.staff)
    control = download(staff, "csv", query)
    assert {r["Country code"] for r in table(control, "csv")} == {"TH"}
    assert b"TH internal SECRET" in control.content
