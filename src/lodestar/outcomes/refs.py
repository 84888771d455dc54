"""Turning a metric named in input (an option, a form) into a metric: an unknown one is bad
input, a 422 naming the field (``access.py`` keeps the 404 for the metric a path names)."""

from __future__ import annotations

from lodestar.backlog.access import access_item
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Invalid, NotFound
from lodestar.outcomes.access import access_metric
from lodestar.outcomes.models import Metric
from lodestar.people.policy import Actor
from lodestar.releases.access import access_release
from lodestar.releases.models import Release
from lodestar.strategy.models import Product


def metric_ref(actor: Actor, product: Product, key: str, *, field: str = "metric") -> Metric:
    try:
        return access_metric(actor, product, key)
    except NotFound as exc:
        raise Invalid.field(field, f"no metric '{key}' on product {product.key}") from exc


def release_of(actor: Actor, product: Product, ref: int | str) -> Release:
    """The release of ``product`` named by its id or its name (any letter case): a 404 when
    there is none, as for a path."""
    text = str(ref).strip()
    if text.isdigit():
        return access_release(actor, text, product=product)
    found: Release | None = (
        Release.objects.select_related("product", "workspace")
        .filter(workspace_id=actor.workspace_id, product=product, name__iexact=text[:100])
        .first()
    )
    if found is None:
        raise NotFound(f"No release '{text[:100]}' on product {product.key}.")
    return found


def epic_of(actor: Actor, product: Product, key: str) -> BacklogItem:
    """The item ``key`` of ``product`` (a 404 when it is missing or of another product)."""
    item = access_item(actor, str(key).strip()[:40])
    if item.product_id != product.pk:
        raise NotFound(f"No item {item.key} on product {product.key}.")
    return item
