"""The prioritization routes' rows of the permission matrix (see ``tests/api/matrix_support.py``).

Business value is the product owner's call and effort the developers': a whole new score (both
sides) is set by the product's product owner (or an owner or admin), who also defines the
scorecard and applies a suggested order (per persona and side: tests/backlog/test_score_rights.py).
"""

from __future__ import annotations

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization import services
from lodestar.core.ranking import keys_between
from lodestar.strategy.models import Product, ProductOwnerHat, ProductTeam
from tests.api.matrix_support import ADMIN, OWNER, PO, World, read, row

W = "/workspaces/{workspace_slug}"
ITEM = W + "/items/{item_key}"
PRODUCT = W + "/products/{product_key}"
ORDERERS = {OWNER, ADMIN, PO}

ROWS: dict[str, dict[str, int]] = {
    f"GET {ITEM}/score": read(),
    f"PUT {ITEM}/score": row(200, ORDERERS),
    f"DELETE {ITEM}/score/{{framework}}": row(204, ORDERERS),
    f"GET {PRODUCT}/scores": read(),
    f"GET {PRODUCT}/scorecard": read(),
    f"PUT {PRODUCT}/scorecard": row(200, ORDERERS),
    f"GET {PRODUCT}/suggest-order": read(),
    f"POST {PRODUCT}/suggest-order/apply": row(200, ORDERERS),
}

BODIES: dict[str, object] = {
    f"PUT {ITEM}/score": {
        "framework": "wsjf",
        "inputs": {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5},
    },
    f"PUT {PRODUCT}/scorecard": {"criteria": [{"key": "fit", "label": "Fit", "weight": 2}]},
    f"POST {PRODUCT}/suggest-order/apply": {"framework": "rice"},
}


def setup(world: World) -> dict[str, str]:
    product = Product.objects.create(workspace=world.workspace, key="PRIO", name="Prioritized")
    ProductTeam.objects.create(team=world.team, product=product)
    ProductOwnerHat.objects.create(product=product, member=world.po.membership)
    items = [
        BacklogItem.objects.create(
            workspace=world.workspace,
            product=product,
            number=number,
            key=f"PRIO-{number}",
            title=f"Item {number}",
            rank=rank,
        )
        for number, rank in enumerate(keys_between(None, None, 3), start=1)
    ]
    actor = world.po.actor
    services.scorecard_set(
        actor=actor, product=product, criteria=[{"key": "fit", "label": "Fit", "weight": 1}]
    )
    # Scores that disagree with the order, so that applying the suggestion moves items.
    for item, reach in zip(items, (10, 100, 1000), strict=True):
        services.score_set(
            actor=actor,
            item=item,
            framework="rice",
            inputs={"reach": reach, "impact": 1, "confidence": 100, "effort": 1},
        )
    return {"item_key": items[0].key, "product_key": product.key, "framework": "rice"}
