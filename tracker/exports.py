"""Write exported rows as CSV, JSON (both streamed) or XLSX, and the IMRF status matrix."""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the accents right."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def json_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A JSON array of objects keyed by the column headers; dates as ISO strings."""

    def chunks() -> Iterator[str]:
        iterator = iter(rows)
        headers = [str(h) for h in next(iterator)]
        yield "["
        for index, row in enumerate(iterator):
            record = {
                h: (v.isoformat() if isinstance(v, dt.date) else v)
                for h, v in zip(headers, row, strict=True)
            }
            yield (
                ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False, default=str)
            )
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(rows: Iterable[list], filename: str, *, title: str) -> HttpResponse:
    """A sheet with a bold, frozen header row; dates and numbers stay typed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    iterator = iter(rows)
    bold = Font(bold=True)
    headers = [str(h) for h in next(iterator)]
    for index in range(len(headers)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 18
    sheet.append([_header_cell(sheet, h, bold) for h in headers])
    for row in iterator:
        sheet.append([_value(v) for v in row])
    return _workbook_response(workbook, filename)


def _header_cell(sheet, text: str, font: Font):
    cell = WriteOnlyCell(sheet, value=safe_cell(text))
    cell.font = font
    return cell


def _value(value):
    if value is None:
        return None
    if isinstance(value, str):
        # Control characters (Word's manual line break is \x0b) are not allowed in XLSX.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, int | float | dt.date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


def matrix_response(commitments, filename: str) -> HttpResponse:
    """Recommendations down, countries across, each cell the status in its colour."""
    cells: dict[tuple[int, int], str] = {}
    recommendations: dict[int, tuple] = {}
    countries: dict[int, str] = {}
    rows = commitments.select_related(
        "recommendation__consultation", "recommendation__paragraph", "country"
    ).order_by()
    for commitment in rows.iterator(chunk_size=2000):
        status = getattr(commitment, "as_of_status", None) or commitment.status
        recommendation = commitment.recommendation
        recommendations[recommendation.pk] = (
            recommendation.consultation.date,
            recommendation.paragraph.number,
            recommendation.code,
            recommendation.short_title,
        )
        countries[commitment.country_id] = commitment.country.name
        cells[(recommendation.pk, commitment.country_id)] = status

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Status matrix"))
    sheet.freeze_panes = "C2"
    country_ids = sorted(countries, key=countries.get)
    bold = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 50
    for index in range(len(country_ids)):
        sheet.column_dimensions[get_column_letter(index + 3)].width = 20
    sheet.append(
        [
            _header_cell(sheet, _("Recommendation code"), bold),
            _header_cell(sheet, _("Recommendation"), bold),
        ]
        + [_header_cell(sheet, countries[c], bold) for c in country_ids]
    )
    fills = {s: PatternFill("solid", start_color=colour) for s, colour in STATUS_FILLS.items()}
    light = {Status.IMPLEMENTED}
    for recommendation_id, (_date, _number, code, title) in sorted(
        recommendations.items(), key=lambda item: item[1]
    ):
        row = [_value(safe_cell(code)), _value(safe_cell(title))]
        for country_id in country_ids:
            status = cells.get((recommendation_id, country_id))
            if status is None:
                row.append(None)
                continue
            cell = WriteOnlyCell(sheet, value=str(Status(status).label))
            cell.fill = fills[status]
            cell.alignment = Alignment(wrap_text=True)
            if status in light:
                cell.font = Font(color="FFFFFF")
            row.append(cell)
        sheet.append(row)
    sheet.auto_filter.ref = (
        f"A1:{get_column_letter(len(country_ids) + 2)}{len(recommendations) + 1}"
    )

    legend = workbook.create_sheet(_("Legend"))
    legend.append(
        [_header_cell(legend, _("Status"), bold), _header_cell(legend, _("Meaning"), bold)]
    )
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
    for status, label in Status.choices:
        cell = WriteOnlyCell(legend, value=str(label))
        cell.fill = fills[status]
        if status in light:
            cell.font = Font(color="FFFFFF")
        legend.append([cell, str(meanings[status])])
    legend.append([])
    legend.append([_("An empty cell: the country does not own the recommendation.")])
    return _workbook_response(workbook, filename)
