"""A product's releases as a CSV file: the rows its releases page lists, with the forecast."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import csv_response, export_filename
from lodestar.people.web import WorkspaceRequest
from lodestar.strategy.models import Product

HEADER = (
    "Release", "State", "Went live", "Target date", "Forecast (85%)", "Done", "Items", "URL",
)  # fmt: skip


def releases_csv(
    request: WorkspaceRequest, product: Product, rows: list[dict[str, Any]]
) -> StreamingHttpResponse:
    """``rows`` as the releases page builds them (release, progress, the 85% date)."""
    url = request.build_absolute_uri(
        reverse("releases:detail", args=[request.workspace.slug, product.key, 0])
    )[:-1]
    lines = (
        [
            row["release"].name,
            row["release"].get_state_display(),
            row["release"].went_live_at,
            row["release"].target_date,
            row["p85"],
            row["progress"].done,
            row["progress"].total,
            f"{url}{row['release'].pk}",
        ]
        for row in rows
    )
    return csv_response(export_filename(product.key, "releases"), HEADER, lines)
