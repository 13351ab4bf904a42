"""Write exported rows as CSV, JSON (both streamed) or XLSX, and the IMRF status matrix."""

import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_countries import countries as django_countries

from tracker import spreadsheets
from tracker.models import Status

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


def _disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Streamed, with the formula guard (see tracker.spreadsheets)."""
    response = StreamingHttpResponse(
        spreadsheets.csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _disposition(filename)
    return response


def json_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Streamed: a JSON array of objects keyed by the column headers, values exact."""
    response = StreamingHttpResponse(
        spreadsheets.json_chunks(rows), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(rows: Iterable[list], filename: str, *, title: str) -> HttpResponse:
    """A sheet with a bold, frozen header row; dates and numbers typed, text as text."""
    response = HttpResponse(
        spreadsheets.xlsx_bytes(rows, title=title), content_type=spreadsheets.XLSX_TYPE
    )
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
    workbook = spreadsheets.workbook(buffer)
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
    headers = [_("Recommendation code"), _("Recommendation")] + [countries[c] for c in country_ids]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, spreadsheets.text_cell(header), bold)
    ordered = sorted(recommendations.items(), key=lambda item: item[1])
    for number, (recommendation_id, (_date, _number, code, title)) in enumerate(ordered, 1):
        sheet.write_string(number, 0, spreadsheets.text_cell(code))
        sheet.write_string(number, 1, spreadsheets.text_cell(title))
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
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response
