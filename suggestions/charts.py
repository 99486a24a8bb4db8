"""Geometry of the learning curve the dashboard and the suggestions page draw as SVG.

Like ``review.charts`` (which this app cannot import: it sits below review): pure
functions from numbers to coordinates, turned into ``<svg>`` by the template, so
the chart shows as the page loads, with no script. The x axis is the number of
labels a version learned from, from 0; the y axis macro-F1 from 0 to 1, so
versions and corpora compare at a glance and one version draws one readable dot.
"""

from __future__ import annotations

from dataclasses import dataclass

# The most dots whose value is written beside them; past it only the newest is.
VALUES_SHOWN = 8


@dataclass(frozen=True)
class CurveDot:
    x: float
    y: float
    cue_y: float | None
    version: str
    labels: int
    macro_f1: float
    cue_macro_f1: float | None
    # Where the value is written, and how it is anchored (the last dot's ends at it).
    text_x: float
    text_y: float
    anchor: str
    show_value: bool


@dataclass(frozen=True)
class LearningChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    model_points: str  # for <polyline points="...">
    cue_points: str
    dots: list[CurveDot]
    grid: list[tuple[float, str]]  # (y, "0.5")
    most_labels: int
    summary: str  # the chart in one sentence (its <title>)


def learning_chart(
    curve: list[dict], *, width: int = 340, height: int = 170, pad: int = 10
) -> LearningChart | None:
    """The curve's points (``learning_curve``: labels, macro_f1, cue_macro_f1, version),
    ordered by labels; None when no version has a score."""
    points = [p for p in curve if p.get("macro_f1") is not None]
    if not points:
        return None
    # Room above the top line for the value written over a dot at 1.0.
    left, right, top, bottom = 34, width - pad, pad + 16, height - 22
    most = max(p["labels"] for p in points) or 1

    def x_of(labels: int) -> float:
        return round(left + (right - left) * labels / most, 1)

    def y_of(f1: float) -> float:
        return round(bottom - (bottom - top) * max(0.0, min(1.0, f1)), 1)

    dots = []
    for i, p in enumerate(points):
        x, y = x_of(p["labels"]), y_of(p["macro_f1"])
        last = i == len(points) - 1
        cue = p.get("cue_macro_f1")
        dots.append(
            CurveDot(
                x=x,
                y=y,
                cue_y=y_of(cue) if cue is not None else None,
                version=str(p["version"]),
                labels=p["labels"],
                macro_f1=p["macro_f1"],
                cue_macro_f1=cue,
                text_x=x if not last else min(x, right),
                text_y=round(y - 9, 1),
                anchor="end" if last and x > (left + right) / 2 else "middle",
                show_value=last or len(points) <= VALUES_SHOWN,
            )
        )
    first, newest = points[0], points[-1]
    if len(points) == 1:
        summary = (
            f"Learning curve: one trained version, v{newest['version']}, macro-F1 "
            f"{newest['macro_f1']:.3f} after {newest['labels']} labels"
        )
    else:
        summary = (
            f"Learning curve: {len(points)} trained versions, macro-F1 from "
            f"{first['macro_f1']:.3f} after {first['labels']} labels to "
            f"{newest['macro_f1']:.3f} after {newest['labels']} labels"
        )
    if newest.get("cue_macro_f1") is not None:
        summary += f"; the cue baseline {newest['cue_macro_f1']:.3f} on the same labels"
    return LearningChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        model_points=" ".join(f"{d.x},{d.y}" for d in dots),
        cue_points=" ".join(f"{d.x},{d.cue_y}" for d in dots if d.cue_y is not None),
        dots=dots,
        grid=[(y_of(v), f"{v:g}") for v in (0.0, 0.5, 1.0)],
        most_labels=most,
        summary=summary + ".",
    )
