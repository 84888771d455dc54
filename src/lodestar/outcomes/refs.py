"""Turning a metric named in input (an option, a form) into a metric: an unknown one is bad
input, a 422 naming the field (``access.py`` keeps the 404 for the metric a path names)."""

from __future__ import annotations

from lodestar.core.errors import Invalid, NotFound
from lodestar.outcomes.access import access_metric
from lodestar.outcomes.models import Metric
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product


def metric_ref(actor: Actor, product: Product, key: str, *, field: str = "metric") -> Metric:
    try:
        return access_metric(actor, product, key)
    except NotFound as exc:
        raise Invalid.field(field, f"no metric '{key}' on product {product.key}") from exc
