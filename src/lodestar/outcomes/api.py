"""The outcomes API: a product's metrics, their samples (pushed in batches, imported from a
CSV file, listed by time) and their daily series."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.parser import upload_body
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.pagination import paginate
from lodestar.outcomes import selectors, services
from lodestar.outcomes.access import access_metric
from lodestar.outcomes.models import Metric
from lodestar.outcomes.schemas import (
    DailySeriesOut,
    DayOut,
    MetricIn,
    MetricOut,
    MetricPatch,
    PushOut,
    SampleOut,
    SamplesIn,
)
from lodestar.people.policy import Actor
from lodestar.strategy.access import access_product

router = Router(tags=["outcomes"])

METRICS = "/{workspace_slug}/products/{product_key}/metrics"
METRIC = METRICS + "/{metric_key}"


def _metric(actor: Actor, product_key: str, metric_key: str) -> Metric:
    return access_metric(actor, access_product(actor, product_key), metric_key)


@router.get(METRICS, response={200: PageOut[MetricOut], **ERRORS}, operation_id="metric_list")
def list_metrics(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[MetricOut]:
    """The product's metrics, by key."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    page = paginate(
        selectors.metric_list(actor=actor, product=product),
        order=["key", "id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[MetricOut](
        items=[MetricOut.of(m) for m in page.items], next_cursor=page.next_cursor
    )


@router.post(METRICS, response={201: MetricOut, **WRITE_ERRORS}, operation_id="metric_create")
def create_metric(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: MetricIn,
) -> Status[MetricOut]:
    """Define a metric of the product."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    metric = services.metric_create(actor=actor, product=product, **payload.model_dump())
    set_etag(response, metric.version)
    return Status(201, MetricOut.of(metric))


@router.get(METRIC, response={200: MetricOut, **ERRORS}, operation_id="metric_get")
def get_metric(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    metric_key: str,
) -> MetricOut:
    """The metric."""
    actor = request_actor(request, workspace_slug)
    metric = _metric(actor, product_key, metric_key)
    set_etag(response, metric.version)
    return MetricOut.of(metric)


@router.patch(
    METRIC,
    response={200: MetricOut, **WRITE_ERRORS},
    operation_id="metric_update",
    openapi_extra=IF_MATCH,
)
def update_metric(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    metric_key: str,
    payload: MetricPatch,
) -> MetricOut:
    """Change the metric (its key stays)."""
    actor = request_actor(request, workspace_slug)
    given = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    metric = services.metric_update(
        actor=actor,
        metric=_metric(actor, product_key, metric_key),
        expected_version=if_match(request),
        **given,
    )
    set_etag(response, metric.version)
    return MetricOut.of(metric)


@router.delete(
    METRIC,
    response={204: None, **WRITE_ERRORS},
    operation_id="metric_delete",
    openapi_extra=IF_MATCH,
)
def delete_metric(
    request: HttpRequest, workspace_slug: str, product_key: str, metric_key: str
) -> Status[None]:
    """Move the metric to the trash (its samples are kept, restorable with it)."""
    actor = request_actor(request, workspace_slug)
    services.metric_delete(
        actor=actor,
        metric=_metric(actor, product_key, metric_key),
        expected_version=if_match(request),
    )
    return Status(204, None)


@router.post(
    METRIC + "/samples", response={200: PushOut, **WRITE_ERRORS}, operation_id="metric_samples_push"
)
def push_samples(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    metric_key: str,
    payload: SamplesIn,
) -> PushOut:
    """Store a batch of samples: all of them, or none and a 422 naming each bad row
    (``samples[3].value``). A time already stored has its value replaced."""
    actor = request_actor(request, workspace_slug)
    metric = _metric(actor, product_key, metric_key)
    return PushOut.of(services.samples_push(actor=actor, metric=metric, samples=payload.samples))


@router.post(
    METRIC + "/samples/import",
    response={200: PushOut, **WRITE_ERRORS},
    operation_id="metric_samples_import",
    openapi_extra={"requestBody": upload_body()},
)
def import_samples(
    request: HttpRequest, workspace_slug: str, product_key: str, metric_key: str
) -> PushOut:
    """Store the samples of a CSV file (a header line naming ``at`` and ``value``): all of
    them, or none and a 422 naming each bad line (``line 4.at``)."""
    actor = request_actor(request, workspace_slug)
    metric = _metric(actor, product_key, metric_key)
    return PushOut.of(services.samples_import(actor=actor, metric=metric, data=request.body))


@router.get(
    METRIC + "/samples",
    response={200: PageOut[SampleOut], **ERRORS},
    operation_id="metric_samples_list",
)
def list_samples(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    metric_key: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[SampleOut]:
    """The metric's samples from ``since`` (included) to ``until`` (excluded), oldest first."""
    actor = request_actor(request, workspace_slug)
    metric = _metric(actor, product_key, metric_key)
    page = paginate(
        selectors.sample_list(metric=metric, since=since, until=until),
        order=["at", "id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[SampleOut](
        items=[SampleOut.of(s) for s in page.items], next_cursor=page.next_cursor
    )


@router.get(
    METRIC + "/daily",
    response={200: DailySeriesOut, **ERRORS},
    operation_id="metric_daily_series",
)
def daily_series(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    metric_key: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> DailySeriesOut:
    """The metric's daily values (days in its time zone, aggregated by its aggregation) from
    ``since`` to ``until``, both included; by default its whole history (ten years at most)."""
    actor = request_actor(request, workspace_slug)
    metric = _metric(actor, product_key, metric_key)
    days = selectors.daily_series(metric=metric, since=since, until=until)
    return DailySeriesOut(
        metric=metric.key,
        time_zone=metric.time_zone,
        aggregation=metric.aggregation,
        days=[DayOut.of(day) for day in days],
    )
