"""The outcomes API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.outcomes.models import Metric, MetricSample
from lodestar.outcomes.samples import MAX_BATCH
from lodestar.outcomes.selectors import DailyValue
from lodestar.outcomes.services import PushResult

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
