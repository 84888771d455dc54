"""Flow charts: cumulative flow, the cycle-time scatterplot, aging work in progress and the
throughput run chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

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
    day_label,
    day_text,
    dots,
    empty_chart,
    finite,
    median,
    n,
    number,
    percentile,
    plural,
    polyline,
    reference_label,
    table,
    y_axis,
)

PERCENTILES = (50, 85, 95)
COLOURS = 6


@dataclass(frozen=True)
class FlowDay:
    """How many items (or points) sat in each status at the end of a day."""

    day: dt.date
    counts: Mapping[str, float]


@dataclass(frozen=True)
class CycleItem:
    """A finished item: its label (key and title), when it finished, its cycle time in days."""

    label: str
    finished: dt.date
    days: float


@dataclass(frozen=True)
class AgingItem:
    """An item in progress: its label, the board column it is in, its age in days."""

    label: str
    column: str
    age: float


@dataclass(frozen=True)
class PeriodCount:
    """Items finished in the period that starts on ``start``."""

    start: dt.date
    count: float


def _colour(index: int) -> str:
    return f"c{index % COLOURS + 1}"


def cumulative_flow(
    days: Sequence[FlowDay],
    statuses: Sequence[str],
    *,
    unit: str = "items",
    id: str = "cumulative-flow",
    title: str = "Cumulative flow",
) -> Chart:
    """Stacked areas of each status over the days; ``statuses`` in stacking order, the first
    at the bottom (done first, as is usual, so the bands above it are the work in progress)."""
    if not days or not statuses:
        return empty_chart(
            id=id, kind="cumulative-flow", title=title, message="No days recorded yet."
        )
    if len(set(statuses)) != len(statuses):
        raise ValueError("each status of a cumulative flow appears once")
    ordered = sorted(days, key=lambda d: d.day)
    counts = [
        [finite(day.counts.get(status, 0), f"the count of {status!r}") for status in statuses]
        for day in ordered
    ]
    totals = [sum(row) for row in counts]
    first, last = ordered[0].day, ordered[-1].day
    x = date_scale(first, last)
    y, ticks = y_axis(totals)
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    xs = [x((day.day - first).days) for day in ordered]
    if len(xs) == 1:
        xs, counts = [x.out_low, x.out_high], counts * 2
    # Each status is drawn down to the baseline, the top one first, so each boundary is
    # written once: half the bytes of areas closed along the status below.
    tops = [list(accumulate(row)) for row in counts]
    floor = f"L{n(xs[-1])} {n(y(0))}L{n(xs[0])} {n(y(0))}Z"
    for index in reversed(range(len(statuses))):
        top = polyline([(px, y(row[index])) for px, row in zip(xs, tops, strict=True)])
        svg.path(top + floor, f"chart-area {_colour(index)}")
    svg.x_dates(x, first, last)
    svg.baseline()
    latest = dict(zip(statuses, counts[-1], strict=True))
    summary = (
        f"{plural(len(ordered), 'day')} to {day_text(last)}; on the last day "
        + ", ".join(f"{number(v)} {status}" for status, v in latest.items())
        + "."
    )
    return Chart(
        id=svg.id,
        kind="cumulative-flow",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Day", *statuses, f"Total ({unit})"),
            (
                (day_text(day.day), *(number(v) for v in row), number(sum(row)))
                for day, row in zip(
                    ordered,
                    [[day.counts.get(s, 0) for s in statuses] for day in ordered],
                    strict=True,
                )
            ),
            (False, *(True for _ in statuses), True),
        ),
        legend=tuple(
            LegendEntry(status, _colour(index), "area")
            for index, status in reversed(list(enumerate(statuses)))
        ),
    )


def _percentile_lines(
    svg: Svg, y_of: Sequence[float], values: Mapping[int, float], unit: str
) -> None:
    for row, ((share, value), level) in enumerate(zip(values.items(), y_of, strict=True)):
        svg.line(LEFT, level, LEFT + PLOT_W, level, f"chart-ref p{share}")
        reference_label(svg, level, f"{share}%: {number(value)} {unit}", row)


def cycle_time_scatter(
    items: Sequence[CycleItem],
    *,
    every: Sequence[float] | None = None,
    id: str = "cycle-time",
    title: str = "Cycle time",
) -> Chart:
    """One dot per finished item (when it finished, how many days it took), with the 50th,
    85th and 95th percentile lines: 85% of items took the 85th line's days or less.

    ``every``: when ``items`` are a sample of the finished items, the cycle times of all of
    them; the percentile lines and the summary are then read from these, and the summary says
    how many of them are drawn."""
    if not items:
        return empty_chart(id=id, kind="cycle-time", title=title, message="No finished items yet.")
    days = [finite(item.days, "a cycle time") for item in items]
    if min(days) < 0:
        raise ValueError("a cycle time cannot be negative")
    population = days
    if every is not None:
        population = [finite(d, "a cycle time") for d in every]
        if len(population) < len(days) or min(population) < 0:
            raise ValueError("every cycle time: at least the items drawn, none negative")
    first = min(item.finished for item in items)
    last = max(item.finished for item in items)
    x = date_scale(first, last)
    shares = {share: percentile(population, share) for share in PERCENTILES}
    y, ticks = y_axis([*days, *shares.values()])
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    svg.x_dates(x, first, last)
    svg.baseline()
    _percentile_lines(svg, [y(v) for v in shares.values()], shares, "d")
    points = [
        (x((item.finished - first).days) if first != last else x.out_low + PLOT_W / 2, y(d))
        for item, d in zip(items, days, strict=True)
    ]
    if len(items) <= TIPPED:
        for item, point in zip(items, points, strict=True):
            svg.path(dots([point]), "chart-dots c1", f"{item.label}: {number(item.days)} days")
    else:
        svg.path(dots(points), "chart-dots c1")
    summary = (
        f"85% of {plural(len(population), 'finished item')} took {number(shares[85])} days or "
        f"less (half took {number(shares[50])} or less, 95% took {number(shares[95])} or less)."
    )
    if len(population) > len(days):
        summary += (
            f" The chart and the table show {len(days):,} of them: an even sample across the "
            "period and the slowest."
        )
    ordered = sorted(zip(items, days, strict=True), key=lambda pair: pair[0].finished)
    return Chart(
        id=svg.id,
        kind="cycle-time",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Item", "Finished", "Cycle time (days)"),
            ((item.label, day_text(item.finished), number(d)) for item, d in ordered),
            (False, False, True),
        ),
        legend=(
            LegendEntry("A finished item", "c1", "dot"),
            *(LegendEntry(f"{share}th percentile", f"p{share}", "dash") for share in shares),
        ),
    )


def aging_wip(
    columns: Sequence[str],
    items: Sequence[AgingItem],
    *,
    history: Sequence[float] = (),
    id: str = "aging-wip",
    title: str = "Aging work in progress",
) -> Chart:
    """Each item in progress as a dot in its column at its age, against the 50th, 85th and
    95th percentiles of the cycle times in ``history``: a dot above the 85th line is older
    than 85% of finished items ever got."""
    if not items or not columns:
        return empty_chart(
            id=id, kind="aging-wip", title=title, message="No work in progress right now."
        )
    where = {column: index for index, column in enumerate(columns)}
    for item in items:
        if item.column not in where:
            raise ValueError(f"{item.label!r} is in {item.column!r}, which is not a column")
    ages = [finite(item.age, "an age") for item in items]
    past = [finite(v, "a cycle time") for v in history]
    shares = {share: percentile(past, share) for share in PERCENTILES} if past else {}
    y, ticks = y_axis([*ages, *shares.values()])
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    slot = PLOT_W / len(columns)
    for index, column in enumerate(columns):
        if index:
            svg.line(LEFT + slot * index, TOP, LEFT + slot * index, TOP + PLOT_H, "chart-grid")
        svg.text(LEFT + slot * index + slot / 2, TOP + PLOT_H + 18, clip(column, slot - 6))
    svg.baseline()
    _percentile_lines(svg, [y(v) for v in shares.values()], shares, "d")
    seen: dict[str, int] = {}
    rows = []
    by_class: dict[str, list[tuple[float, float]]] = {}
    for item, age in sorted(zip(items, ages, strict=True), key=lambda pair: -pair[1]):
        place = seen.get(item.column, 0)
        seen[item.column] = place + 1
        # Items of one column spread sideways in a fixed pattern, so equal ages stay apart.
        offset = ((place % 9) - 4) * min(slot / 12, 9)
        point = (LEFT + slot * where[item.column] + slot / 2 + offset, y(age))
        beyond = max((share for share, value in shares.items() if age > value), default=None)
        cls = {None: "c1", 50: "c1", 85: "warn", 95: "danger"}[beyond]
        if len(items) <= TIPPED:
            svg.path(dots([point]), f"chart-dots {cls}", f"{item.label}: {number(age)} days old")
        else:
            by_class.setdefault(cls, []).append(point)
        rows.append(
            (
                item.label,
                item.column,
                number(age),
                f"older than {beyond}% of finished items" if beyond else "",
            )
        )
    for cls, points in by_class.items():
        svg.path(dots(points), f"chart-dots {cls}")
    if shares:
        late = sum(1 for age in ages if age > shares[85])
        summary = (
            f"{plural(len(items), 'item')} in progress; "
            + ("1 item is" if late == 1 else f"{number(late)} items are")
            + f" older than 85% of finished items took ({number(shares[85])} days)."
        )
    else:
        summary = (
            f"{plural(len(items), 'item')} in progress, the oldest {number(max(ages))} days; "
            "no finished items yet to compare with."
        )
    return Chart(
        id=svg.id,
        kind="aging-wip",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            ("Item", "Column", "Age (days)", "Compared with finished items"),
            rows,
            (False, False, True, False),
        ),
        legend=(
            LegendEntry("An item", "c1", "dot"),
            *(
                (
                    LegendEntry("Older than the 85th percentile", "warn", "dot"),
                    LegendEntry("Older than the 95th", "danger", "dot"),
                )
                if shares
                else ()
            ),
            *(LegendEntry(f"{share}th percentile", f"p{share}", "dash") for share in shares),
        ),
    )


def throughput(
    periods: Sequence[PeriodCount],
    *,
    period: str = "week",
    id: str = "throughput",
    title: str = "Throughput",
) -> Chart:
    """Items finished per period (oldest first) as a run chart, with the median as a line."""
    if not periods:
        return empty_chart(id=id, kind="throughput", title=title, message="No finished items yet.")
    ordered = sorted(periods, key=lambda p: p.start)
    counts = [finite(p.count, "a period's count") for p in ordered]
    middle = median(counts)
    y, ticks = y_axis(counts)
    svg = Svg(chart_id(id))
    svg.y_grid(y, ticks)
    slot = PLOT_W / len(ordered)
    points = [(LEFT + slot * i + slot / 2, y(c)) for i, c in enumerate(counts)]
    svg.line(LEFT, y(middle), LEFT + PLOT_W, y(middle), "chart-ref ref")
    reference_label(svg, y(middle), f"median {number(middle)}")
    svg.path(polyline(points), "chart-line c1")
    if len(ordered) <= TIPPED:
        for p, c, point in zip(ordered, counts, points, strict=True):
            svg.path(dots([point]), "chart-dots c1", f"{period} of {day_text(p.start)}: {c:g}")
    else:
        svg.path(dots(points), "chart-dots c1")
    every = -(-len(ordered) // 6)
    for index in range(0, len(ordered), every):
        svg.text(points[index][0], TOP + PLOT_H + 18, day_label(ordered[index].start))
    svg.baseline()
    summary = (
        f"Median {number(middle)} items a {period} over {plural(len(ordered), period)}, "
        f"from {number(min(counts))} to {number(max(counts))}."
    )
    return Chart(
        id=svg.id,
        kind="throughput",
        title=title,
        summary=summary,
        svg=svg.render(),
        table=table(
            (f"{period.capitalize()} of", "Items finished"),
            ((day_text(p.start), number(c)) for p, c in zip(ordered, counts, strict=True)),
            (False, True),
        ),
        legend=(LegendEntry("Items finished", "c1"), LegendEntry("Median", "ref", "dash")),
    )
