"""The decision log as a CSV file: the decisions it lists for its status and words."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import csv_response, export_filename
from lodestar.decisions.models import Decision
from lodestar.people.web import WorkspaceRequest
from lodestar.strategy.models import Product

HEADER = (
    "Key", "Decision", "Status", "Decided", "By", "The decision", "Rationale", "Superseded by",
    "URL",
)  # fmt: skip


def decisions_csv(
    request: WorkspaceRequest, product: Product, rows: QuerySet[Decision]
) -> StreamingHttpResponse:
    """Every decision of ``rows`` (the log's selector, newest first), all of them."""
    url = request.build_absolute_uri(
        reverse("decisions:detail", args=[request.workspace.slug, product.key, 0])
    )[:-1]
    lines = (
        [
            decision.key,
            decision.title,
            decision.get_status_display(),
            decision.decided_at,
            [member.user.display_name for member in decision.deciders.all()],
            decision.decision,
            decision.rationale,
            decision.superseded_by.key if decision.superseded_by else "",
            f"{url}{decision.number}",
        ]
        for decision in rows.iterator(chunk_size=500)
    )
    return csv_response(export_filename(product.key, "decisions"), HEADER, lines)
