"""Flow metrics of a product's items (or some of them), read from the status changes:
throughput, cycle times, work in progress and its age, cumulative flow.

Every metric is a handful of aggregate queries over ``ItemStatusChange`` whose cost follows
the window asked, never one query per item or per day. ``items`` narrows them to a subset of
the product's items (a query of their ids: a team's sprints' items) without leaving SQL.

Definitions (docs/SPRINTS.md): a *completion* is a change to ``done`` (an item reopened and
finished again counts each time); an item's *cycle time* runs from its first change to
``in_progress`` to that completion (items finished without ever being in progress count in
throughput, not in cycle times); *work in progress* is the items in progress now, aged from
their first start; the *cumulative flow* gives, for each day, how many items were in each status
at its end. Items in the trash keep their place in the flow (their work happened).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from lodestar.backlog.flow.models import STATUSES, ItemStatusChange
from lodestar.backlog.models import BacklogItem

DONE = "done"
IN_PROGRESS = "in_progress"
PERCENTILES = (50, 70, 85, 95)
DAY_SECONDS = 86400


@dataclass(frozen=True)
class Percentile:
    percentile: int
    days: float


@dataclass(frozen=True)
class CycleTimes:
    """How long finished items took, in days: how many, their mean and percentiles."""

    count: int
    mean_days: float | None
    percentiles: list[Percentile]


@dataclass(frozen=True)
class Started:
    """An item in progress: since when (its first start) and for how many days."""

    key: str
    title: str
    assignee: str
    started_at: dt.datetime | None
    age_days: float | None


@dataclass(frozen=True)
class FlowDay:
    """The items in each status at the end of ``day``."""

    day: dt.date
    counts: dict[str, int]


@dataclass(frozen=True)
class Flow:
    start: dt.date
    end: dt.date
    period: str
    throughput: list[tuple[dt.date, int]]
    cycle_times: CycleTimes
    work_in_progress: list[Started]
    cumulative: list[FlowDay]


def percentile_of(ordered: Sequence[float], percentile: int) -> float:
    """The nearest-rank percentile of ``ordered`` (sorted, not empty)."""
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def cycle_summary(seconds: list[int]) -> CycleTimes:
    if not seconds:
        return CycleTimes(0, None, [])
    seconds.sort()
    return CycleTimes(
        count=len(seconds),
        mean_days=round(sum(seconds) / len(seconds) / DAY_SECONDS, 2),
        percentiles=[
            Percentile(p, round(percentile_of(seconds, p) / DAY_SECONDS, 2)) for p in PERCENTILES
        ],
    )


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _changes(product_id: int, items: QuerySet[Any] | None) -> QuerySet[ItemStatusChange]:
    rows = ItemStatusChange.objects.filter(product_id=product_id)
    return rows if items is None else rows.filter(item_id__in=items)


def throughput(
    *,
    product_id: int,
    start: dt.date,
    end: dt.date,
    period: str = "day",
    items: QuerySet[Any] | None = None,
) -> list[tuple[dt.date, int]]:
    """Completions per day (or per week, dated by its Monday) from ``start`` to ``end``,
    periods without any included (one query)."""
    per_day = dict(
        _changes(product_id, items)
        .filter(to_status=DONE, day__gte=start, day__lte=end)
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    if period == "week":
        weeks: dict[dt.date, int] = {}
        week = week_of(start)
        while week <= end:
            weeks[week] = 0
            week += dt.timedelta(days=7)
        for day, n in per_day.items():
            weeks[week_of(day)] += n
        return list(weeks.items())
    return [(day, per_day.get(day, 0)) for day in _days(start, end)]


def cycle_times(
    *, product_id: int, start: dt.date, end: dt.date, items: QuerySet[Any] | None = None
) -> CycleTimes:
    """The cycle times of the completions from ``start`` to ``end`` (one query)."""
    seconds: list[int] = list(
        _changes(product_id, items)
        .filter(to_status=DONE, day__gte=start, day__lte=end, cycle_seconds__isnull=False)
        .values_list("cycle_seconds", flat=True)  # type: ignore[arg-type]
    )
    return cycle_summary(seconds)


def work_in_progress(
    *, product_id: int, items: QuerySet[Any] | None = None, now: dt.datetime | None = None
) -> list[Started]:
    """The items in progress now, oldest start first (one query)."""
    now = now or timezone.now()
    rows = BacklogItem.objects.filter(product_id=product_id, status=IN_PROGRESS)
    if items is not None:
        rows = rows.filter(pk__in=items)
    found = rows.annotate(
        started=Min("status_changes__at", filter=Q(status_changes__to_status=IN_PROGRESS))
    ).values_list("key", "title", "assignee__user__full_name", "assignee__user__email", "started")
    started = [
        Started(
            key=key,
            title=title,
            assignee=name or email or "",
            started_at=at,
            age_days=round((now - at).total_seconds() / DAY_SECONDS, 2) if at else None,
        )
        for key, title, name, email, at in found
    ]
    return sorted(started, key=lambda s: (s.started_at is None, s.started_at or now, s.key))


def cumulative_flow(
    *,
    product_id: int,
    start: dt.date,
    end: dt.date,
    items: QuerySet[Any] | None = None,
    today: dt.date | None = None,
) -> list[FlowDay]:
    """The items in each status at the end of every day from ``start`` to ``end`` (two
    queries): today's counts, walked back through the changes since ``start``."""
    today = today or timezone.localdate()
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    current = BacklogItem.all_objects.filter(product_id=product_id)
    if items is not None:
        current = current.filter(pk__in=items)
    for status, n in current.values_list("status").annotate(n=Count("*")).order_by():
        counts[status] = n
    net: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    moved = (
        _changes(product_id, items)
        .filter(day__gte=start)
        .values_list("day", "from_status", "to_status")
        .annotate(n=Count("*"))
        .order_by()
    )
    for day, before, after, n in moved:
        net[day][after] += n
        if before:
            net[day][before] -= n
    # Walk back from today: the counts at the end of a day are the later ones less what the
    # following days brought.
    last = max(today, end, *net.keys()) if net else max(today, end)
    by_day: dict[dt.date, dict[str, int]] = {}
    day = last
    while day >= start:
        if day <= end:
            by_day[day] = dict(counts)
        for status, n in net.get(day, {}).items():
            counts[status] -= n
        day -= dt.timedelta(days=1)
    return [FlowDay(day, by_day[day]) for day in sorted(by_day)]


def flow_metrics(
    *,
    product_id: int,
    start: dt.date,
    end: dt.date,
    period: str = "day",
    items: QuerySet[Any] | None = None,
) -> Flow:
    """Every flow metric of the window (a constant number of queries: five)."""
    return Flow(
        start=start,
        end=end,
        period=period,
        throughput=throughput(
            product_id=product_id, start=start, end=end, period=period, items=items
        ),
        cycle_times=cycle_times(product_id=product_id, start=start, end=end, items=items),
        work_in_progress=work_in_progress(product_id=product_id, items=items),
        cumulative=cumulative_flow(product_id=product_id, start=start, end=end, items=items),
    )
