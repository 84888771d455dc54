"""The coverage API: who carried each product-management duty in the last N days, for the
workspace, one product or one team (``coverage?product=&team=&days=``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, InSchema
from lodestar.coverage.access import access_trace_origin
from lodestar.coverage.facts import coverage_summary
from lodestar.coverage.models import CARRIES_MIN_RANGE, DISCOVERY_GAP_MIN_RANGE
from lodestar.coverage.schemas import CoverageOut, ThresholdsOut, TraceOut
from lodestar.coverage.selectors import DEFAULT_DAYS, MAX_DAYS, clean_days, coverage_for
from lodestar.coverage.services import thresholds_of, thresholds_set
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


class ThresholdsPatch(InSchema):
    """The thresholds to change (owners and admins); a field left out stays as it is."""

    carries_min: int | None = Field(
        default=None,
        description=f"A whole number from {CARRIES_MIN_RANGE[0]} to {CARRIES_MIN_RANGE[1]}",
    )
    discovery_gap_min: int | None = Field(
        default=None,
        description=(
            f"A whole number from {DISCOVERY_GAP_MIN_RANGE[0]} to {DISCOVERY_GAP_MIN_RANGE[1]}"
        ),
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
    "/{workspace_slug}/coverage/thresholds",
    response={200: ThresholdsOut, **ERRORS},
    operation_id="coverage_thresholds_get",
)
def get_thresholds(
    request: HttpRequest, response: HttpResponse, workspace_slug: str
) -> ThresholdsOut:
    """The numbers the coverage summary's rules use in this workspace (docs/COVERAGE.md); the
    defaults until an owner or admin sets them. Every member reads them."""
    actor = request_actor(request, workspace_slug)
    found, version = thresholds_of(actor.workspace_id)
    set_etag(response, version)
    return ThresholdsOut(carries_min=found.carries_min, discovery_gap_min=found.discovery_gap_min)


@router.patch(
    "/{workspace_slug}/coverage/thresholds",
    response={200: ThresholdsOut, **WRITE_ERRORS},
    summary="Change the coverage summary's thresholds",
    operation_id="coverage_thresholds_update",
    openapi_extra=IF_MATCH,
)
def update_thresholds(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: ThresholdsPatch
) -> ThresholdsOut:
    """Owners and admins set the numbers the summary's rules use; a value out of its range is
    a 422 naming the field, and nothing changes."""
    actor = request_actor(request, workspace_slug)
    row = thresholds_set(
        actor=actor,
        carries_min=payload.carries_min,
        discovery_gap_min=payload.discovery_gap_min,
        expected_version=if_match(request),
    )
    set_etag(response, row.version)
    return ThresholdsOut(carries_min=row.carries_min, discovery_gap_min=row.discovery_gap_min)


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
