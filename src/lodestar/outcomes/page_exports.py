"""A product's metrics and its outcome reviews as CSV files: the rows each page lists."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import csv_response, export_filename
from lodestar.outcomes.models import Metric, OutcomeReview
from lodestar.outcomes.services import criterion_label
from lodestar.people.web import WorkspaceRequest
from lodestar.strategy.models import Product

METRIC_HEADER = ("Metric", "Key", "Unit", "Better", "Each day", "Zone", "URL")
REVIEW_HEADER = (
    "Criterion", "Of", "Verdict", "Baseline", "Observed", "Target", "Window closes",
    "Learnings", "URL",
)  # fmt: skip


def metrics_csv(
    request: WorkspaceRequest, product: Product, rows: QuerySet[Metric]
) -> StreamingHttpResponse:
    """The product's metrics, as its metrics page lists them."""
    url = request.build_absolute_uri(
        reverse("outcomes:metric", args=[request.workspace.slug, product.key, "__key__"])
    )
    lines = (
        [
            metric.name,
            metric.key,
            metric.unit,
            metric.direction,
            metric.aggregation,
            metric.time_zone,
            url.replace("__key__", metric.key),
        ]
        for metric in rows.iterator(chunk_size=500)
    )
    return csv_response(export_filename(product.key, "metrics"), METRIC_HEADER, lines)


def _of(review: OutcomeReview) -> str:
    """What the criterion is of: a release by name, an epic by key."""
    criterion = review.criterion
    if criterion.release is not None:
        return criterion.release.name
    return criterion.item.key if criterion.item is not None else ""


def reviews_csv(
    request: WorkspaceRequest, product: Product, rows: QuerySet[OutcomeReview]
) -> StreamingHttpResponse:
    """Every outcome review of ``rows`` (the page's selector, its verdict), the latest window
    first; the figures as numbers."""
    url = request.build_absolute_uri(
        reverse("outcomes:review", args=[request.workspace.slug, product.key, 0])
    )[:-1]
    lines = (
        [
            criterion_label(review.criterion),
            _of(review),
            review.get_verdict_display(),
            review.baseline_value,
            review.observed_value,
            review.target_level,
            review.observed_until,
            review.learnings,
            f"{url}{review.pk}",
        ]
        for review in rows.iterator(chunk_size=500)
    )
    return csv_response(export_filename(product.key, "outcomes"), REVIEW_HEADER, lines)
