"""The coverage routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
every member of the workspace reads the coverage, a trace and the summary's thresholds, viewers
too; only owners and admins change the thresholds; from outside the workspace they are a 404."""

from __future__ import annotations

from lodestar.backlog import services as backlog
from lodestar.strategy import services as strategy
from tests.api.matrix_support import MANAGERS, World, read, row

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/coverage": read(),
    f"GET {W}/trace/{{kind}}/{{ref}}": read(),
    f"GET {W}/coverage/thresholds": read(),
    f"PATCH {W}/coverage/thresholds": row(200, MANAGERS),
}

BODIES: dict[str, object] = {f"PATCH {W}/coverage/thresholds": {"carries_min": 3}}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=actor, product=product, title="Share by link")
    return {"kind": "item", "ref": item.key}
