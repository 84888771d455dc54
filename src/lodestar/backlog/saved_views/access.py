"""The gate that fetches a saved view: missing, another member's personal view or another
product's all answer 404."""

from __future__ import annotations

from lodestar.backlog.saved_views.errors import SavedViewErrorCode as Code
from lodestar.backlog.saved_views.models import SavedView
from lodestar.backlog.saved_views.selectors import saved_view_list
from lodestar.core.errors import NotFound
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product


def access_saved_view(actor: Actor, product: Product, view_id: int | str) -> SavedView:
    """The view ``view_id`` of ``product`` that ``actor`` may see."""
    try:
        number = int(view_id)
    except (TypeError, ValueError):
        number = 0
    found = saved_view_list(actor=actor, product=product).filter(pk=number).first()
    if found is None:
        raise NotFound(f"No saved view {view_id} on {product.key}.", code=Code.VIEW_NOT_FOUND)
    return found
