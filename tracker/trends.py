"""Status over time: every change of a country's counts rewrites its figures of the current
quarter (tracker.models.StatusCount, from the tallies kept by tracker.stats), so the charts
read a small table, not the history."""

from django.utils.translation import gettext

from tracker import calendars
from tracker.models import Figures, StatusCount


def quarterly(country_id: int | None = None) -> list[tuple[str, Figures]]:
    """("2026 Q3", figures) for each quarter since the first recorded (the migration that
    made the table worked them out from the history since the first consultation), of one
    country or (None) the whole region; quarters before any commitment existed are left
    out. One query."""
    counts = StatusCount.objects.all()
    if country_id is not None:
        counts = counts.filter(country_id=country_id)
    rows = []
    for quarter, by_country in counts.series():
        figures = sum(by_country.values(), Figures(Figures.empty().counts, None))
        if figures.total or rows:
            label = gettext("%(year)s Q%(quarter)s") % {
                "year": calendars.year_shown(quarter.year),
                "quarter": (quarter.month - 1) // 3 + 1,
            }
            rows.append((label, figures))
    return rows
