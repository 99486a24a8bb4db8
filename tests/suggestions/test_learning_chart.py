"""The learning curve's geometry (suggestions.charts.learning_chart): labels from 0 on x,
macro-F1 from 0 to 1 on y, one version one readable dot, a sentence that says it all."""

from __future__ import annotations

from suggestions.charts import VALUES_SHOWN, learning_chart


def _point(version: int, labels: int, f1: float | None, cue: float | None = 0.4) -> dict:
    return {"version": str(version), "labels": labels, "macro_f1": f1, "cue_macro_f1": cue}


def test_no_scored_version_draws_no_chart():
    assert learning_chart([]) is None
    assert learning_chart([_point(1, 50, None)]) is None


def test_one_version_is_one_dot_with_its_value_written_beside_it():
    chart = learning_chart([_point(1, 60, 0.75, cue=0.5)])
    assert chart is not None
    [dot] = chart.dots
    assert dot.x == chart.right  # the most labels is the right end; 0 labels the left
    assert dot.y == round(chart.bottom - (chart.bottom - chart.top) * 0.75, 1)
    assert dot.cue_y == round(chart.bottom - (chart.bottom - chart.top) * 0.5, 1)
    assert dot.show_value and dot.anchor == "end"
    assert chart.most_labels == 60
    assert chart.summary == (
        "Learning curve: one trained version, v1, macro-F1 0.750 after 60 labels; "
        "the cue baseline 0.500 on the same labels."
    )


def test_versions_lie_along_x_by_their_labels_and_along_y_by_their_score():
    chart = learning_chart([_point(1, 50, 0.5), _point(2, 100, 0.6), _point(3, 200, 0.8)])
    assert chart is not None
    xs = [d.x for d in chart.dots]
    ys = [d.y for d in chart.dots]
    span = chart.right - chart.left
    assert xs == [round(chart.left + span * n / 200, 1) for n in (50, 100, 200)]
    assert ys[0] > ys[1] > ys[2]  # SVG's y grows downwards: a better score is higher up
    assert chart.model_points == " ".join(f"{d.x},{d.y}" for d in chart.dots)
    assert len(chart.cue_points.split()) == 3
    assert [text for _, text in chart.grid] == ["0", "0.5", "1"]
    assert "3 trained versions, macro-F1 from 0.500 after 50 labels to 0.800 after 200" in (
        chart.summary
    )


def test_a_long_curve_writes_only_the_newest_value_and_scores_stay_inside_the_chart():
    points = [_point(i, i * 10, min(1.0, i / 10)) for i in range(1, VALUES_SHOWN + 3)]
    points.append(_point(99, 2000, 1.4, cue=None))  # out of range: drawn at the top edge
    chart = learning_chart(points)
    assert chart is not None
    assert [d.show_value for d in chart.dots] == [False] * (len(points) - 1) + [True]
    assert chart.dots[-1].y == chart.top and chart.dots[-1].cue_y is None
    assert all(chart.top <= d.y <= chart.bottom for d in chart.dots)
    assert len(chart.cue_points.split()) == len(points) - 1
