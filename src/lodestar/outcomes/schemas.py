"""The outcomes API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.outcomes.models import Metric, MetricSample, OutcomeReview, SuccessCriterion
from lodestar.outcomes.samples import MAX_BATCH
from lodestar.outcomes.selectors import DailyValue
from lodestar.outcomes.services import PushResult, criterion_label

DirectionIn = Literal["higher", "lower"]
AggregationIn = Literal["mean", "sum", "last"]


class MetricIn(InSchema):
    key: str = Field(max_length=40, description="2-40 characters: a-z, 0-9, - and _")
    name: str = Field(max_length=200)
    direction: DirectionIn = Field(description="Which way is better")
    unit: str = Field(default="", max_length=40)
    aggregation: AggregationIn = Field(default="mean", description="How a day's samples combine")
    description: str = Field(default="", max_length=20_000, description="Markdown")
    time_zone: str = Field(
        default="UTC", max_length=64, description="The zone its days are counted in"
    )


class MetricPatch(InSchema):
    name: str | None = Field(default=None, max_length=200)
    direction: DirectionIn | None = None
    unit: str | None = Field(default=None, max_length=40)
    aggregation: AggregationIn | None = None
    description: str | None = Field(default=None, max_length=20_000)
    time_zone: str | None = Field(default=None, max_length=64)


class MetricOut(Schema):
    product: str
    key: str
    name: str
    unit: str
    direction: str
    aggregation: str
    description: str
    description_html: str
    time_zone: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(metric: Metric) -> MetricOut:
        return MetricOut(
            product=metric.product.key,
            key=metric.key,
            name=metric.name,
            unit=metric.unit,
            direction=metric.direction,
            aggregation=metric.aggregation,
            description=metric.description,
            description_html=metric.description_html,
            time_zone=metric.time_zone,
            version=metric.version,
            created_at=metric.created_at,
            updated_at=metric.updated_at,
        )


class SamplesIn(InSchema):
    samples: list[dict[str, Any]] = Field(
        description=(
            f'Up to {MAX_BATCH:,} samples, each {{"at": "2026-03-02T09:00:00Z", "value": 1.5}}: '
            "a time with its zone (ISO 8601) and a finite number, each time once. A time "
            "already stored is replaced."
        )
    )


class PushOut(Schema):
    received: int
    created: int = Field(description="Samples at new times")
    replaced: int = Field(description="Samples whose time was stored before: value replaced")

    @staticmethod
    def of(result: PushResult) -> PushOut:
        return PushOut(received=result.received, created=result.created, replaced=result.replaced)


class SampleOut(Schema):
    at: dt.datetime
    value: float

    @staticmethod
    def of(sample: MetricSample) -> SampleOut:
        return SampleOut(at=sample.at, value=sample.value)


class DayOut(Schema):
    day: dt.date
    value: float
    samples: int

    @staticmethod
    def of(day: DailyValue) -> DayOut:
        return DayOut(day=day.day, value=day.value, samples=day.samples)


class DailySeriesOut(Schema):
    metric: str
    time_zone: str
    aggregation: str
    days: list[DayOut] = Field(description="Days with samples, oldest first")


class SuccessCriterionIn(InSchema):
    release: int | str | None = Field(
        default=None, description="The release it is for: its id or name (or give item)"
    )
    item: str | None = Field(
        default=None, max_length=40, description="The epic it is for: its key (or give release)"
    )
    metric: str = Field(max_length=40, description="The key of a metric of the product")
    target: float = Field(
        description="absolute: the level to reach; relative: the change in percent of the "
        "baseline (5 is 5% above it, -10 10% below)"
    )
    target_kind: Literal["absolute", "relative"]
    baseline: float | None = Field(
        default=None,
        description="Given; else the mean of the days of baseline_window_days before going live",
    )
    baseline_window_days: int = Field(default=28, description="7 to 365")
    evaluation_window_days: int = Field(default=28, description="7 to 365")


class ReviewSummaryOut(Schema):
    id: int
    verdict: str = Field(description="met, missed, inconclusive; pending while its window is open")
    final: bool = Field(description="Written after the evaluation window closed")
    observed_until: dt.date
    evaluated_at: dt.datetime


class SuccessCriterionOut(Schema):
    id: int
    product: str
    metric: str
    release: int | None
    release_name: str | None
    item: str | None
    label: str
    target: float
    target_kind: str
    baseline: float | None
    baseline_window_days: int
    evaluation_window_days: int
    created_at: dt.datetime
    review: ReviewSummaryOut | None

    @staticmethod
    def of(criterion: SuccessCriterion) -> SuccessCriterionOut:
        review: OutcomeReview | None = getattr(criterion, "review", None)
        return SuccessCriterionOut(
            id=criterion.pk,
            product=criterion.product.key,
            metric=criterion.metric.key,
            release=criterion.release_id,
            release_name=criterion.release.name if criterion.release else None,
            item=criterion.item.key if criterion.item else None,
            label=criterion_label(criterion),
            target=criterion.target,
            target_kind=criterion.target_kind,
            baseline=criterion.baseline,
            baseline_window_days=criterion.baseline_window_days,
            evaluation_window_days=criterion.evaluation_window_days,
            created_at=criterion.created_at,
            review=ReviewSummaryOut(
                id=review.pk,
                verdict=review.verdict,
                final=review.final,
                observed_until=review.observed_until,
                evaluated_at=review.evaluated_at,
            )
            if review is not None
            else None,
        )


class ReviewOut(Schema):
    id: int
    product: str
    criterion: SuccessCriterionOut
    verdict: str = Field(description="met, missed, inconclusive; pending while its window is open")
    final: bool
    reason: str = Field(description="The verdict in words, naming the test and its figures")
    test: dict[str, Any] = Field(description="The test's name and figures (empty without one)")
    started_on: dt.date = Field(description="The day it went live, in the metric's zone")
    baseline_from: dt.date | None
    baseline_until: dt.date | None
    observed_from: dt.date
    observed_until: dt.date
    baseline_value: float | None
    baseline_given: bool
    observed_value: float | None
    target_level: float | None
    baseline_days: int
    observed_days: int
    evaluated_at: dt.datetime
    evaluations: int
    learnings: str
    learnings_html: str
    follow_ups: list[str] = Field(description="Keys of the follow-up items made from it")
    version: int
    days: list[DayOut] | None = Field(
        default=None, description="The chart's days (baseline window to the end), on one review"
    )

    @staticmethod
    def of(review: OutcomeReview, *, days: list[DailyValue] | None = None) -> ReviewOut:
        return ReviewOut(
            id=review.pk,
            product=review.product.key,
            criterion=SuccessCriterionOut.of(review.criterion),
            verdict=review.verdict,
            final=review.final,
            reason=review.reason,
            test=review.test or {},
            started_on=review.started_on,
            baseline_from=review.baseline_from,
            baseline_until=review.baseline_until,
            observed_from=review.observed_from,
            observed_until=review.observed_until,
            baseline_value=review.baseline_value,
            baseline_given=review.baseline_given,
            observed_value=review.observed_value,
            target_level=review.target_level,
            baseline_days=review.baseline_days,
            observed_days=review.observed_days,
            evaluated_at=review.evaluated_at,
            evaluations=review.evaluations,
            learnings=review.learnings,
            learnings_html=review.learnings_html,
            follow_ups=[item.key for item in review.follow_ups.all()],
            version=review.version,
            days=[DayOut.of(day) for day in days] if days is not None else None,
        )


class EvaluateIn(InSchema):
    release: int | str | None = Field(default=None, description="Only this release's criteria")
    item: str | None = Field(default=None, max_length=40, description="Only this epic's criteria")
    criterion: int | None = Field(default=None, description="Only this criterion")


class ConclusionIn(InSchema):
    learnings: str | None = Field(default=None, max_length=20_000, description="Markdown")
    follow_ups: list[str] = Field(
        default_factory=list, description="Titles of follow-up backlog items to make (up to 10)"
    )
    problem: int | None = Field(
        default=None, description="The problem follow-ups link to (one the criterion's items solve)"
    )
    problem_status: Literal["new", "validated", "solving", "solved", "wont_solve"] | None = None
