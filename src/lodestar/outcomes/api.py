"""The outcomes API: a product's metrics, their samples (pushed in batches, imported from a
CSV file, listed by time) and their daily series."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.parser import upload_body
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.pagination import paginate
from lodestar.discovery.refs import problem_ref
from lodestar.outcomes import selectors, services
from lodestar.outcomes.access import access_criterion, access_metric, access_review
from lodestar.outcomes.models import Metric
from lodestar.outcomes.refs import epic_of, release_of
from lodestar.outcomes.schemas import (
    ConclusionIn,
    DailySeriesOut,
    DayOut,
    EvaluateIn,
    MetricIn,
    MetricOut,
    MetricPatch,
    PushOut,
    ReviewOut,
    SampleOut,
    SamplesIn,
    SuccessCriterionIn,
    SuccessCriterionOut,
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


# -- success criteria and outcome reviews ------------------------------------------------------

CRITERIA = "/{workspace_slug}/products/{product_key}/success-criteria"
OUTCOMES = "/{workspace_slug}/products/{product_key}/outcomes"


@router.get(
    CRITERIA, response={200: PageOut[SuccessCriterionOut], **ERRORS}, operation_id="criterion_list"
)
def list_criteria(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    release: str | None = None,
    item: str | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[SuccessCriterionOut]:
    """The product's success criteria, oldest first (of one release or epic when named)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    rows = selectors.criterion_list(product=product)
    if release is not None:
        rows = rows.filter(release=release_of(actor, product, release))
    if item is not None:
        rows = rows.filter(item=epic_of(actor, product, item))
    page = paginate(rows, order=["created_at", "id"], cursor=cursor, limit=limit)
    return PageOut[SuccessCriterionOut](
        items=[SuccessCriterionOut.of(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.post(
    CRITERIA, response={201: SuccessCriterionOut, **WRITE_ERRORS}, operation_id="criterion_create"
)
def create_criterion(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: SuccessCriterionIn
) -> Status[SuccessCriterionOut]:
    """Set a success criterion on a release or an epic of the product. A metric, release or
    epic that is not the product's answers 404."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    release = release_of(actor, product, payload.release) if payload.release is not None else None
    item = epic_of(actor, product, payload.item) if payload.item is not None else None
    criterion = services.criterion_create(
        actor=actor,
        product=product,
        metric=access_metric(actor, product, payload.metric),
        release=release,
        item=item,
        target=payload.target,
        target_kind=payload.target_kind,
        baseline=payload.baseline,
        baseline_window_days=payload.baseline_window_days,
        evaluation_window_days=payload.evaluation_window_days,
    )
    return Status(201, SuccessCriterionOut.of(criterion))


@router.get(
    CRITERIA + "/{criterion_id}",
    response={200: SuccessCriterionOut, **ERRORS},
    operation_id="criterion_get",
)
def get_criterion(
    request: HttpRequest, workspace_slug: str, product_key: str, criterion_id: str
) -> SuccessCriterionOut:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    return SuccessCriterionOut.of(access_criterion(actor, product, criterion_id))


@router.delete(
    CRITERIA + "/{criterion_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="criterion_delete",
)
def delete_criterion(
    request: HttpRequest, workspace_slug: str, product_key: str, criterion_id: str
) -> Status[None]:
    """Remove a criterion (refused once its outcome was reviewed: the review is the record)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    services.criterion_delete(actor=actor, criterion=access_criterion(actor, product, criterion_id))
    return Status(204, None)


@router.get(OUTCOMES, response={200: PageOut[ReviewOut], **ERRORS}, operation_id="outcome_list")
def list_outcomes(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    verdict: Literal["pending", "met", "missed", "inconclusive"] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ReviewOut]:
    """The product's outcome reviews, the latest evaluation window first; ``since`` and
    ``until`` keep those whose window ended between them."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    rows = selectors.review_list(
        actor=actor, product=product, since=since, until=until, verdict=verdict
    ).prefetch_related("follow_ups")
    page = paginate(rows, order=["-observed_until", "-id"], cursor=cursor, limit=limit)
    return PageOut[ReviewOut](
        items=[ReviewOut.of(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.post(
    OUTCOMES + "/evaluate",
    response={200: list[ReviewOut], **WRITE_ERRORS},
    operation_id="outcome_evaluate",
)
def evaluate_outcomes(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: EvaluateIn
) -> list[ReviewOut]:
    """Evaluate now the product's criteria whose release or epic went live (or only those of
    ``release``, ``item`` or ``criterion``): a closed window gets its verdict, an open one the
    figures so far (``pending``)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    reviews = services.outcomes_evaluate(
        actor=actor,
        product=product,
        release=release_of(actor, product, payload.release)
        if payload.release is not None
        else None,
        item=epic_of(actor, product, payload.item) if payload.item is not None else None,
        criterion=access_criterion(actor, product, payload.criterion)
        if payload.criterion is not None
        else None,
    )
    return [ReviewOut.of(review) for review in reviews]


@router.get(
    OUTCOMES + "/{review_id}", response={200: ReviewOut, **ERRORS}, operation_id="outcome_get"
)
def get_outcome(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    review_id: str,
) -> ReviewOut:
    """One outcome review with the days its chart draws."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    review = access_review(actor, product, review_id)
    set_etag(response, review.version)
    return ReviewOut.of(review, days=selectors.review_series(review))


@router.post(
    OUTCOMES + "/{review_id}/conclusion",
    response={200: ReviewOut, **WRITE_ERRORS},
    operation_id="outcome_conclude",
    openapi_extra=IF_MATCH,
)
def conclude_outcome(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    review_id: str,
    payload: ConclusionIn,
) -> ReviewOut:
    """In one step: learnings, follow-up backlog items (linked to ``problem`` when named) and
    the problem's new status. All or nothing."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    review = access_review(actor, product, review_id)
    problem = problem_ref(actor, payload.problem) if payload.problem is not None else None
    review = services.review_conclude(
        actor=actor,
        review=review,
        learnings=payload.learnings,
        follow_ups=payload.follow_ups,
        problem=problem,
        problem_status=payload.problem_status,
        expected_version=if_match(request),
    )
    set_etag(response, review.version)
    return ReviewOut.of(review)
