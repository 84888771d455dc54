"""The timeline: one row per dated thing (a release), its target date as a diamond and, when
it has one, its forecast range drawn as a band (from the first percentile date to the last)
with a mark at the middle one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lodestar.core.charts.base import (
    LEFT,
    PLOT_H,
    PLOT_W,
    TOP,
    Chart,
    LegendEntry,
    Svg,
    chart_id,
    clip,
    date_scale,
    date_ticks,
    day_label,
    day_text,
    empty_chart,
    plural,
    table,
)

# The most rows drawn; the table behind the chart lists them all.
ROWS_DRAWN = 12
LABEL_W = 150


@dataclass(frozen=True)
class TimelineRow:
    """One row: its label, its target date, the range of its forecast (``low``..``high``, as
    dates, with ``mid`` between) and the day it was done, each None when it has none."""

    label: str
    target: dt.date | None = None
    low: dt.date | None = None
    mid: dt.date | None = None
    high: dt.date | None = None
    done: dt.date | None = None
    range_label: str = "forecast"


def _days(row: TimelineRow) -> list[dt.date]:
    return [day for day in (row.target, row.low, row.mid, row.high, row.done) if day]


def timeline(
    rows: Sequence[TimelineRow],
    *,
    today: dt.date,
    id: str = "timeline",
    title: str = "Timeline",
) -> Chart:
    """Rows on a date axis from the earliest date shown (or today) to the latest; the first
    ``ROWS_DRAWN`` drawn, all of them in the table."""
    dated = [row for row in rows if _days(row)]
    if not dated:
        return empty_chart(
            id=id, kind="timeline", title=title, message="Nothing dated yet to draw."
        )
    days = [day for row in dated for day in _days(row)] + [today]
    first, last = min(days) - dt.timedelta(days=3), max(days) + dt.timedelta(days=3)
    svg = Svg(chart_id(id))
    left = LEFT + LABEL_W - 52
    scale = date_scale(first, last)
    width = LEFT + PLOT_W - left

    def x(day: dt.date) -> float:
        return left + (scale((day - first).days) - LEFT) * width / PLOT_W

    shown = dated[:ROWS_DRAWN]
    step = PLOT_H / max(len(shown), 1)
    height = min(step * 0.5, 18)
    svg.line(x(today), TOP + 12, x(today), TOP + PLOT_H, "chart-ref c4")
    svg.text(x(today), TOP + 9, "today", cls="chart-note")
    for index, row in enumerate(shown):
        middle = TOP + step * index + step / 2
        svg.text(LEFT - 46, middle + 4, clip(row.label, LABEL_W - 10), anchor="start")
        if row.low and row.high:
            svg.rect(
                x(row.low),
                middle - height / 2,
                max(x(row.high) - x(row.low), 2),
                height,
                "chart-band c1",
                f"{row.label}: {row.range_label} {day_text(row.low)} to {day_text(row.high)}",
            )
        if row.mid:
            svg.line(
                x(row.mid), middle - height / 2, x(row.mid), middle + height / 2, "chart-ref pmark"
            )
        if row.target:
            r = height / 2
            tx = x(row.target)
            svg.path(
                f"M{tx:.1f} {middle - r:.1f}l{r:.1f} {r:.1f}l{-r:.1f} {r:.1f}l{-r:.1f} {-r:.1f}Z",
                "chart-bar c2",
                f"{row.label}: target {day_text(row.target)}",
            )
        if row.done:
            svg.path(
                f"M{x(row.done):.1f} {middle:.1f}h0",
                "chart-dots c3",
                f"{row.label}: done {day_text(row.done)}",
            )
    svg.line(left, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H, "chart-axis")
    ticks = date_ticks(first, last, 5)
    for index, day in enumerate(ticks):
        with_year = index == 0 or day.year != ticks[index - 1].year
        svg.text(x(day), TOP + PLOT_H + 18, day_label(day, with_year=with_year))
    more = len(dated) - len(shown)
    summary = f"{plural(len(dated), 'release')} from {day_text(min(days))} to {day_text(max(days))}"
    summary += f" ({more} more in the table)." if more else "."
    return Chart(
        id=svg.id,
        kind="timeline",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Release", "Target", "Forecast from", "Forecast to", "Done"),
            (
                (
                    row.label,
                    day_text(row.target) if row.target else "—",
                    day_text(row.low) if row.low else "—",
                    day_text(row.high) if row.high else "—",
                    day_text(row.done) if row.done else "—",
                )
                for row in dated
            ),
            (False, False, False, False, False),
        ),
        legend=(
            LegendEntry("Forecast range (50% to 95%)", "c1", "area"),
            LegendEntry("Target date", "c2", "dot"),
            LegendEntry("Went live", "c3", "dot"),
            LegendEntry("The forecast's 85% date", "pmark", "dash"),
            LegendEntry("Today", "c4", "dash"),
        ),
    )
