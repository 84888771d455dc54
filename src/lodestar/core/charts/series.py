"""A metric's daily series: one value a day as a line (dots where days are apart), with the
mean of the days as a reference line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lodestar.core.charts.base import (
    Chart,
    LegendEntry,
    Svg,
    chart_id,
    date_scale,
    day_text,
    dots,
    empty_chart,
    finite,
    number,
    polyline,
    reference_label,
    table,
    y_axis,
)


@dataclass(frozen=True)
class DayValue:
    """One day of a series and its value."""

    day: dt.date
    value: float


def daily_series(
    days: Sequence[DayValue],
    *,
    id: str,
    title: str,
    unit: str = "",
    higher_is_better: bool = True,
) -> Chart:
    """The days as a line over time, a dot on each day, the mean as a dashed line; the
    summary says the last value, the range and the change from the first week to the last."""
    ordered = sorted(
        (DayValue(day.day, finite(day.value, "a day's value")) for day in days),
        key=lambda d: d.day,
    )
    if len({d.day for d in ordered}) != len(ordered):
        raise ValueError("each day of a series appears once")
    if not ordered:
        return empty_chart(
            id=id, kind="series", title=title, message="No samples yet: push or upload some."
        )
    first, last = ordered[0], ordered[-1]
    x = date_scale(first.day, last.day)
    values = [d.value for d in ordered]
    y, ticks = y_axis(values, zero=min(values) >= 0 and min(values) < max(values) / 3)
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    svg.x_dates(x, first.day, last.day)
    svg.baseline()
    points = [(x((d.day - first.day).days), y(d.value)) for d in ordered]
    mean = sum(values) / len(values)
    svg.path(polyline([(x.out_low, y(mean)), (x.out_high, y(mean))]), "chart-ref ref")
    reference_label(svg, y(mean), f"mean {number(round(mean, 2))}")
    svg.path(polyline(points), "chart-line c1")
    svg.path(dots(points), "chart-dots c1")
    # "3.4%", "820 ms": a percent sign goes straight after its number.
    suffix = unit if unit == "%" else (f" {unit}" if unit else "")
    head, tail = values[:7], values[-7:]
    change = sum(tail) / len(tail) - sum(head) / len(head)
    better = (change > 0) == higher_is_better
    trend = (
        "flat from the first week to the last"
        if change == 0 or len(values) < 14
        else f"{'up' if change > 0 else 'down'} {number(round(abs(change), 2))}{suffix} from the "
        f"first week to the last ({'better' if better else 'worse'})"
    )
    summary = (
        f"{number(round(last.value, 2))}{suffix} on {day_text(last.day)}; "
        f"{len(values)} days from {number(round(min(values), 2))} to "
        f"{number(round(max(values), 2))}{suffix}, mean {number(round(mean, 2))}; {trend}."
    )
    rows = [(day_text(d.day), number(round(d.value, 4))) for d in ordered]
    return Chart(
        id=svg.id,
        kind="series",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(("Day", f"Value{f' ({unit})' if unit else ''}"), rows, (False, True)),
        legend=(LegendEntry("Daily value", "c1"), LegendEntry("Mean of the days", "ref", "dash")),
    )
