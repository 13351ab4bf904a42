"""Write exported rows as CSV, JSON (both streamed) or XLSX, and the IMRF status matrix;
XLSX files carry an "About this file" sheet."""

import datetime as dt
import io
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
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


def licensed(response: HttpResponse, filename: str) -> HttpResponse:
    """A download: its file name, and the licence of the data it holds (a Link header, as
    RFC 8288 names it, for files such as CSV and JSON that have no place to say it)."""
    response["Content-Disposition"] = _disposition(filename)
    response["Link"] = f'<{settings.DATA_LICENCE_URL}>; rel="license"'
    return response


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Streamed, with the formula guard (see tracker.spreadsheets)."""
    response = StreamingHttpResponse(
        spreadsheets.csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    return licensed(response, filename)


def json_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Streamed: a JSON array of objects keyed by the column headers, values exact."""
    response = StreamingHttpResponse(
        spreadsheets.json_chunks(rows), content_type="application/json; charset=utf-8"
    )
    return licensed(response, filename)


def about(filters, source_url: str) -> list[tuple[str, str | None]]:
    """The "About this file" sheet: what the rows are, which filters and day, from where,
    when, under which licence, and what the statuses mean. A row with None is a heading."""
    rows: list[tuple[str, str | None]] = [
        (_("About this file"), None),
        (
            _("What it holds"),
            _(
                "Commitments on the recommendations of the GCM regional "
                "consultations: only progress reviewed by the UN Network on "
                "Migration, and public evidence."
            ),
        ),
        (_("Source"), source_url),
        (_("Generated at"), date_format(timezone.localtime(), "j M Y, H:i T")),
    ]
    dates = filters.dates()
    rows.append(
        (
            _("As of"),
            date_format(dates["as_of"]) if "as_of" in dates else _("today, as it stands"),
        )
    )
    chosen = []
    for bound in filters.form:
        value = filters.form.cleaned_data.get(bound.name)
        if value in (None, "", False) or bound.name == "as_of":
            continue
        choices = dict(getattr(bound.field, "choices", []))
        if value is True:
            shown = _("yes")
        elif isinstance(value, dt.date):
            shown = date_format(value)
        else:
            shown = str(choices.get(value, choices.get(str(value), value)))
        chosen.append(f"{bound.label}: {shown}")
    rows.append((_("Filters"), "; ".join(chosen) or _("none: every commitment")))
    rows.append((_("Licence"), f"{settings.DATA_LICENCE_NAME} ({settings.DATA_LICENCE_URL})"))
    if settings.PUBLIC_CONTACT_EMAIL:
        rows.append((_("Contact"), settings.PUBLIC_CONTACT_EMAIL))
    rows.append(("", ""))
    rows.append((_("What the statuses mean"), None))
    rows += [(label, meaning) for _status, label, meaning in Status.legend()]
    return rows


def xlsx_response(
    rows: Iterable[list], filename: str, *, title: str, about_rows: list | None = None
) -> HttpResponse:
    """A sheet with a bold, frozen header row and an autofilter; dates, numbers and yes/no
    typed, text as text; and, with `about_rows`, a sheet saying what the file holds."""
    response = HttpResponse(
        spreadsheets.xlsx_bytes(rows, title=title, about=about_rows),
        content_type=spreadsheets.XLSX_TYPE,
    )
    return licensed(response, filename)


def matrix_bytes(commitments, about_rows: list | None = None) -> bytes:
    """Recommendations down, countries across, each cell the status in its colour."""
    cells: dict[tuple[int, int], str] = {}
    recommendations: dict[int, tuple] = {}
    countries: dict[int, str] = {}
    rows = commitments.values_list(
        "recommendation_id",
        "recommendation__consultation__date",
        "recommendation__paragraph__number",
        "recommendation__code",
        "recommendation__short_title_en",
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
    for number, (status, label, meaning) in enumerate(Status.legend(), start=1):
        legend.write_string(number, 0, label, formats[status])
        legend.write_string(number, 1, meaning)
    legend.write_string(
        len(Status.choices) + 2,
        0,
        _("An empty cell: the country does not own the recommendation."),
    )
    if about_rows:
        spreadsheets.about_sheet(workbook, about_rows)
    workbook.close()
    return buffer.getvalue()
