"""Every read of the outcomes context: a product's metrics, a metric's samples, and its daily
series (the samples aggregated per day in the metric's time zone, in SQL)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from lodestar.core.db import is_postgresql
from lodestar.core.errors import Invalid
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.models import Aggregation, Metric, MetricSample
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product

# The longest daily series one read answers (ten years).
MAX_SERIES_DAYS = 3660


@dataclass(frozen=True)
class DailyValue:
    """One day of a metric (in its zone): the aggregated value and how many samples made it."""

    day: dt.date
    value: float
    samples: int


def metric_list(*, actor: Actor, product: Product) -> QuerySet[Metric]:
    """The product's live metrics, by key."""
    return (
        Metric.objects.filter(workspace_id=actor.workspace_id, product=product)
        .select_related("product")
        .order_by("key", "id")
    )


def workspace_metrics(*, actor: Actor) -> QuerySet[Metric]:
    """Every live metric of the workspace, by product and key."""
    return (
        Metric.objects.filter(workspace_id=actor.workspace_id)
        .select_related("product")
        .order_by("product__key", "key", "id")
    )


def sample_list(
    *, metric: Metric, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[MetricSample]:
    """The metric's samples in ``[since, until)`` (aware times), for paging by time."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise Invalid.field(
                name, "needs a time zone, such as Z or +01:00", code=Code.SAMPLES_RANGE_INVALID
            )
    rows = MetricSample.objects.filter(metric=metric)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lt=until)
    return rows


def _zone(metric: Metric) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(metric.time_zone)


def day_start(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant ``day`` begins in ``zone``, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def _bounds(metric: Metric) -> tuple[dt.date, dt.date] | None:
    rows = MetricSample.objects.filter(metric=metric).order_by("at").values_list("at", flat=True)
    first = rows.first()
    last = rows.order_by("-at").first()
    if first is None or last is None:
        return None
    zone = _zone(metric)
    return first.astimezone(zone).date(), last.astimezone(zone).date()


def daily_series(
    *, metric: Metric, since: dt.date | None = None, until: dt.date | None = None
) -> list[DailyValue]:
    """The metric's days from ``since`` to ``until`` (both included, in its zone; default:
    its first and last samples, at most ``MAX_SERIES_DAYS`` ending with the last), each
    aggregated by the metric's aggregation. Days without samples are left out."""
    if since is None or until is None:
        bounds = _bounds(metric)
        if bounds is None:
            return []
        until = until or bounds[1]
        since = since or max(bounds[0], until - dt.timedelta(days=MAX_SERIES_DAYS - 1))
    if since > until:
        raise Invalid.field("since", "must not be after until", code=Code.SAMPLES_RANGE_INVALID)
    if (until - since).days >= MAX_SERIES_DAYS:
        raise Invalid.field(
            "since",
            f"asks for more than {MAX_SERIES_DAYS:,} days; ask for a shorter range",
            code=Code.SAMPLES_RANGE_INVALID,
        )
    return _aggregate(metric, since, until)


def _aggregate(metric: Metric, since: dt.date, until: dt.date) -> list[DailyValue]:
    zone = _zone(metric)
    table = MetricSample._meta.db_table
    connection = connections[router.db_for_read(MetricSample)]
    start = day_start(since, zone)
    end = day_start(until + dt.timedelta(days=1), zone)
    with connection.cursor() as cursor:
        if is_postgresql(connection):
            value = {
                Aggregation.MEAN: "avg(value)",
                Aggregation.SUM: "sum(value)",
                Aggregation.LAST: "(array_agg(value ORDER BY at DESC))[1]",
            }[Aggregation(metric.aggregation)]
            cursor.execute(
                f"SELECT (at AT TIME ZONE %s)::date AS day, {value}, count(*) "  # noqa: S608 - fixed expressions
                f"FROM {table} WHERE metric_id = %s AND at >= %s AND at < %s "
                "GROUP BY 1 ORDER BY 1",
                [metric.time_zone, metric.pk, start, end],
            )
            return [DailyValue(day, float(v), int(n)) for day, v, n in cursor.fetchall()]
        # SQLite: each day's UTC bounds, joined to a range scan of the (metric, at) index.
        days: list[dt.date] = []
        params: list[Any] = []
        day = since
        adapt = connection.ops.adapt_datetimefield_value
        while day <= until:
            following = day + dt.timedelta(days=1)
            days.append(day)
            params += [
                len(days) - 1,
                adapt(day_start(day, zone)),
                adapt(day_start(following, zone)),
            ]
            day = following
        value = {
            Aggregation.MEAN: "avg(s.value)",
            Aggregation.SUM: "sum(s.value)",
            # SQLite takes a bare column from the row that max() picked.
            Aggregation.LAST: "s.value, max(s.at)",
        }[Aggregation(metric.aggregation)]
        rows = ", ".join(["(%s, %s, %s)"] * len(days))
        cursor.execute(
            f"WITH days(n, lo, hi) AS (VALUES {rows}) "  # noqa: S608 - fixed expressions
            f"SELECT days.n, count(*), {value} FROM days JOIN {table} s "
            "ON s.metric_id = %s AND s.at >= days.lo AND s.at < days.hi "
            "GROUP BY days.n ORDER BY days.n",
            [*params, metric.pk],
        )
        return [DailyValue(days[row[0]], float(row[2]), int(row[1])) for row in cursor.fetchall()]


def window_values(*, metric: Metric, since: dt.date, until: dt.date) -> list[float]:
    """The daily values of ``[since, until]`` (days with samples), as evaluation takes them."""
    return [day.value for day in daily_series(metric=metric, since=since, until=until)]
