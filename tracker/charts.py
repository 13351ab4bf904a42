"""Stacked status bars: the data (`stacked_bars`) and its HTML (`html`, the template tag
`status_chart` of tracker/templatetags/statuses.py).

Server-rendered, no JavaScript: each bar is a line of HTML text (its label, a link where
there is a page to go to, and its share with progress) over a small SVG whose segments
are sized in per cent, so the text stays readable on a phone. Every chart has a table.

The HTML is written here rather than by a template: a chart of fifty bars, each with its
segments and a row of the table, is some four thousand values, and the template language
spent about 30 ms a dashboard placing them one by one; written here it takes about 2 ms.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from tracker.escaping import escape
from tracker.models import STATUSES, Figures, Status


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    x: float  # per cent of the chart's width
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    figures: Figures
    segments: tuple[Segment, ...]
    url: str = ""

    @property
    def overdue_url(self) -> str:
        return f"{self.url}&overdue=on" if "?" in self.url else ""

    @property
    def total(self) -> int:
        return self.figures.total

    @property
    def counts(self) -> tuple[int, ...]:  # in Status order, for the table
        return tuple(self.figures.counts.get(status, 0) for status in STATUSES)


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    statuses: tuple[tuple[str, str], ...]

    @property
    def is_empty(self) -> bool:
        return not any(bar.total for bar in self.bars)

    @property
    def counts_overdue(self) -> bool:
        return any(bar.figures.overdue is not None for bar in self.bars)


def stacked_bars(rows: list[tuple[str, Figures, str]]) -> Chart:
    """One bar per (label, figures, url), segments in status order, scaled to the largest
    total so that bars compare."""
    largest = max((figures.total for _, figures, _ in rows), default=0) or 1
    statuses = tuple((s, str(label)) for s, label in Status.choices)
    bars = []
    for label, figures, url in rows:
        x = 0.0
        segments = []
        for status, status_label in statuses:
            count = figures.counts.get(status, 0)
            if count:
                width = 100 * count / largest
                segments.append(Segment(status, status_label, count, round(x, 3), round(width, 3)))
                x += width
        bars.append(Bar(label=label, figures=figures, segments=tuple(segments), url=url))
    return Chart(tuple(bars), statuses)


def badge(status: str, label: str) -> SafeString:
    """A status as the site shows it: a coloured mark and its name."""
    return mark_safe(
        f'<span class="status status-{escape(status)}"><span class="status-mark" '
        f'aria-hidden="true"></span>{escape(label)}</span>'
    )


def html(
    chart: Chart, chart_id: str, caption: str, label_header: str, hide_table: bool = False
) -> SafeString:
    """The chart as a figure: its bars, then (unless `hide_table`, when the page has a table
    of its own) its figures as a table."""
    chart_id = escape(chart_id)
    out = [
        f'<figure class="chart" aria-labelledby="{chart_id}-caption">\n'
        f'  <figcaption id="{chart_id}-caption">{escape(caption)}</figcaption>\n'
    ]
    if not chart.is_empty:
        # A segment's class and title are those of its status: written once a chart.
        seg = {
            status: (f"seg seg-{escape(status)}", escape(label)) for status, label in chart.statuses
        }
        sentences = _Sentences()
        out.append('  <ul class="bars">\n')
        for bar in chart.bars:
            rects = "".join(
                f'<rect x="{s.x}%" y="0" width="{s.width}%" height="18" class="{seg[s.status][0]}">'
                f"<title>{seg[s.status][1]}: {s.count}</title></rect>"
                for s in bar.segments
            )
            out.append(
                f'    <li>\n      <span class="bar-label">{_label(bar)}\n'
                f'        <span class="bar-figure">{sentences.of(bar)}</span></span>\n'
                f'      <svg class="bar" width="100%" height="18" aria-hidden="true" '
                f'focusable="false">{rects}</svg>\n'
                f"    </li>\n"
            )
        out.append("  </ul>\n")
    if not hide_table:
        out.append(_table(chart, chart_id, label_header))
    out.append("</figure>\n")
    return mark_safe("".join(out))


def _label(bar: Bar) -> str:
    if bar.url:
        return f'<a href="{escape(bar.url)}">{escape(bar.label)}</a>'
    return escape(bar.label)


class _Sentences:
    """The sentences under a chart's bars, translated once a chart (and once a number for
    those with plurals), not once a bar."""

    def __init__(self):
        self.implemented = gettext("%(count)s implemented")
        self.overdue = gettext("%(count)s overdue")
        self.plurals: dict[tuple[bool, int], str] = {}

    def of(self, bar: Bar) -> str:
        figures, total = bar.figures, bar.total
        share = figures.share
        text = self._plural(share is not None, total) % {"share": share, "counter": total}
        if figures.implemented:
            text += " · " + self.implemented % {"count": figures.implemented}
        if figures.overdue:
            text += f' · <span class="overdue">{self.overdue % {"count": figures.overdue}}</span>'
        return text

    def _plural(self, with_share: bool, total: int) -> str:
        if (with_share, total) not in self.plurals:
            self.plurals[with_share, total] = (
                ngettext(
                    "%(share)s%% with progress, of %(counter)s commitment",
                    "%(share)s%% with progress, of %(counter)s commitments",
                    total,
                )
                if with_share
                else ngettext("%(counter)s commitment", "%(counter)s commitments", total)
            )
        return self.plurals[with_share, total]


def _table(chart: Chart, chart_id: str, label_header: str) -> str:
    overdue = chart.counts_overdue
    # Translated outside the f-strings below, where makemessages would not find them.
    summary = escape(gettext("The figures as a table"))
    columns = [escape(gettext("Total")), escape(gettext("With progress"))]
    if overdue:
        columns.append(escape(gettext("With an overdue deadline")))
    headers = "".join(f'<th scope="col">{badge(s, label)}</th>' for s, label in chart.statuses)
    headers += "".join(f'<th scope="col">{column}</th>' for column in columns)
    rows = []
    for bar in chart.bars:
        share = bar.figures.share
        cells = "".join(f"<td>{count}</td>" for count in bar.counts)
        cells += f"<td>{bar.total}</td><td>{'—' if share is None else f'{share}%'}</td>"
        if overdue:
            late = bar.figures.overdue
            if late and bar.overdue_url:
                cells += f'<td><a href="{escape(bar.overdue_url)}">{late}</a></td>'
            else:
                cells += f"<td>{'—' if late is None else late}</td>"
        rows.append(f'<tr><th scope="row">{_label(bar)}</th>{cells}</tr>')
    return (
        '  <details class="chart-table">\n'
        f"    <summary>{summary}</summary>\n"
        f'    <div class="table-scroll" role="region" tabindex="0" '
        f'aria-labelledby="{chart_id}-caption">\n'
        '    <table class="counts">\n'
        f'      <thead><tr><th scope="col">{escape(label_header)}</th>{headers}</tr></thead>\n'
        f"      <tbody>\n        {''.join(rows)}\n      </tbody>\n"
        "    </table>\n    </div>\n  </details>\n"
    )
