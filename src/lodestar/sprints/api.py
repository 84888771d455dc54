"""The sprints API: a team's sprints, a sprint's items, capacity, start and close, its
snapshots and burndown, and a team's flow metrics."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.backlog.access import access_anchor
from lodestar.backlog.refs import item_refs
from lodestar.core.errors import NotFound
from lodestar.core.pagination import paginate
from lodestar.people.access import access_team
from lodestar.people.refs import member_ref
from lodestar.sprints import selectors, services
from lodestar.sprints.access import access_sprint
from lodestar.sprints.errors import SprintErrorCode
from lodestar.sprints.forecasts import sprint_chance
from lodestar.sprints.models import Sprint
from lodestar.sprints.refs import sprint_ref_or_none
from lodestar.sprints.schemas import (
    SprintBurndownDayOut,
    SprintBurndownOut,
    SprintCapacityIn,
    SprintCapacityOut,
    SprintChanceOut,
    SprintCloseIn,
    SprintDetailOut,
    SprintGoalChangeOut,
    SprintIn,
    SprintItemOut,
    SprintItemsIn,
    SprintOut,
    SprintPatch,
    SprintPlanningOut,
    SprintSnapshotOut,
    SprintStartIn,
    State,
    TeamFlowOut,
)
from lodestar.strategy.refs import goal_ref

router = Router(tags=["sprints"])

WS = "/{workspace_slug}"
SPRINT = WS + "/sprints/{sprint_id}"


def _detail(sprint: Sprint) -> SprintDetailOut:
    base = SprintOut.of(sprint).model_dump()
    return SprintDetailOut(
        **base,
        planning=SprintPlanningOut.of(selectors.sprint_planning(sprint=sprint)),
        capacity=[SprintCapacityOut.of(row) for row in selectors.sprint_capacity(sprint=sprint)],
        goal_changes=[
            SprintGoalChangeOut(
                before=change.before,
                after=change.after,
                reason=change.reason,
                changed_by=change.changed_by.email if change.changed_by else None,
                changed_at=change.changed_at,
            )
            for change in selectors.sprint_goal_changes(sprint=sprint)
        ],
        chance_of_finishing=SprintChanceOut(**vars(chance))
        if (chance := sprint_chance(sprint))
        else None,
    )


@router.get(
    WS + "/teams/{team_slug}/sprints",
    response={200: PageOut[SprintOut], **ERRORS},
    operation_id="sprint_list",
)
def list_sprints(
    request: HttpRequest,
    workspace_slug: str,
    team_slug: str,
    state: State | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[SprintOut]:
    """The team's sprints, the latest start first."""
    actor = request_actor(request, workspace_slug)
    team = access_team(actor, team_slug)
    page = paginate(
        selectors.sprint_list(actor=actor, team=team, state=state),
        order=["-start_date", "-id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[SprintOut](
        items=[SprintOut.of(s) for s in page.items], next_cursor=page.next_cursor
    )


@router.post(
    WS + "/teams/{team_slug}/sprints",
    response={201: SprintOut, **WRITE_ERRORS},
    operation_id="sprint_create",
)
def create_sprint(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    team_slug: str,
    payload: SprintIn,
) -> Status[SprintOut]:
    """Plan a sprint of the team, working from the backlog of the team's product."""
    actor = request_actor(request, workspace_slug)
    team = access_team(actor, team_slug)
    sprint = services.sprint_create(actor=actor, team=team, **payload.model_dump())
    set_etag(response, sprint.version)
    return Status(201, SprintOut.of(sprint))


@router.get(SPRINT, response={200: SprintDetailOut, **ERRORS}, operation_id="sprint_get")
def get_sprint(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, sprint_id: Id
) -> SprintDetailOut:
    """The sprint, with its planning (commitment against capacity and velocity, warnings),
    capacity and the goal's changes after the start."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    set_etag(response, sprint.version)
    return _detail(sprint)


@router.patch(
    SPRINT,
    response={200: SprintOut, **WRITE_ERRORS},
    operation_id="sprint_update",
    openapi_extra=IF_MATCH,
)
def update_sprint(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    sprint_id: Id,
    payload: SprintPatch,
) -> SprintOut:
    """Change the sprint; its goal, once started, only with ``goal_reason``."""
    actor = request_actor(request, workspace_slug)
    given = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    sprint = services.sprint_update(
        actor=actor,
        sprint=access_sprint(actor, sprint_id),
        expected_version=if_match(request),
        **given,
    )
    set_etag(response, sprint.version)
    return SprintOut.of(sprint)


@router.delete(
    SPRINT,
    response={204: None, **WRITE_ERRORS},
    operation_id="sprint_delete",
    openapi_extra=IF_MATCH,
)
def delete_sprint(request: HttpRequest, workspace_slug: str, sprint_id: Id) -> Status[None]:
    """Delete a planned sprint (a sprint that ran stays)."""
    actor = request_actor(request, workspace_slug)
    services.sprint_delete(
        actor=actor, sprint=access_sprint(actor, sprint_id), expected_version=if_match(request)
    )
    return Status(204, None)


@router.get(
    SPRINT + "/items",
    response={200: PageOut[SprintItemOut], **ERRORS},
    operation_id="sprint_item_list",
)
def list_sprint_items(
    request: HttpRequest,
    workspace_slug: str,
    sprint_id: Id,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[SprintItemOut]:
    """The sprint's items in backlog order."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    page = paginate(
        selectors.sprint_items(actor=actor, sprint=sprint),
        order=["item__rank", "id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[SprintItemOut](
        items=[SprintItemOut.of(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.post(
    SPRINT + "/items",
    response={200: SprintOut, **WRITE_ERRORS},
    operation_id="sprint_items_add",
)
def add_sprint_items(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    sprint_id: Id,
    payload: SprintItemsIn,
) -> SprintOut:
    """Commit items of the team's product backlog to the sprint."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    items = item_refs(actor, payload.items)
    sprint = services.sprint_items_add(actor=actor, sprint=sprint, items=items)
    set_etag(response, sprint.version)
    return SprintOut.of(sprint)


@router.delete(
    SPRINT + "/items/{item_key}",
    response={204: None, **WRITE_ERRORS},
    operation_id="sprint_item_remove",
)
def remove_sprint_item(
    request: HttpRequest, workspace_slug: str, sprint_id: Id, item_key: str
) -> Status[None]:
    """Take an item out of the sprint (it stays in the backlog). An item that is not in the
    sprint is not found here (404)."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    item = access_anchor(actor, item_key)
    if not selectors.sprint_has_item(sprint=sprint, item=item):
        raise NotFound(
            f"{item.key} is not in {sprint.name}.", code=SprintErrorCode.SPRINT_ITEM_NOT_IN_SPRINT
        )
    services.sprint_items_remove(actor=actor, sprint=sprint, items=[item])
    return Status(204, None)


@router.put(
    SPRINT + "/capacity",
    response={200: list[SprintCapacityOut], **WRITE_ERRORS},
    operation_id="sprint_capacity_set",
)
def set_sprint_capacity(
    request: HttpRequest, workspace_slug: str, sprint_id: Id, payload: SprintCapacityIn
) -> list[SprintCapacityOut]:
    """Replace the sprint's capacity: days available and/or points per member."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    entries = [
        services.CapacityEntry(
            member=member_ref(actor, entry.member, field=f"capacity[{index}].member"),
            days=entry.days,
            points=entry.points,
        )
        for index, entry in enumerate(payload.capacity)
    ]
    services.sprint_capacity_set(actor=actor, sprint=sprint, entries=entries)
    return [SprintCapacityOut.of(row) for row in selectors.sprint_capacity(sprint=sprint)]


@router.post(
    SPRINT + "/start",
    response={200: SprintOut, **WRITE_ERRORS},
    operation_id="sprint_start",
    openapi_extra=IF_MATCH,
)
def start_sprint(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    sprint_id: Id,
    payload: SprintStartIn,
) -> SprintOut:
    """Start the planned sprint: it needs a sprint goal, and the team no other active sprint."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    extra = {}
    if "product_goal" in payload.model_fields_set:
        extra["product_goal"] = goal_ref(
            actor, sprint.product, payload.product_goal, field="product_goal"
        )
    sprint = services.sprint_start(
        actor=actor,
        sprint=sprint,
        expected_version=if_match(request),
        goal=payload.goal,
        **extra,
    )
    set_etag(response, sprint.version)
    return SprintOut.of(sprint)


@router.post(
    SPRINT + "/close",
    response={200: SprintOut, **WRITE_ERRORS},
    operation_id="sprint_close",
    openapi_extra=IF_MATCH,
)
def close_sprint(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    sprint_id: Id,
    payload: SprintCloseIn,
) -> SprintOut:
    """Close the active sprint with a decision for each unfinished item."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    sprint = services.sprint_close(
        actor=actor,
        sprint=sprint,
        expected_version=if_match(request),
        goal_met=payload.goal_met,
        decisions=payload.decisions,
        next_sprint=sprint_ref_or_none(actor, payload.next_sprint, field="next_sprint"),
        review_notes=payload.review_notes,
        retrospective_notes=payload.retrospective_notes,
    )
    set_etag(response, sprint.version)
    return SprintOut.of(sprint)


@router.get(
    SPRINT + "/snapshots",
    response={200: PageOut[SprintSnapshotOut], **ERRORS},
    operation_id="sprint_snapshot_list",
)
def list_snapshots(
    request: HttpRequest,
    workspace_slug: str,
    sprint_id: Id,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[SprintSnapshotOut]:
    """The sprint's daily snapshots, oldest first."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    page = paginate(
        selectors.sprint_snapshots(sprint=sprint), order=["day", "id"], cursor=cursor, limit=limit
    )
    return PageOut[SprintSnapshotOut](
        items=[SprintSnapshotOut.of(s) for s in page.items], next_cursor=page.next_cursor
    )


@router.get(
    SPRINT + "/burndown",
    response={200: SprintBurndownOut, **ERRORS},
    operation_id="sprint_burndown",
)
def get_burndown(request: HttpRequest, workspace_slug: str, sprint_id: Id) -> SprintBurndownOut:
    """Each day of the sprint: the ideal line, and the scope, done and remaining work."""
    actor = request_actor(request, workspace_slug)
    sprint = access_sprint(actor, sprint_id)
    return SprintBurndownOut(
        sprint=sprint.pk,
        start_date=sprint.start_date,
        end_date=sprint.end_date,
        days=[SprintBurndownDayOut.of(day) for day in selectors.sprint_burndown(sprint=sprint)],
    )


@router.get(
    WS + "/teams/{team_slug}/flow",
    response={200: TeamFlowOut, **ERRORS},
    operation_id="team_flow",
)
def get_team_flow(
    request: HttpRequest,
    workspace_slug: str,
    team_slug: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: Literal["day", "week"] = "week",
    days: int = Query(90, ge=1, le=selectors.FLOW_DAYS_MAX),  # type: ignore[type-arg]
) -> TeamFlowOut:
    """The team's throughput, cycle time percentiles, work in progress and cumulative flow
    (by default over the last 90 days)."""
    actor = request_actor(request, workspace_slug)
    team = access_team(actor, team_slug)
    flow = selectors.team_flow(team=team, start=start, end=end, period=period, days=days)
    return TeamFlowOut.of(team.slug, flow)
