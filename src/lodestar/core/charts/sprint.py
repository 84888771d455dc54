"""Sprint charts: burndown and burnup (with the scope line and where scope changed), and
velocity over the last sprints (with its average and range)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from lodestar.core.charts.base import (
    LEFT,
    PLOT_H,
    PLOT_W,
    TIPPED,
    TOP,
    Chart,
    LegendEntry,
    Svg,
    chart_id,
    clip,
    date_scale,
    day_text,
    dots,
    empty_chart,
    finite,
    n,
    number,
    polyline,
    reference_label,
    steps,
    table,
    y_axis,
)


@dataclass(frozen=True)
class BurnDay:
    """One day of a sprint as its daily snapshot saw it: the scope and how much of it was done
    (in points or items, whichever the chart shows)."""

    day: dt.date
    scope: float
    done: float


@dataclass(frozen=True)
class SprintVelocity:
    """One past sprint: its name, what it committed (None when unknown) and completed."""

    label: str
    completed: float
    committed: float | None = None


def _checked(days: Sequence[BurnDay]) -> list[BurnDay]:
    # As floats: points may come as Decimals, and the scales work in floats.
    ordered = sorted(
        (
            BurnDay(day.day, finite(day.scope, "a day's scope"), finite(day.done, "a day's done"))
            for day in days
        ),
        key=lambda d: d.day,
    )
    if len({d.day for d in ordered}) != len(ordered):
        raise ValueError("each day of a burndown appears once")
    return ordered


def _scope_changes(days: Sequence[BurnDay]) -> list[tuple[BurnDay, float]]:
    return [
        (day, day.scope - before.scope)
        for before, day in pairwise(days)
        if day.scope != before.scope
    ]


def _ideal(first: BurnDay, first_day: dt.date, end: dt.date, day: dt.date, *, up: bool) -> float:
    span = max((end - first_day).days, 1)
    share = min(max((day - first_day).days / span, 0.0), 1.0)
    return first.scope * share if up else first.scope * (1 - share)


def _burn(
    days: Sequence[BurnDay], *, up: bool, end: dt.date | None, unit: str, id: str, title: str
) -> Chart:
    kind = "burnup" if up else "burndown"
    ordered = _checked(days)
    if not ordered:
        return empty_chart(
            id=id,
            kind=kind,
            title=title,
            message="No data yet: the chart starts with the sprint's first daily snapshot.",
        )
    first, last = ordered[0], ordered[-1]
    finish = max(end or last.day, last.day)
    x = date_scale(first.day, finish)
    values = [v for d in ordered for v in (d.scope, d.done, d.scope - d.done)]
    y, ticks = y_axis(values)
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    svg.x_dates(x, first.day, finish)
    svg.baseline()

    def at(day: BurnDay, value: float) -> tuple[float, float]:
        return x((day.day - first.day).days), y(value)

    # The ideal line reaches its end on the sprint's last day and stays there: a sprint
    # closed after its end date is drawn to the day it closed.
    stop = min(end or finish, finish)
    ideal_end = first.scope if up else 0.0
    ideal = [(x(0), y(0.0 if up else first.scope)), (x((stop - first.day).days), y(ideal_end))]
    if stop < finish:
        ideal.append((x.out_high, y(ideal_end)))
    svg.path(polyline(ideal), "chart-ref ref")
    svg.path(polyline(steps([at(d, d.scope) for d in ordered])), "chart-line c3")
    shown = [at(d, d.done if up else d.scope - d.done) for d in ordered]
    svg.path(polyline(shown), "chart-line c1")
    if len(ordered) == 1:
        svg.path(dots([at(first, first.scope)]), "chart-dots c3")
        svg.path(dots(shown), "chart-dots c1")
    changes = _scope_changes(ordered)
    if changes:
        svg.path(
            dots(at(day, day.scope) for day, _ in changes),
            "chart-dots c3",
            tip="; ".join(f"{day_text(d.day)}: scope {signed(c)}" for d, c in changes[:20]),
        )
    remaining = last.scope - last.done
    added = sum(change for _, change in changes)
    summary = (
        f"{number(last.done)} of {number(last.scope)} {unit} done by {day_text(last.day)}, "
        f"{number(remaining)} remaining"
    )
    if changes:
        times = {1: "once", 2: "twice"}.get(len(changes), f"{len(changes)} times")
        summary += f"; scope changed {times} ({signed(added)} {unit})"
    ideal_now = _ideal(first, first.day, stop, last.day, up=up)
    behind = (last.done < ideal_now) if up else (remaining > ideal_now)
    summary += "; behind the ideal line." if behind else "; on or ahead of the ideal line."
    rows = [
        (
            day_text(d.day),
            number(d.scope),
            number(d.done),
            number(d.scope - d.done),
            number(round(_ideal(first, first.day, stop, d.day, up=up), 2)),
        )
        for d in ordered
    ]
    shown_label = "Done" if up else "Remaining"
    return Chart(
        id=svg.id,
        kind=kind,
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Day", f"Scope ({unit})", "Done", "Remaining", "Ideal"),
            rows,
            (False, True, True, True, True),
        ),
        legend=(
            LegendEntry(shown_label, "c1"),
            LegendEntry("Scope (dots where it changed)", "c3"),
            LegendEntry("Ideal", "ref", "dash"),
        ),
    )


def signed(value: float) -> str:
    if value == 0:
        return "\N{PLUS-MINUS SIGN}0"
    return f"+{number(value)}" if value > 0 else f"\N{MINUS SIGN}{number(-value)}"


def burndown(
    days: Sequence[BurnDay],
    *,
    end: dt.date | None = None,
    unit: str = "points",
    id: str = "burndown",
    title: str = "Burndown",
) -> Chart:
    """What remains each day (scope minus done) against the ideal line from the first day's
    scope to zero at ``end`` (the sprint's last day; the last snapshot when not given), with
    the scope line and a dot wherever the scope changed."""
    return _burn(days, up=False, end=end, unit=unit, id=id, title=title)


def burnup(
    days: Sequence[BurnDay],
    *,
    end: dt.date | None = None,
    unit: str = "points",
    id: str = "burnup",
    title: str = "Burnup",
) -> Chart:
    """What is done each day against the scope line (dots where it changed) and the ideal
    line from zero to the first day's scope at ``end``."""
    return _burn(days, up=True, end=end, unit=unit, id=id, title=title)


def velocity(
    sprints: Sequence[SprintVelocity],
    *,
    unit: str = "points",
    id: str = "velocity",
    title: str = "Velocity",
) -> Chart:
    """Completed per sprint (oldest first) as bars, committed as a thin mark on each, the
    average as a line and the range from the lowest to the highest as a band."""
    if not sprints:
        return empty_chart(
            id=id, kind="velocity", title=title, message="No closed sprints yet to measure."
        )
    completed = [finite(s.completed, "a sprint's completed work") for s in sprints]
    committed = [
        None if s.committed is None else finite(s.committed, "a sprint's commitment")
        for s in sprints
    ]
    average = sum(completed) / len(completed)
    low, high = min(completed), max(completed)
    y, ticks = y_axis([*completed, *(c for c in committed if c is not None)])
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    slot = PLOT_W / len(sprints)
    width = min(slot * 0.6, 48)
    svg.rect(LEFT, y(high), PLOT_W, max(y(low) - y(high), 1), "chart-band")
    many = len(sprints) > TIPPED
    bars, marks = [], []
    for index, sprint in enumerate(sprints):
        middle = LEFT + slot * index + slot / 2
        value = completed[index]
        bar = (middle - width / 2, y(value), width, max(y(0) - y(value), 0))
        if many:
            bars.append(bar)
        else:
            tip = f"{sprint.label}: {number(value)} {unit} completed"
            if committed[index] is not None:
                tip += f" of {number(committed[index] or 0)} committed"
            svg.rect(*bar, "chart-bar c1", tip)
        if committed[index] is not None:
            level = y(committed[index] or 0)
            marks.append(f"M{n(middle - width / 2 - 3)} {n(level)}h{n(width + 6)}")
        if len(sprints) <= 16 or index % -(-len(sprints) // 16) == 0:
            svg.text(middle, TOP + PLOT_H + 18, clip(sprint.label, max(slot, 40) - 4))
    if bars:
        svg.bars(bars, "chart-bar c1")
    if marks:
        svg.path("".join(marks), "chart-mark")
    svg.baseline()
    svg.line(LEFT, y(average), LEFT + PLOT_W, y(average), "chart-ref ref")
    reference_label(svg, y(average), f"average {number(round(average, 1))}")
    summary = (
        f"Average {number(round(average, 1))} {unit} over the last "
        + (f"{len(sprints)} sprints" if len(sprints) > 1 else "sprint")
        + f", from {number(low)} to {number(high)}."
    )
    return Chart(
        id=svg.id,
        kind="velocity",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Sprint", f"Committed ({unit})", f"Completed ({unit})"),
            (
                (s.label, "\N{EN DASH}" if c is None else number(c), number(v))
                for s, c, v in zip(sprints, committed, completed, strict=True)
            ),
            (False, True, True),
        ),
        legend=(
            LegendEntry("Completed", "c1", "area"),
            LegendEntry("Committed", "mark", "line"),
            LegendEntry("Average", "ref", "dash"),
            LegendEntry("Range (lowest to highest)", "band", "area"),
        ),
    )
