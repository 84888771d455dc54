"""The outcomes routes' rows of the permission matrix: everyone in the workspace reads
metrics, samples, daily series, success criteria and outcome reviews; writers (members, the
product owner, admins, owners) define metrics, push samples, set criteria, evaluate outcomes
and conclude them; viewers write nothing."""

from __future__ import annotations

from lodestar.outcomes import services
from lodestar.outcomes.models import Metric
from lodestar.releases import services as releases
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.api.matrix_support import WRITERS, World, read, row

METRICS = "/workspaces/{workspace_slug}/products/{product_key}/metrics"
METRIC = METRICS + "/{metric_key}"
CRITERIA = "/workspaces/{workspace_slug}/products/{product_key}/success-criteria"
OUTCOMES = "/workspaces/{workspace_slug}/products/{product_key}/outcomes"

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
    f"GET {CRITERIA}": read(),
    f"POST {CRITERIA}": row(201, WRITERS),
    f"GET {CRITERIA}/{{criterion_id}}": read(),
    f"DELETE {CRITERIA}/{{criterion_id}}": row(204, WRITERS),
    f"GET {OUTCOMES}": read(),
    f"POST {OUTCOMES}/evaluate": row(200, WRITERS),
    f"GET {OUTCOMES}/{{review_id}}": read(),
    f"POST {OUTCOMES}/{{review_id}}/conclusion": row(200, WRITERS),
}

BODIES: dict[str, object] = {
    f"POST {METRICS}": {"key": "wau", "name": "Weekly active users", "direction": "higher"},
    f"PATCH {METRIC}": {"name": "Conversion"},
    f"POST {METRIC}/samples": {"samples": [{"at": "2026-03-02T09:00:00Z", "value": 3.4}]},
    f"POST {METRIC}/samples/import": "at,value\n2026-03-02T09:00:00Z,3.4\n",
    f"POST {CRITERIA}": {
        "release": "2026.1",
        "metric": "weekly",
        "target": 3,
        "target_kind": "relative",
    },
    f"POST {OUTCOMES}/evaluate": {"release": "2026.1"},
    f"POST {OUTCOMES}/{{review_id}}/conclusion": {"learnings": "It worked."},
}
CONTENT_TYPES = {f"POST {METRIC}/samples/import": "text/csv"}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    metric = services.metric_create(
        actor=actor, product=product, key="conversion", name="Checkout", direction="higher"
    )
    for key, name in (("weekly", "Weekly active users"), ("speed", "Load time")):
        services.metric_create(actor=actor, product=product, key=key, name=name, direction="higher")
    release = releases.release_create(actor=actor, product=product, name="2026.1")
    measured = services.criterion_create(
        actor=actor,
        product=product,
        metric=metric,
        release=release,
        target=5,
        target_kind="relative",
    )
    removable = services.criterion_create(
        actor=actor,
        product=product,
        metric=services_metric(product, "speed"),
        release=release,
        target=5,
        target_kind="relative",
    )
    releases.release_go_live(actor=actor, release=release, force=True, reason="Launch day")
    (review,) = services.outcomes_evaluate(actor=actor, product=product, criterion=measured)
    return {
        "product_key": product.key,
        "metric_key": metric.key,
        "criterion_id": str(removable.pk),
        "review_id": str(review.pk),
    }


def services_metric(product: Product, key: str) -> Metric:
    return Metric.objects.get(product=product, key=key)
