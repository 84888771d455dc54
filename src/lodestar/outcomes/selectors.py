"""Every read of the outcomes context: a product's metrics, a metric's samples, and its daily
series (the samples aggregated per day in the metric's time zone, in SQL)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.core.errors import Invalid
from lodestar.discovery.models import Problem
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.evaluation import Evaluation, evaluate
from lodestar.outcomes.models import (
    Aggregation,
    Metric,
    MetricDay,
    MetricSample,
    OutcomeReview,
    SuccessCriterion,
)
from lodestar.people.policy import Actor
from lodestar.releases.models import ReleaseItem, ReleaseState
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


# -- success criteria and outcome reviews ------------------------------------------------------


@dataclass(frozen=True)
class Windows:
    """A criterion's days (in its metric's zone): the day it went live, the baseline window
    before it, the evaluation window after it, and whether that window has closed."""

    started_on: dt.date
    baseline_from: dt.date
    baseline_until: dt.date
    observed_from: dt.date
    observed_until: dt.date
    closed: bool


def criterion_list(*, product: Product) -> QuerySet[SuccessCriterion]:
    """The product's success criteria, oldest first, with what they measure."""
    return SuccessCriterion.objects.filter(product=product).select_related(
        "metric__product", "release", "item", "product", "review"
    )


def release_criteria(*, release_id: int) -> QuerySet[SuccessCriterion]:
    return SuccessCriterion.objects.filter(release_id=release_id).select_related(
        "metric__product", "release", "item", "product", "review"
    )


def item_criteria(*, item_id: int) -> QuerySet[SuccessCriterion]:
    return SuccessCriterion.objects.filter(item_id=item_id).select_related(
        "metric__product", "release", "item", "product", "review"
    )


def _local_day(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def criterion_started_at(criterion: SuccessCriterion) -> dt.datetime | None:
    """When what the criterion measures went live: its release's go-live, or the last time
    its epic was marked done (while it is done). None: not yet."""
    if criterion.release_id is not None:
        release = criterion.release
        if release is None or release.state != ReleaseState.LIVE:
            return None
        return release.went_live_at
    item = criterion.item
    if item is None or item.status != ItemStatus.DONE or item.deleted_at is not None:
        return None
    at: dt.datetime | None = (
        ItemStatusChange.objects.filter(item_id=item.pk, to_status=ItemStatus.DONE)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return at or item.updated_at


def criterion_windows(criterion: SuccessCriterion, *, now: dt.datetime) -> Windows | None:
    """The criterion's windows: the baseline is the ``baseline_window_days`` before the day it
    went live; the evaluation window the ``evaluation_window_days`` after it (the day itself
    is half one, half the other, and counts in neither). Closed once its last day is over in
    the metric's zone. None before going live."""
    started = criterion_started_at(criterion)
    if started is None:
        return None
    zone = criterion.metric.time_zone
    day = _local_day(started, zone)
    one = dt.timedelta(days=1)
    observed_until = day + dt.timedelta(days=criterion.evaluation_window_days)
    return Windows(
        started_on=day,
        baseline_from=day - dt.timedelta(days=criterion.baseline_window_days),
        baseline_until=day - one,
        observed_from=day + one,
        observed_until=observed_until,
        closed=_local_day(now, zone) > observed_until,
    )


def criteria_due(*, now: dt.datetime) -> list[SuccessCriterion]:
    """Criteria (every workspace) whose window has closed and whose review is missing, pending,
    or older than their metric's last samples: the periodic task's work. Live releases and
    done epics only; the window itself is checked per criterion (it depends on the zone)."""
    live = Q(release__state=ReleaseState.LIVE) | Q(item__status=ItemStatus.DONE)
    stale = (
        Q(review__isnull=True)
        | Q(review__final=False)
        | Q(review__evaluated_at__lt=F("metric__samples_changed_at"))
    )
    rows = (
        SuccessCriterion.objects.filter(live & stale, metric__deleted_at__isnull=True)
        .select_related("metric__product", "release", "item", "product", "review")
        .order_by("id")
    )
    return [
        criterion
        for criterion in rows
        if (windows := criterion_windows(criterion, now=now)) is not None and windows.closed
    ]


def criterion_item_ids(criterion: SuccessCriterion) -> list[int]:
    """The backlog items a criterion measures: its release's items (not dropped), or its epic
    and the items under it."""
    if criterion.release_id is not None:
        return list(
            ReleaseItem.objects.filter(
                release_id=criterion.release_id, dropped_at__isnull=True
            ).values_list("item_id", flat=True)
        )
    found: list[int] = [criterion.item_id] if criterion.item_id is not None else []
    level = list(found)
    # An epic's tree is a few levels deep (epic, feature, story, task): a query a level.
    while level and len(found) < 100_000:
        level = list(BacklogItem.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        found += level
    return found


def review_list(
    *,
    actor: Actor,
    product: Product,
    since: dt.date | None = None,
    until: dt.date | None = None,
    verdict: str | None = None,
) -> QuerySet[OutcomeReview]:
    """The product's outcome reviews, the latest window first; with ``since`` and ``until``,
    those whose evaluation window ended in ``[since, until]``."""
    rows = OutcomeReview.objects.filter(workspace_id=actor.workspace_id, product=product)
    if since is not None:
        rows = rows.filter(observed_until__gte=since)
    if until is not None:
        rows = rows.filter(observed_until__lte=until)
    if verdict is not None:
        rows = rows.filter(verdict=verdict)
    return rows.select_related(
        "criterion__metric__product", "criterion__release", "criterion__item", "learnings_by"
    ).order_by("-observed_until", "-id")


def review_series(review: OutcomeReview) -> list[DailyValue]:
    """The days a review's chart draws: its baseline window (when computed) to the end of its
    evaluation window."""
    first = review.baseline_from or review.observed_from - dt.timedelta(days=7)
    return daily_series(metric=review.criterion.metric, since=first, until=review.observed_until)


def problems_of_criterion(criterion: SuccessCriterion) -> QuerySet[Problem]:
    """The live problems the criterion's items solve (those a conclusion may change)."""
    return (
        Problem.objects.filter(
            workspace_id=criterion.workspace_id,
            item_links__item_id__in=criterion_item_ids(criterion),
        )
        .distinct()
        .order_by("id")
    )
