"""The gate that fetches a product's metric for an actor: missing, in the trash or in another
workspace answer 404 alike."""

from __future__ import annotations

from lodestar.core.errors import NotFound
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.models import Metric
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product


def access_metric(actor: Actor, product: Product, key: str) -> Metric:
    """The live metric ``key`` (any letter case) of ``product``, which the actor reached
    through ``strategy.access.access_product``."""
    found: Metric | None = (
        Metric.objects.select_related("product", "workspace")
        .filter(workspace_id=actor.workspace_id, product=product, key=str(key).strip().lower())
        .first()
    )
    if found is None:
        raise NotFound(f"No metric '{key}' on product {product.key}.", code=Code.METRIC_NOT_FOUND)
    return found


def access_metric_by_ref(actor: Actor, ref: str) -> Metric:
    """A metric named ``PRODUCT/key`` (as the registry's gate takes a reference)."""
    from lodestar.strategy.access import access_product

    product_key, _, key = str(ref).partition("/")
    try:
        product = access_product(actor, product_key)
    except NotFound as exc:
        raise NotFound(f"No metric '{ref}'.", code=Code.METRIC_NOT_FOUND) from exc
    return access_metric(actor, product, key)
