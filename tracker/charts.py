"""Stacked bar charts as plain data, drawn as SVG by templates/tracker/_status_chart.html.

Server-rendered: no JavaScript, prints well, and every chart has a table beside it.
"""

from dataclasses import dataclass

from tracker.models import Status

BAR_HEIGHT = 22
ROW_GAP = 10
CHART_WIDTH = 600


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    y: int
    segments: tuple[Segment, ...]
    counts: tuple[int, ...]  # in Status order, for the table

    @property
    def label_y(self) -> int:
        return self.y - 4


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    statuses: tuple[tuple[str, str], ...]

    @property
    def is_empty(self) -> bool:
        return not any(bar.total for bar in self.bars)


def stacked_bars(rows: list[tuple[str, dict[str, int]]]) -> Chart:
    """One bar per (label, {status: count}), segments in status order, scaled to the largest."""
    largest = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    bars = []
    for index, (label, counts) in enumerate(rows):
        y = index * (BAR_HEIGHT + ROW_GAP + 16) + 16
        x = 0.0
        segments = []
        for status, status_label in Status.choices:
            count = counts.get(status, 0)
            if count:
                width = CHART_WIDTH * count / largest
                segments.append(
                    Segment(status, str(status_label), count, round(x, 2), round(width, 2))
                )
                x += width
        bars.append(
            Bar(
                label=label,
                total=sum(counts.values()),
                y=y,
                segments=tuple(segments),
                counts=tuple(counts.get(status, 0) for status in Status.values),
            )
        )
    height = len(rows) * (BAR_HEIGHT + ROW_GAP + 16) + 4
    return Chart(
        tuple(bars), CHART_WIDTH, height, tuple((s, str(label)) for s, label in Status.choices)
    )
