"""The outcomes routes' rows of the permission matrix: everyone in the workspace reads
metrics, samples and daily series; writers (members, the product owner, admins, owners)
define metrics and push samples; viewers write nothing."""

from __future__ import annotations

from lodestar.outcomes import services
from lodestar.strategy import services as strategy
from tests.api.matrix_support import WRITERS, World, read, row

METRICS = "/workspaces/{workspace_slug}/products/{product_key}/metrics"
METRIC = METRICS + "/{metric_key}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {METRICS}": read(),
    f"POST {METRICS}": row(201, WRITERS),
    f"GET {METRIC}": read(),
    f"PATCH {METRIC}": row(200, WRITERS),
    f"DELETE {METRIC}": row(204, WRITERS),
    f"POST {METRIC}/samples": row(200, WRITERS),
    f"POST {METRIC}/samples/import": row(200, WRITERS),
    f"GET {METRIC}/samples": read(),
    f"GET {METRIC}/daily": read(),
}

BODIES: dict[str, object] = {
    f"POST {METRICS}": {"key": "wau", "name": "Weekly active users", "direction": "higher"},
    f"PATCH {METRIC}": {"name": "Conversion"},
    f"POST {METRIC}/samples": {"samples": [{"at": "2026-03-02T09:00:00Z", "value": 3.4}]},
    f"POST {METRIC}/samples/import": "at,value\n2026-03-02T09:00:00Z,3.4\n",
}
CONTENT_TYPES = {f"POST {METRIC}/samples/import": "text/csv"}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    metric = services.metric_create(
        actor=actor, product=product, key="conversion", name="Checkout", direction="higher"
    )
    return {"product_key": product.key, "metric_key": metric.key}
