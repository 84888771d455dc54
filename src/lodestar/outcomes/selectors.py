"""Every read of the outcomes context: a product's metrics, a metric's samples, and its daily
series (the samples aggregated per day in the metric's time zone, in SQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from lodestar.core.errors import Invalid
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.evaluation import Evaluation, evaluate
from lodestar.outcomes.models import Aggregation, Metric, MetricDay, MetricSample
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
        if value is not None and value.tzinfo is not None:
            try:
                value.astimezone(dt.UTC)
            except OverflowError:
                raise Invalid.field(
                    name, "is out of range", code=Code.SAMPLES_RANGE_INVALID
                ) from None
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


def _bounds(metric: Metric) -> tuple[dt.date, dt.date] | None:
    days = MetricDay.objects.filter(metric=metric).values_list("day", flat=True)
    first = days.order_by("day").first()
    last = days.order_by("-day").first()
    if first is None or last is None:
        return None
    return first, last


def daily_series(
    *, metric: Metric, since: dt.date | None = None, until: dt.date | None = None
) -> list[DailyValue]:
    """The metric's days from ``since`` to ``until`` (both included, in its zone; default:
    its first and last samples, at most ``MAX_SERIES_DAYS`` ending with the last), each
    aggregated by the metric's aggregation. Days without samples are left out. Read from the
    days kept with the samples (``rollup``): one row a day, however many samples."""
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
    rows = (
        MetricDay.objects.filter(metric=metric, day__gte=since, day__lte=until)
        .order_by("day")
        .values_list("day", "samples", "total", "last_value")
    )
    aggregation = Aggregation(metric.aggregation)
    return [
        DailyValue(
            day,
            total / count
            if aggregation == Aggregation.MEAN
            else total
            if aggregation == Aggregation.SUM
            else last,
            count,
        )
        for day, count, total, last in rows
    ]


def window_values(*, metric: Metric, since: dt.date, until: dt.date) -> list[float]:
    """The daily values of ``[since, until]`` (days with samples), as evaluation takes them."""
    return [day.value for day in daily_series(metric=metric, since=since, until=until)]


def outcome_evaluation(
    *,
    metric: Metric,
    baseline: tuple[dt.date, dt.date],
    observed: tuple[dt.date, dt.date],
    target: float,
    target_kind: str,
    given_baseline: float | None = None,
) -> Evaluation:
    """Whether ``metric`` met ``target`` over the ``observed`` days (first, last; in its
    zone) against the ``baseline`` days or the ``given_baseline``: the daily values of both
    windows in one read, then ``evaluation.evaluate`` in the metric's direction."""
    for name, (first, last) in (("baseline", baseline), ("observed", observed)):
        if first > last:
            raise Invalid.field(name, "must start before it ends", code=Code.SAMPLES_RANGE_INVALID)
    days = daily_series(
        metric=metric,
        since=min(baseline[0], observed[0]),
        until=max(baseline[1], observed[1]),
    )
    return evaluate(
        baseline=[d.value for d in days if baseline[0] <= d.day <= baseline[1]],
        observed=[d.value for d in days if observed[0] <= d.day <= observed[1]],
        direction=metric.direction,
        target=target,
        target_kind=target_kind,
        given_baseline=given_baseline,
    )
