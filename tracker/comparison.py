"""What a country's page shows of all countries: the share with progress of all countries
beside its own, and the chart of both. These alone change with other countries' progress:
the page is kept in the cache with them left open (tracker.page_cache.hole) and filled at
each request, from HTML written once per change for every country's page."""

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tracker import charts, links, page_cache, stats
from tracker.escaping import escape
from tracker.models import Country, Figures


def region_share(region: Figures) -> SafeString:
    """Under the country's share with progress: all countries' share."""
    if region.share is None:
        return mark_safe("")
    return mark_safe("<br>" + gettext("All countries: %(share)s%%") % {"share": region.share})


def chart(country: Country, figures: Figures, region: Figures) -> SafeString:
    """The country's commitments by status, above all countries'."""
    bars = charts.stacked_bars(
        [
            (country.name, figures, links.progress(country=country.code.code.lower())),
            (gettext("All countries"), region, links.path("tracker:progress_table")),
        ]
    )
    caption = gettext("Commitments of %(country)s and of all countries, by status")
    return charts.html(
        bars,
        "comparison-chart",
        mark_safe(caption % {"country": escape(country.name)}),
        gettext("Commitments of"),
    )


@page_cache.filled_later("region-share")
def _region_share_now() -> str:
    return region_share(stats.region(stats.by_country()))


@page_cache.filled_later("comparison")
def _chart_now(country_id: int) -> str:
    by_country = stats.by_country()
    country = Country.objects.filter(pk=country_id).first()
    if country is None:  # removed since the page was read: its next request renews it
        return ""
    return chart(country, by_country.get(country_id, Figures.empty()), stats.region(by_country))
