"""The strategy API: products, their Product Goals, and which product a team works from."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.errors import Invalid
from lodestar.core.pagination import paginate
from lodestar.people.access import access_team
from lodestar.people.models import Team
from lodestar.people.refs import member_ref_or_none
from lodestar.strategy import services
from lodestar.strategy.access import access_goal, access_product
from lodestar.strategy.errors import StrategyErrorCode as Code
from lodestar.strategy.models import Product
from lodestar.strategy.refs import product_ref_or_none
from lodestar.strategy.schemas import (
    DefinitionOfReadyIn,
    GoalIn,
    GoalOut,
    GoalPatch,
    HatSpellOut,
    ProductIn,
    ProductOut,
    ProductOwnerIn,
    ProductOwnerOut,
    ProductPatch,
    TeamHatOut,
    TeamProductIn,
    TeamProductOut,
    TeamProductOwnerOut,
)
from lodestar.strategy.selectors import (
    goal_list,
    product_detail,
    product_list,
    product_owner_history,
    product_team_query,
    team_product,
)

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


def _product_owner(product: Product) -> ProductOwnerOut:
    history = list(product_owner_history(product))
    holder = next((hat for hat in history if hat.ended_at is None), None)
    return ProductOwnerOut(
        product=product.key,
        teams=list(product_team_query(product).order_by("slug").values_list("slug", flat=True)),
        holder=HatSpellOut.of(holder) if holder is not None else None,
        history=[HatSpellOut.of(hat) for hat in history],
        version=product.version,
    )


@router.get(
    "/{workspace_slug}/products/{product_key}/product-owner",
    response={200: ProductOwnerOut, **ERRORS},
    operation_id="product_owner_get",
)
def get_product_owner(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str
) -> ProductOwnerOut:
    """The product's product owner, shared by every team that works from it, and everyone who
    wore the hat before."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    set_etag(response, product.version)
    return _product_owner(product)


@router.put(
    "/{workspace_slug}/products/{product_key}/product-owner",
    response={200: ProductOwnerOut, **WRITE_ERRORS},
    operation_id="product_owner_set",
    openapi_extra=IF_MATCH,
)
def set_product_owner(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: ProductOwnerIn,
) -> ProductOwnerOut:
    """Give the product owner hat to ``member`` (null leaves it vacant). One product owner per
    product: every team that works from it shares them."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    member = member_ref_or_none(actor, payload.member, field="member")
    services.product_owner_set(
        actor=actor, product=product, member=member, expected_version=if_match(request)
    )
    set_etag(response, product.version)
    return _product_owner(product)


def _team_product_owner(team: Team) -> TeamProductOwnerOut:
    product = team_product(team)
    history = list(product_owner_history(product)) if product else []
    holder = next((hat for hat in history if hat.ended_at is None), None)
    return TeamProductOwnerOut(
        team=team.slug,
        product=product.key if product else None,
        holder=TeamHatOut.of(holder) if holder is not None else None,
        history=[TeamHatOut.of(hat) for hat in history],
        version=product.version if product else 0,
    )


@router.get(
    "/{workspace_slug}/teams/{team_slug}/roles/product-owner",
    response={200: TeamProductOwnerOut, **ERRORS},
    tags=["teams"],
    operation_id="team_product_owner_get",
    deprecated=True,
)
def get_team_product_owner(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, team_slug: str
) -> TeamProductOwnerOut:
    """The product owner the team shares with every team on its product. The hat is the
    product's: use ``GET .../products/{product_key}/product-owner``."""
    actor = request_actor(request, workspace_slug)
    answer = _team_product_owner(access_team(actor, team_slug))
    set_etag(response, answer.version)
    return answer


@router.put(
    "/{workspace_slug}/teams/{team_slug}/roles/product-owner",
    response={200: TeamProductOwnerOut, **WRITE_ERRORS},
    tags=["teams"],
    operation_id="team_product_owner_set",
    openapi_extra=IF_MATCH,
    deprecated=True,
)
def set_team_product_owner(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    team_slug: str,
    payload: ProductOwnerIn,
) -> TeamProductOwnerOut:
    """Give the hat of the team's product to ``member``: every team on that product shares
    them. The hat is the product's: use ``PUT .../products/{product_key}/product-owner``."""
    actor = request_actor(request, workspace_slug)
    team = access_team(actor, team_slug)
    member = member_ref_or_none(actor, payload.member, field="member")
    product = team_product(team)
    if product is None:
        raise Invalid.field(
            "team",
            "works from no product; the product owner hat belongs to a product, so choose the "
            "team's product first (PUT .../teams/{team_slug}/product)",
            code=Code.PRODUCT_OWNER_INVALID,
        )
    services.product_owner_set(
        actor=actor, product=product, member=member, expected_version=if_match(request)
    )
    answer = _team_product_owner(team)
    set_etag(response, answer.version)
    return answer


def _dor(value: DefinitionOfReadyIn | None) -> dict[str, Any] | None:
    """The checks the caller sent (``exclude_unset``), so the others keep their setting."""
    return None if value is None else value.model_dump(exclude_unset=True)
