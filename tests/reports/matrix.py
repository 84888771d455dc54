"""The reports route's row of the permission matrix (see ``tests/api/matrix_support.py``):
everyone in the workspace reads a product's report, viewers too (stakeholders are its
audience); from outside the workspace it is a 404."""

from __future__ import annotations

from lodestar.strategy import services as strategy
from tests.api.matrix_support import World, read

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/products/{{product_key}}/reports": read(),
}

BODIES: dict[str, object] = {}


def setup(world: World) -> dict[str, str]:
    product = strategy.product_create(actor=world.owner.actor, key="ACME", name="Acme Analytics")
    return {"product_key": product.key}
