"""The forecast histogram: how many trials ended at each outcome, with percentile markers."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from lodestar.core.charts.base import (
    LEFT,
    PLOT_H,
    PLOT_W,
    TIPPED,
    TOP,
    Chart,
    LegendEntry,
    Scale,
    Svg,
    chart_id,
    empty_chart,
    finite,
    nice_ticks,
    number,
    plural,
    table,
    tick_labels,
    y_axis,
)


def forecast_histogram(
    bins: Sequence[tuple[float, int]],
    percentiles: Sequence[tuple[int, float]] = (),
    *,
    unit: str = "weeks",
    id: str = "forecast",
    title: str = "Forecast",
) -> Chart:
    """Bars of trials per outcome value (``bins``: value, trials), with a marker at each
    ``percentiles`` value (percentile, value) as the forecast answered it. The chart draws
    the answer it is given; what a percentile means (at most, or reached or exceeded) is the
    forecast's to say."""
    kept = sorted(
        (finite(value, "an outcome value"), int(trials)) for value, trials in bins if trials
    )
    if any(trials < 0 for _, trials in kept):
        raise ValueError("a bin cannot hold fewer than zero trials")
    if not kept:
        return empty_chart(
            id=id, kind="forecast", title=title, message="No forecast yet: no trials to show."
        )
    marks = [(int(share), finite(value, "a percentile's value")) for share, value in percentiles]
    values = [value for value, _ in kept]
    gaps = [b - a for a, b in pairwise(values)]
    gap = min(gaps) if gaps else 1.0
    low = min([values[0], *(v for _, v in marks)]) - gap / 2
    high = max([values[-1], *(v for _, v in marks)]) + gap / 2
    x = Scale(low, high, LEFT, LEFT + PLOT_W)
    total = sum(trials for _, trials in kept)
    y, ticks = y_axis([trials for _, trials in kept])
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    width = max((x(gap) - x(0)) * 0.86, 0.6)
    if len(kept) > TIPPED:
        svg.bars([(x(v) - width / 2, y(t), width, y(0) - y(t)) for v, t in kept], "chart-bar c1")
    for value, trials in kept if len(kept) <= TIPPED else ():
        share = trials / total * 100
        svg.rect(
            x(value) - width / 2,
            y(trials),
            width,
            y(0) - y(trials),
            "chart-bar c1",
            f"{number(value)} {unit}: {plural(trials, 'trial')} ({share:.1f}%)",
        )
    svg.baseline()
    x_ticks = [t for t in nice_ticks(values[0], values[-1], 6) if low <= t <= high]
    for tick, label in zip(x_ticks, tick_labels(x_ticks), strict=True):
        svg.text(x(tick), TOP + PLOT_H + 18, label)
    for row, (share, value) in enumerate(marks):
        svg.line(x(value), TOP + 12 + 12 * (row % 3), x(value), TOP + PLOT_H, "chart-ref pmark")
        svg.text(x(value), TOP + 9 + 12 * (row % 3), f"{share}%", cls="chart-note")
    answer = ", ".join(f"{share}%: {number(value)} {unit}" for share, value in marks)
    summary = f"{plural(total, 'trial')}, from {number(values[0])} to {number(values[-1])} {unit}"
    summary += f"; {answer}." if answer else "."
    running = 0
    rows = []
    for value, trials in kept:
        running += trials
        rows.append(
            (
                number(value),
                number(trials),
                f"{trials / total * 100:.1f}%",
                f"{running / total * 100:.1f}%",
            )
        )
    return Chart(
        id=svg.id,
        kind="forecast",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            (unit.capitalize(), "Trials", "Share", "At or below"), rows, (True, True, True, True)
        ),
        legend=(
            LegendEntry("Trials ending there", "c1", "area"),
            *((LegendEntry("Percentiles of the answer", "pmark", "dash"),) if marks else ()),
        ),
    )
