"""Stacked status bars as plain data, drawn by templates/tracker/_status_chart.html.

Server-rendered, no JavaScript: each bar is a line of HTML text (its label, a link where
there is a page to go to, and its share with progress) over a small SVG whose segments
are sized in per cent, so the text stays readable on a phone. Every chart has a table.
"""

from dataclasses import dataclass

from tracker.models import Figures, Status


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
        return tuple(self.figures.counts.get(status, 0) for status in Status.values)


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
    bars = []
    for label, figures, url in rows:
        x = 0.0
        segments = []
        for status, status_label in Status.choices:
            count = figures.counts.get(status, 0)
            if count:
                width = 100 * count / largest
                segments.append(
                    Segment(status, str(status_label), count, round(x, 3), round(width, 3))
                )
                x += width
        bars.append(Bar(label=label, figures=figures, segments=tuple(segments), url=url))
    return Chart(tuple(bars), tuple((s, str(label)) for s, label in Status.choices))
