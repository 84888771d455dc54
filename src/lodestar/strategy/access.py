"""The gates that fetch products and goals for an actor. Missing and forbidden answer alike."""

from __future__ import annotations

from lodestar.core.errors import NotFound
from lodestar.people.policy import Actor
from lodestar.strategy.errors import StrategyErrorCode as Code
from lodestar.strategy.models import Product, ProductGoal


def access_product(actor: Actor, key: str) -> Product:
    """The product ``key`` (any letter case) of the actor's workspace, or 404."""
    product = (
        Product.objects.select_related("workspace")
        .filter(workspace_id=actor.workspace_id, key=key.strip().upper())
        .first()
    )
    if product is None:
        raise NotFound(f"No product '{key}' in this workspace.", code=Code.PRODUCT_NOT_FOUND)
    return product


def access_goal(actor: Actor, product: Product, goal_id: int) -> ProductGoal:
    """A goal of ``product`` (which the actor already reached through ``access_product``)."""
    goal = (
        ProductGoal.objects.select_related("product")
        .filter(pk=goal_id, product=product, product__workspace_id=actor.workspace_id)
        .first()
    )
    if goal is None:
        raise NotFound(f"No goal {goal_id} on product {product.key}.", code=Code.GOAL_NOT_FOUND)
    return goal


def goal_by_id(actor: Actor, ref: str) -> ProductGoal:
    """A Product Goal of the actor's workspace by its id (the registry's gate: a goal named
    on its own, as comments and links name it), or 404."""
    try:
        goal_id = int(str(ref).strip())
    except ValueError:
        goal_id = 0
    goal = (
        ProductGoal.objects.select_related("product__workspace")
        .filter(pk=goal_id, product__workspace_id=actor.workspace_id)
        .first()
    )
    if goal is None:
        raise NotFound(
            f"No Product Goal {str(ref)[:40]} in this workspace.", code=Code.GOAL_NOT_FOUND
        )
    return goal
