"""Each metric's days, kept in step with its samples (``MetricDay``).

Every write of samples calls ``refresh_days`` for the days (in the metric's zone) it touched,
in its transaction: those days are aggregated again from the samples in one SQL statement
(each day's UTC bounds joined to a range scan of the (metric, time) index) and their rows
replaced. So the daily series and an outcome evaluation read one row a day, however many
samples made it; ``rebuild`` does the whole history again (a change of time zone).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, router

from lodestar.core.db import insert_values, is_postgresql
from lodestar.outcomes.models import Metric, MetricDay, MetricSample

# Days per statement (three parameters a day, within SQLite's limit per statement).
CHUNK_DAYS = 1000

Row = tuple[dt.date, int, float, dt.datetime, float]


def day_start(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant ``day`` begins in ``zone``, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def local_days(metric: Metric, times: Iterable[dt.datetime]) -> set[dt.date]:
    """The days (in the metric's zone) of ``times``."""
    zone = zoneinfo.ZoneInfo(metric.time_zone)
    if metric.time_zone == "UTC":
        return {at.date() for at in times}
    return {at.astimezone(zone).date() for at in times}


def aggregate(metric: Metric, days: Sequence[dt.date]) -> list[Row]:
    """``(day, samples, sum, last time, last value)`` of each of ``days`` that has samples,
    from the samples, in SQL."""
    found: list[Row] = []
    ordered = sorted(set(days))
    for start in range(0, len(ordered), CHUNK_DAYS):
        found += _aggregate(metric, ordered[start : start + CHUNK_DAYS])
    return found


def _aggregate(metric: Metric, days: Sequence[dt.date]) -> list[Row]:
    if not days:
        return []
    zone = zoneinfo.ZoneInfo(metric.time_zone)
    connection = connections[router.db_for_read(MetricSample)]
    adapt = connection.ops.adapt_datetimefield_value
    postgres = is_postgresql(connection)
    params: list[Any] = []
    for index, day in enumerate(days):
        params += [
            index,
            adapt(day_start(day, zone)),
            adapt(day_start(day + dt.timedelta(days=1), zone)),
        ]
    mark = "(%s::integer, %s::timestamptz, %s::timestamptz)" if postgres else "(%s, %s, %s)"
    # The last sample's value: PostgreSQL orders an array; SQLite takes a bare column from the
    # row that max() picked.
    last = "(array_agg(s.value ORDER BY s.at DESC))[1]" if postgres else "s.value"
    table = MetricSample._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH days(n, lo, hi) AS (VALUES {', '.join([mark] * len(days))}) "  # noqa: S608 - fixed expressions
            f"SELECT days.n, count(*), sum(s.value), max(s.at), {last} FROM days "
            f"JOIN {table} s ON s.metric_id = %s AND s.at >= days.lo AND s.at < days.hi "
            "GROUP BY days.n",
            [*params, metric.pk],
        )
        rows = cursor.fetchall()
    out: list[Row] = []
    for n, count, total, last_at, last_value in rows:
        if isinstance(last_at, str):  # SQLite answers max() of its text column as text, in UTC
            last_at = dt.datetime.fromisoformat(last_at).replace(tzinfo=dt.UTC)
        out.append((days[n], int(count), float(total), last_at, float(last_value)))
    return out


def refresh_days(metric: Metric, days: Iterable[dt.date]) -> None:
    """Aggregate ``days`` of ``metric`` again and replace their rows. Call it in the
    transaction that wrote the samples."""
    touched = sorted(set(days))
    if not touched:
        return
    rows = MetricDay.objects.filter(metric=metric)
    for start in range(0, len(touched), CHUNK_DAYS):
        rows.filter(day__in=touched[start : start + CHUNK_DAYS])._raw_delete(rows.db)
    _store(metric, aggregate(metric, touched))


def rebuild(metric: Metric) -> None:
    """Every day of ``metric`` again, from its first sample to its last."""
    rows = MetricDay.objects.filter(metric=metric)
    rows._raw_delete(rows.db)
    samples = MetricSample.objects.filter(metric=metric).order_by("at")
    first = samples.values_list("at", flat=True).first()
    last = samples.order_by("-at").values_list("at", flat=True).first()
    if first is None or last is None:
        return
    zone = zoneinfo.ZoneInfo(metric.time_zone)
    day, end = first.astimezone(zone).date(), last.astimezone(zone).date()
    days = [day + dt.timedelta(days=n) for n in range((end - day).days + 1)]
    _store(metric, aggregate(metric, days))


def _store(metric: Metric, found: list[Row]) -> None:
    connection = connections[router.db_for_write(MetricDay)]
    adapt_day = connection.ops.adapt_datefield_value
    adapt_time = connection.ops.adapt_datetimefield_value
    insert_values(
        MetricDay,
        ["workspace_id", "metric_id", "day", "samples", "total", "last_at", "last_value"],
        [
            (metric.workspace_id, metric.pk, adapt_day(day), count, total, adapt_time(at), value)
            for day, count, total, at, value in found
        ],
    )
