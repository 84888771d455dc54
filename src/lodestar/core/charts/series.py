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


@dataclass(frozen=True)
class OutcomeWindows:
    """What an outcome chart marks: the baseline window (None for a given baseline), the day
    it went live, the evaluation window, and the levels the verdict compares."""

    baseline: tuple[dt.date, dt.date] | None
    live: dt.date
    observed: tuple[dt.date, dt.date]
    baseline_value: float | None
    observed_value: float | None
    target_level: float | None


def outcome_series(
    days: Sequence[DayValue],
    windows: OutcomeWindows,
    *,
    id: str,
    title: str,
    verdict: str,
    unit: str = "",
) -> Chart:
    """A metric's days around going live: the baseline and evaluation windows shaded, the
    baseline, target and observed levels as dashed lines over their windows, going live as a
    mark. The summary says the verdict and the three levels in words."""
    ordered = sorted(
        (DayValue(day.day, finite(day.value, "a day's value")) for day in days),
        key=lambda d: d.day,
    )
    starts = [windows.live, *(d.day for d in ordered[:1])]
    if windows.baseline:
        starts.append(windows.baseline[0])
    first = min(starts)
    last = max([windows.observed[1], *(d.day for d in ordered[-1:])])
    levels = [
        v
        for v in (windows.baseline_value, windows.observed_value, windows.target_level)
        if v is not None
    ]
    values = [d.value for d in ordered]
    if not values and not levels:
        return empty_chart(
            id=id, kind="outcome", title=title, message="No samples in these windows yet."
        )
    x = date_scale(first, last)
    everything = values + levels
    y, ticks = y_axis(
        everything, zero=min(everything) >= 0 and min(everything) < max(everything) / 3
    )
    svg = Svg(chart_id(id))

    def at(day: dt.date) -> float:
        return x((day - first).days)

    top, height = y.out_high, y.out_low - y.out_high
    if windows.baseline:
        left, right = at(windows.baseline[0]), at(windows.baseline[1])
        svg.rect(left, top, max(right - left, 1), height, "chart-band", "Baseline window")
    left, right = at(windows.observed[0]), at(windows.observed[1])
    svg.rect(left, top, max(right - left, 1), height, "chart-band", "Evaluation window")
    svg.y_grid(y, ticks)
    svg.x_dates(x, first, last)
    svg.baseline()
    svg.line(at(windows.live), top, at(windows.live), top + height, "chart-mark")
    suffix = unit if unit == "%" else (f" {unit}" if unit else "")
    row = 0
    if windows.baseline_value is not None:
        span = windows.baseline or (first, windows.live)
        yy = y(windows.baseline_value)
        svg.path(polyline([(at(span[0]), yy), (at(span[1]), yy)]), "chart-ref ref")
    if windows.target_level is not None:
        yy = y(windows.target_level)
        svg.path(
            polyline([(at(windows.observed[0]), yy), (at(windows.observed[1]), yy)]),
            "chart-ref warn",
        )
        reference_label(svg, yy, f"target {number(round(windows.target_level, 2))}", row)
        row += 1
    if windows.observed_value is not None:
        yy = y(windows.observed_value)
        svg.path(
            polyline([(at(windows.observed[0]), yy), (at(windows.observed[1]), yy)]),
            "chart-ref c2",
        )
        reference_label(svg, yy, f"observed {number(round(windows.observed_value, 2))}", row)
    points = [(at(d.day), y(d.value)) for d in ordered]
    if points:
        svg.path(polyline(points), "chart-line c1")
        svg.path(dots(points), "chart-dots c1")

    def level(value: float | None) -> str:
        return "unknown" if value is None else f"{number(round(value, 2))}{suffix}"

    summary = (
        f"{verdict}: observed {level(windows.observed_value)} against a target of "
        f"{level(windows.target_level)}, from a baseline of {level(windows.baseline_value)}; "
        f"live on {day_text(windows.live)}, {len(values)} days with samples."
    )

    def window_of(day: dt.date) -> str:
        if windows.baseline and windows.baseline[0] <= day <= windows.baseline[1]:
            return "baseline"
        if windows.observed[0] <= day <= windows.observed[1]:
            return "evaluation"
        return ""

    rows = [(day_text(d.day), number(round(d.value, 4)), window_of(d.day)) for d in ordered]
    return Chart(
        id=svg.id,
        kind="outcome",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Day", f"Value{f' ({unit})' if unit else ''}", "Window"), rows, (False, True, False)
        ),
        legend=(
            LegendEntry("Daily value", "c1"),
            LegendEntry("Baseline", "ref", "dash"),
            LegendEntry("Target", "warn", "dash"),
            LegendEntry("Observed mean", "c2", "dash"),
            LegendEntry("Windows (baseline, then evaluation)", "band", "area"),
        ),
    )
