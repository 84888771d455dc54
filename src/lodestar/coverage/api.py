"""The coverage API: who carried each product-management duty in the last N days, for the
workspace, one product or one team (``coverage?product=&team=&days=``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS
from lodestar.coverage.access import access_trace_origin
from lodestar.coverage.facts import coverage_summary
from lodestar.coverage.schemas import CoverageOut, TraceOut
from lodestar.coverage.selectors import DEFAULT_DAYS, MAX_DAYS, clean_days, coverage_for
from lodestar.coverage.trace import trace_of
from lodestar.people.access import access_team
from lodestar.strategy.access import access_product

router = Router(tags=["coverage"])


class CoverageQuery(Schema):
    product: str | None = Field(
        default=None, max_length=20, description="A product's key (default: the whole workspace)"
    )
    team: str | None = Field(
        default=None,
        max_length=60,
        description="A team's slug: the coverage of the product it works from, with its hats",
    )
    days: str | None = Field(
        default=None,
        max_length=20,
        description=f"The last N days, ending now (default {DEFAULT_DAYS}; 1 to {MAX_DAYS})",
    )


@router.get(
    "/{workspace_slug}/coverage",
    response={200: CoverageOut, **ERRORS},
    operation_id="coverage_get",
)
def get_coverage(
    request: HttpRequest, workspace_slug: str, query: Query[CoverageQuery]
) -> CoverageOut:
    """For each product-management duty, who carried it in the period (with their job title,
    hats and whether they have left), how often and when last, counted from recorded
    activity. A period that is not a whole number from 1 to 1826 days is a 422; an unknown
    product or team is a 404."""
    actor = request_actor(request, workspace_slug)
    days = clean_days(query.days)
    product = access_product(actor, query.product) if query.product else None
    team = access_team(actor, query.team) if query.team else None
    coverage = coverage_for(actor, product=product, team=team, days=days)
    return CoverageOut.of(coverage, coverage_summary(actor, coverage))


@router.get(
    "/{workspace_slug}/trace/{kind}/{path:ref}",
    response={200: TraceOut, **ERRORS},
    operation_id="trace_get",
)
def get_trace(request: HttpRequest, workspace_slug: str, kind: str, ref: str) -> TraceOut:
    """The chain through one object, in both directions: feedback -> insight -> problem ->
    backlog item -> sprint -> release -> success criterion -> outcome review -> follow-up item
    or decision, with the broken links named. ``kind`` is feedback, insight, problem, item,
    sprint, release, outcome or decision; ``ref`` names the object as its page does (ACME-12,
    an id). An object of another workspace, or a kind not on the loop, is a 404."""
    actor = request_actor(request, workspace_slug)
    obj = access_trace_origin(actor, kind, ref)
    return TraceOut.of(trace_of(actor, kind, obj))
