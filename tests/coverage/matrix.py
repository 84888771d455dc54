"""The coverage route's row of the permission matrix (see ``tests/api/matrix_support.py``):
every member of the workspace reads it, viewers too; from outside the workspace it is a 404."""

from __future__ import annotations

from tests.api.matrix_support import World, read

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/coverage": read(),
}

BODIES: dict[str, object] = {}


def setup(world: World) -> dict[str, str]:
    return {}
