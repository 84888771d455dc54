"""Turning what a request body, a form or a command-line option names into a product or goal.

An unknown one is bad input: 422 naming the field to fix (``access.py`` keeps the 404 for the
object a path names). The HTTP API, the pages and the CLI all resolve through here.
"""

from __future__ import annotations

from lodestar.core.errors import Invalid, NotFound
from lodestar.people.policy import Actor
from lodestar.strategy.access import access_goal, access_product
from lodestar.strategy.models import Product, ProductGoal


def product_ref(actor: Actor, key: str, *, field: str = "product") -> Product:
    """The product ``key`` (any letter case) of the actor's workspace."""
    try:
        return access_product(actor, key)
    except NotFound as exc:
        raise Invalid.field(field, f"no product '{key}' in this workspace") from exc


def product_ref_or_none(actor: Actor, key: str | None, *, field: str = "product") -> Product | None:
    """``product_ref``, where None means no product."""
    if key is None:
        return None
    return product_ref(actor, key, field=field)


def goal_ref(
    actor: Actor, product: Product, goal_id: int | str | None, *, field: str = "goal"
) -> ProductGoal | None:
    """The goal ``goal_id`` of ``product`` (an id, or its text from a form); None means no
    goal."""
    if goal_id is None:
        return None
    try:
        number = int(goal_id)
        return access_goal(actor, product, number)
    except (NotFound, ValueError) as exc:
        raise Invalid.field(field, f"no goal {goal_id} on product {product.key}") from exc
