"""The decisions routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
everyone in the workspace reads the log; every member who writes content records, decides,
supersedes, links and deletes decisions; viewers change nothing."""

from __future__ import annotations

from lodestar.backlog import services as backlog
from lodestar.decisions import services
from lodestar.strategy import services as strategy
from tests.api.matrix_support import WRITERS, World, read, row

W = "/workspaces/{workspace_slug}"
LOG = W + "/products/{product_key}/decisions"
ONE = LOG + "/{decision_number}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {LOG}": read(),
    f"POST {LOG}": row(201, WRITERS),
    f"GET {ONE}": read(),
    f"PATCH {ONE}": row(200, WRITERS),
    f"DELETE {ONE}": row(204, WRITERS),
    f"POST {ONE}/decide": row(200, WRITERS),
    f"POST {ONE}/supersede": row(200, WRITERS),
    f"POST {ONE}/links": row(200, WRITERS),
    f"DELETE {ONE}/links/{{target_type}}/{{target_ref}}": row(204, WRITERS),
}

BODIES: dict[str, object] = {
    f"POST {LOG}": {"title": "Stream exports", "status": "decided", "links": ["item:ACME-1"]},
    f"PATCH {ONE}": {"title": "Share by expiring link"},
    f"POST {ONE}/decide": {},
    f"POST {ONE}/supersede": {"by": 2},
    f"POST {ONE}/links": {"target": "item:ACME-2"},
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    first = backlog.item_create(actor=actor, product=product, title="Share by link")
    backlog.item_create(actor=actor, product=product, title="Expire links")
    services.decision_create(
        actor=actor, product=product, title="Share by link", links=[f"item:{first.key}"]
    )
    services.decision_create(actor=actor, product=product, title="Links expire", status="decided")
    return {
        "product_key": product.key,
        "decision_number": "1",
        "target_type": "item",
        "target_ref": first.key,
    }
