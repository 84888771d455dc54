"""The coverage routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
every member of the workspace reads the coverage and a trace, viewers too; from outside the
workspace they are a 404."""

from __future__ import annotations

from lodestar.backlog import services as backlog
from lodestar.strategy import services as strategy
from tests.api.matrix_support import World, read

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/coverage": read(),
    f"GET {W}/trace/{{kind}}/{{ref}}": read(),
}

BODIES: dict[str, object] = {}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=actor, product=product, title="Share by link")
    return {"kind": "item", "ref": item.key}
