"""The forecasts route's row of the permission matrix (see ``tests/api/matrix_support.py``):
any member may ask, since a forecast from a given history reads nothing of the workspace."""

from __future__ import annotations

from tests.api.matrix_support import World, read

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {f"POST {W}/forecasts": read()}
BODIES = {f"POST {W}/forecasts": {"question": "when", "items": 20, "throughput": [3, 5, 2, 4, 6]}}


def setup(world: World) -> dict[str, str]:
    return {}
