"""The strategy API: products, their Product Goals, and which product a team works from."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.pagination import paginate
from lodestar.people.access import access_team
from lodestar.strategy import services
from lodestar.strategy.access import access_goal, access_product
from lodestar.strategy.refs import product_ref_or_none
from lodestar.strategy.schemas import (
    DefinitionOfReadyIn,
    GoalIn,
    GoalOut,
    GoalPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    TeamProductIn,
    TeamProductOut,
)
from lodestar.strategy.selectors import goal_list, product_detail, product_list

router = Router(tags=["products"])


@router.get(
    "/{workspace_slug}/products",
    response={200: PageOut[ProductOut], **ERRORS},
    operation_id="product_list",
)
def list_products(
    request: HttpRequest, workspace_slug: str, cursor: str | None = None, limit: Limit | None = None
) -> PageOut[ProductOut]:
    actor = request_actor(request, workspace_slug)
    page = paginate(product_list(actor=actor), order=["key"], cursor=cursor, limit=limit)
    return PageOut[ProductOut](
        items=[ProductOut.of(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/products",
    response={201: ProductOut, **WRITE_ERRORS},
    operation_id="product_create",
)
def create_product(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: ProductIn
) -> Status[ProductOut]:
    actor = request_actor(request, workspace_slug)
    product = services.product_create(
        actor=actor,
        key=payload.key,
        name=payload.name,
        vision=payload.vision,
        definition_of_ready=_dor(payload.definition_of_ready),
        estimate_scale=payload.estimate_scale,
    )
    set_etag(response, product.version)
    return Status(201, ProductOut.of(product_detail(actor=actor, product=product)))


@router.get(
    "/{workspace_slug}/products/{product_key}",
    response={200: ProductOut, **ERRORS},
    operation_id="product_get",
)
def get_product(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str
) -> ProductOut:
    actor = request_actor(request, workspace_slug)
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    set_etag(response, product.version)
    return ProductOut.of(product)


@router.patch(
    "/{workspace_slug}/products/{product_key}",
    response={200: ProductOut, **WRITE_ERRORS},
    operation_id="product_update",
    openapi_extra=IF_MATCH,
)
def update_product(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: ProductPatch,
) -> ProductOut:
    actor = request_actor(request, workspace_slug)
    product = services.product_update(
        actor=actor,
        product=access_product(actor, product_key),
        name=payload.name,
        vision=payload.vision,
        definition_of_ready=_dor(payload.definition_of_ready),
        estimate_scale=payload.estimate_scale,
        expected_version=if_match(request),
    )
    set_etag(response, product.version)
    return ProductOut.of(product_detail(actor=actor, product=product))


@router.get(
    "/{workspace_slug}/products/{product_key}/goals",
    response={200: PageOut[GoalOut], **ERRORS},
    operation_id="goal_list",
)
def list_goals(request: HttpRequest, workspace_slug: str, product_key: str) -> PageOut[GoalOut]:
    """Every goal of the product, newest first (a product has few: one page holds them all)."""
    actor = request_actor(request, workspace_slug)
    goals = goal_list(actor=actor, product=access_product(actor, product_key))
    return PageOut[GoalOut](items=[GoalOut.of(g) for g in goals], next_cursor=None)


@router.post(
    "/{workspace_slug}/products/{product_key}/goals",
    response={201: GoalOut, **WRITE_ERRORS},
    operation_id="goal_set",
)
def set_goal(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: GoalIn,
) -> Status[GoalOut]:
    actor = request_actor(request, workspace_slug)
    goal = services.goal_set(
        actor=actor,
        product=access_product(actor, product_key),
        statement=payload.statement,
        description=payload.description,
        previous_outcome=payload.previous_outcome,
    )
    set_etag(response, goal.version)
    return Status(201, GoalOut.of(goal))


@router.patch(
    "/{workspace_slug}/products/{product_key}/goals/{goal_id}",
    response={200: GoalOut, **WRITE_ERRORS},
    operation_id="goal_update",
    openapi_extra=IF_MATCH,
)
def update_goal(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    goal_id: int,
    payload: GoalPatch,
) -> GoalOut:
    actor = request_actor(request, workspace_slug)
    goal = access_goal(actor, access_product(actor, product_key), goal_id)
    goal = services.goal_update(
        actor=actor,
        goal=goal,
        statement=payload.statement,
        description=payload.description,
        status=payload.status,
        expected_version=if_match(request),
    )
    set_etag(response, goal.version)
    return GoalOut.of(goal)


@router.put(
    "/{workspace_slug}/teams/{team_slug}/product",
    response={200: TeamProductOut, **WRITE_ERRORS},
    tags=["teams"],
    operation_id="team_product_set",
)
def set_team_product(
    request: HttpRequest, workspace_slug: str, team_slug: str, payload: TeamProductIn
) -> TeamProductOut:
    """Choose the product whose backlog the team works from (null: none)."""
    actor = request_actor(request, workspace_slug)
    team = access_team(actor, team_slug)
    product = product_ref_or_none(actor, payload.product, field="product")
    team = services.team_product_set(actor=actor, team=team, product=product)
    return TeamProductOut(team=team.slug, product=product.key if product else None)


def _dor(value: DefinitionOfReadyIn | None) -> dict[str, Any] | None:
    """The checks the caller sent (``exclude_unset``), so the others keep their setting."""
    return None if value is None else value.model_dump(exclude_unset=True)
