"""Geometry for the small SVG charts the dashboard draws server-side.

Pure functions from numbers to coordinates; the templates turn them into
``<svg>`` elements, so charts show as the page loads, with no script and no
CDN, under a Content-Security-Policy that forbids inline scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    color: str
    y: float
    width: float
    share: float  # of the total, 0..1
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    bar_height: int
    label_width: int


def bar_chart(
    items: list[tuple[str, int, str]], *, width: int = 340, bar_height: int = 24, gap: int = 8
) -> BarChart:
    """Horizontal bars, one per (label, value, colour), scaled to the largest value."""
    label_width = 110
    room = width - label_width - 60  # leave space for the figure after the bar
    top = max((value for _, value, _ in items), default=0) or 1
    total = sum(value for _, value, _ in items) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            color=color,
            y=i * (bar_height + gap),
            width=round(room * value / top, 1),
            share=value / total,
            text_y=i * (bar_height + gap) + bar_height * 0.68,
            value_x=label_width + round(room * value / top, 1) + 6,
        )
        for i, (label, value, color) in enumerate(items)
    ]
    height = max(len(items) * (bar_height + gap) - gap, bar_height)
    return BarChart(bars, width, height, bar_height, label_width)


@dataclass(frozen=True)
class LineChart:
    points: str  # for <polyline points="...">
    area: str  # for the filled <polygon> under the line
    width: int
    height: int
    first: date | None  # a date, or a datetime for an hourly series
    last: date | None
    top: int
    dots: list[tuple[float, float, date, int]]
    hourly: bool = False


def from_zero(series: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """A cumulative series that starts at 0 one step (a day, or an hour for
    datetimes) before its first point, so a single day or hour of work draws a
    rise, not a lone dot."""
    if not series:
        return series
    first = series[0][0]
    step = timedelta(hours=1) if isinstance(first, datetime) else timedelta(days=1)
    return [(first - step, 0), *series]


def line_chart(
    series: list[tuple[date, int]], *, width: int = 340, height: int = 140, pad: int = 8
) -> LineChart:
    """A cumulative series over days (dates) or hours (datetimes) as a polyline;
    one point draws a dot."""
    if not series:
        return LineChart("", "", width, height, None, None, 0, [])
    top = max(value for _, value in series) or 1
    first, last = series[0][0], series[-1][0]
    span = max((last - first).total_seconds(), 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def xy(day: date, value: int) -> tuple[float, float]:
        x = pad + inner_w * ((day - first).total_seconds() / span if len(series) > 1 else 0.5)
        y = pad + inner_h * (1 - value / top)
        return round(x, 1), round(y, 1)

    coords = [xy(day, value) for day, value in series]
    points = " ".join(f"{x},{y}" for x, y in coords)
    base = height - pad
    area = f"{coords[0][0]},{base} {points} {coords[-1][0]},{base}"
    dots = [(x, y, day, value) for (x, y), (day, value) in zip(coords, series, strict=True)]
    hourly = isinstance(first, datetime)
    return LineChart(points, area, width, height, first, last, top, dots[-60:], hourly)
