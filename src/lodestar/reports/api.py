"""The reports API: a product's stakeholder report for a period
(``products/{product_key}/reports``), the same one the page and the CLI render."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS
from lodestar.reports.periods import DEFAULT_DAYS, MAX_DAYS, period_of
from lodestar.reports.schemas import ReportOut
from lodestar.reports.selectors import stakeholder_report
from lodestar.strategy.access import access_product

router = Router(tags=["reports"])

REPORTS = "/{workspace_slug}/products/{product_key}/reports"


class ReportPeriodQuery(Schema):
    since: str | None = Field(
        default=None,
        max_length=40,
        description=f"The first day, like 2026-10-01 (default: the last {DEFAULT_DAYS} days)",
    )
    until: str | None = Field(
        default=None,
        max_length=40,
        description=f"The last day, included (default: today); at most {MAX_DAYS} days after since",
    )


@router.get(REPORTS, response={200: ReportOut, **ERRORS}, operation_id="report_get")
def get_report(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    period: Query[ReportPeriodQuery],
) -> ReportOut:
    """The product's stakeholder update for a period: Product Goal progress, the sprints that
    ended and their goals, releases live and planned with their forecasts, the decisions
    taken and the open problems with the most evidence. A bad date, ``since`` after
    ``until`` or a period over the limit is a 422 naming the field."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    found = period_of(period.since, period.until, today=timezone.localdate())
    return ReportOut.of(stakeholder_report(actor, product, found.since, found.until))
