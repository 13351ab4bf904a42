"""Status over time: every public change of a commitment rewrites the current quarter's
figures (tracker.models.StatusCount), so the charts read a small table, not the history."""

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext

from tracker import calendars, page_cache
from tracker.models import Commitment, Figures, StatusCount


def record() -> None:
    StatusCount.objects.record()


def _changed(sender, instance, **kwargs) -> None:
    # Writes in bulk record every country once, at their end (page_cache.bulk_changes);
    # one commitment changes its own country's figures only (a commitment never changes
    # country).
    if not page_cache.in_bulk() and getattr(instance, "public_changed", True):
        StatusCount.objects.record(countries=[instance.country_id])


def connect_signals() -> None:
    post_save.connect(_changed, sender=Commitment, dispatch_uid="trends_save")
    post_delete.connect(_changed, sender=Commitment, dispatch_uid="trends_delete")


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
