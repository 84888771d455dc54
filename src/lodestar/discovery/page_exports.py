"""The feedback inbox, customers and problems as CSV files: the rows each page lists for the
same filters and sort, every page of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import Cell, batches, csv_response, export_filename
from lodestar.discovery.models import Customer, Feedback, Problem
from lodestar.discovery.selectors import problem_evidence
from lodestar.people.web import WorkspaceRequest

CHUNK = 1000
FEEDBACK_HEADER = (
    "Received", "Summary", "Customer", "Contact", "Source", "State", "Insights", "Tags", "Text",
    "URL",
)  # fmt: skip
CUSTOMER_HEADER = ("Customer", "Segment", "Plan", "ARR", "Feedback", "External id", "URL")
PROBLEM_HEADER = ("Problem", "Status", "Owner", "Customers", "ARR", "Insights", "Latest", "URL")


def _url(request: WorkspaceRequest, name: str) -> str:
    """The address of one object's page without its id, which ends it."""
    return request.build_absolute_uri(reverse(name, args=[request.workspace.slug, 0]))[:-1]


def feedback_csv(request: WorkspaceRequest, rows: QuerySet[Feedback]) -> StreamingHttpResponse:
    """The inbox's feedback for its filters, newest first (as the inbox)."""
    url = _url(request, "discovery:feedback_detail")
    lines = (
        [
            feedback.received_at,
            feedback.summary,
            feedback.customer.name if feedback.customer else "",
            (feedback.contact.name or feedback.contact.email) if feedback.contact else "",
            feedback.get_source_display(),
            feedback.get_state_display(),
            feedback.insight_count,  # type: ignore[attr-defined]
            feedback.tags,
            feedback.text,
            f"{url}{feedback.pk}",
        ]
        for feedback in rows.order_by("-received_at", "-id").iterator(chunk_size=CHUNK)
    )
    return csv_response(export_filename(request.workspace.slug, "feedback"), FEEDBACK_HEADER, lines)


def customers_csv(request: WorkspaceRequest, rows: QuerySet[Customer]) -> StreamingHttpResponse:
    """The customers the page lists for its segment, by name (as the page)."""
    url = _url(request, "discovery:customer_detail")
    lines = (
        [
            customer.name,
            customer.segment,
            customer.plan,
            customer.arr,
            customer.feedback_count,  # type: ignore[attr-defined]
            customer.external_id,
            f"{url}{customer.pk}",
        ]
        for customer in rows.order_by("name", "id").iterator(chunk_size=CHUNK)
    )
    return csv_response(
        export_filename(request.workspace.slug, "customers"), CUSTOMER_HEADER, lines
    )


def problems_csv(
    request: WorkspaceRequest, rows: QuerySet[Problem], order: list[str]
) -> StreamingHttpResponse:
    """The problems the page lists for its status, in its sort, with their evidence (read a
    batch of problems at a time)."""
    url = _url(request, "discovery:problem_detail")
    problems = rows.select_related("owner__user").order_by(*order).iterator(chunk_size=CHUNK)
    return csv_response(
        export_filename(request.workspace.slug, "problems"),
        PROBLEM_HEADER,
        _problem_lines(batches(problems, CHUNK), url),
    )


def _problem_lines(chunks: Iterable[list[Problem]], url: str) -> Iterator[list[Cell]]:
    for chunk in chunks:
        evidence = problem_evidence([problem.pk for problem in chunk])
        for problem in chunk:
            found = evidence[problem.pk]
            yield [
                problem.title,
                problem.get_status_display(),
                problem.owner.user.display_name if problem.owner else "",
                found.customers,
                found.arr,
                found.insights,
                found.latest_at,
                f"{url}{problem.pk}",
            ]
