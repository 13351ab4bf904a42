"""Write exported rows as CSV, JSON (both streamed) or XLSX, and the IMRF status matrix."""

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_countries import countries as django_countries

from tracker.models import Status
from tracker.resources import safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Cell colours of the statuses in spreadsheets, matching the site's.
STATUS_FILLS = {
    Status.NOT_STARTED: "FFFFFF",
    Status.PLANNED: "CFE3F3",
    Status.IN_PROGRESS: "F2C94C",
    Status.PARTIALLY_IMPLEMENTED: "8BC48A",
    Status.IMPLEMENTED: "2E7D32",
    Status.NOT_APPLICABLE: "BDBDBD",
}
LIGHT_TEXT = {Status.IMPLEMENTED}  # white text on the dark fill

# What XML 1.0 does not allow in a cell (tab, line feed and carriage return are fine).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _batched(pieces: Iterator[str], size: int = 500) -> Iterator[str]:
    """Join lines into chunks: one write to the client per few hundred rows, not per row."""
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) == size:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def _disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the accents right.

    csv.writer writes None as an empty cell and a date as 2024-05-01.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield from _batched(map(writer.writerow, rows))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def json_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A JSON array of objects keyed by the column headers; dates as ISO strings."""

    def records() -> Iterator[str]:
        iterator = iter(rows)
        headers = [str(h) for h in next(iterator)]
        for index, row in enumerate(iterator):
            record = {
                h: (v.isoformat() if isinstance(v, dt.date) else v)
                for h, v in zip(headers, row, strict=True)
            }
            yield ("," if index else "") + "\n" + encode(record)

    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode

    def chunks() -> Iterator[str]:
        yield "["
        yield from _batched(records())
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def _workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    """Rows written as they come (constant memory); text is never read as a formula or link."""
    return xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def xlsx_response(rows: Iterable[list], filename: str, *, title: str) -> HttpResponse:
    """A sheet with a bold, frozen header row; dates and numbers stay typed."""
    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    iterator = iter(rows)
    headers = [safe_cell(str(h)) for h in next(iterator)]
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(headers) - 1, 18)
    sheet.write_row(0, 0, headers, bold)
    write_string, write_number, write_date = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_datetime,
    )
    for number, row in enumerate(iterator, start=1):
        for column, value in enumerate(row):
            kind = type(value)
            if value is None or value == "":
                continue
            if kind is int or kind is float:
                write_number(number, column, value)
            elif kind is dt.date:
                write_date(number, column, value, day)
            else:
                write_string(number, column, _text(value))
    return _workbook_response(workbook, buffer, filename)


def _text(value) -> str:
    # Control characters (Word's manual line break is \x0b) are not allowed in XLSX; a
    # carriage return would be written as "_x000D_", which only Excel reads back.
    text = CONTROL_CHARACTERS.sub("", str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _workbook_response(workbook, buffer: io.BytesIO, filename: str) -> HttpResponse:
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


def matrix_response(commitments, filename: str) -> HttpResponse:
    """Recommendations down, countries across, each cell the status in its colour."""
    cells: dict[tuple[int, int], str] = {}
    recommendations: dict[int, tuple] = {}
    countries: dict[int, str] = {}
    rows = commitments.values_list(
        "recommendation_id",
        "recommendation__consultation__date",
        "recommendation__paragraph__number",
        "recommendation__code",
        "recommendation__short_title",
        "country_id",
        "country__code",
        "as_of_status" if commitments.query.annotations.get("as_of_status") else "status",
    ).order_by()
    names = {}
    for recommendation_id, date, number, code, title, country_id, iso, status in rows.iterator(
        chunk_size=2000
    ):
        recommendations[recommendation_id] = (date, number, code, title)
        if iso not in names:
            names[iso] = django_countries.name(iso)
        countries[country_id] = names[iso]
        cells[(recommendation_id, country_id)] = status

    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    sheet = workbook.add_worksheet(_("Status matrix"))
    bold = workbook.add_format({"bold": True})
    formats = {
        status: workbook.add_format(
            {
                "bg_color": f"#{colour}",
                "pattern": 1,
                "text_wrap": True,
                "font_color": "#FFFFFF" if status in LIGHT_TEXT else "#000000",
            }
        )
        for status, colour in STATUS_FILLS.items()
    }
    country_ids = sorted(countries, key=countries.get)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 50)
    if country_ids:
        sheet.set_column(2, len(country_ids) + 1, 20)
    sheet.write_row(
        0,
        0,
        [safe_cell(_("Recommendation code")), safe_cell(_("Recommendation"))]
        + [safe_cell(countries[c]) for c in country_ids],
        bold,
    )
    ordered = sorted(recommendations.items(), key=lambda item: item[1])
    for number, (recommendation_id, (_date, _number, code, title)) in enumerate(ordered, 1):
        sheet.write_string(number, 0, _text(safe_cell(code)))
        sheet.write_string(number, 1, _text(safe_cell(title)))
        for column, country_id in enumerate(country_ids, start=2):
            status = cells.get((recommendation_id, country_id))
            if status is not None:
                sheet.write_string(number, column, str(Status(status).label), formats[status])
    sheet.autofilter(0, 0, len(recommendations), len(country_ids) + 1)

    legend = workbook.add_worksheet(_("Legend"))
    legend.set_column(0, 0, 24)
    legend.set_column(1, 1, 60)
    legend.write_row(0, 0, [_("Status"), _("Meaning")], bold)
    meanings = {
        Status.NOT_STARTED: _("No accepted progress report yet, or work has not begun."),
        Status.PLANNED: _("Action is planned."),
        Status.IN_PROGRESS: _("Work is under way."),
        Status.PARTIALLY_IMPLEMENTED: _(
            "Part of the recommendation is implemented (with evidence)."
        ),
        Status.IMPLEMENTED: _("The recommendation is implemented (with evidence)."),
        Status.NOT_APPLICABLE: _("The recommendation does not apply to this country."),
    }
    for number, (status, label) in enumerate(Status.choices, start=1):
        legend.write_string(number, 0, str(label), formats[status])
        legend.write_string(number, 1, str(meanings[status]))
    legend.write_string(
        len(Status.choices) + 2,
        0,
        _("An empty cell: the country does not own the recommendation."),
    )
    return _workbook_response(workbook, buffer, filename)
