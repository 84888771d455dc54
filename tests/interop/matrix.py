"""The interop routes' rows of the permission matrix (see ``tests/api/matrix_support.py``).

Imports, exports and webhooks each keep their rows in their own module
(``matrix_imports``, ``matrix_exports``, ``matrix_webhooks``: ``ROWS``, and as they need them
``BODIES``, ``QUERIES``, ``CONTENT_TYPES``, ``PARAMS`` and ``setup``); they are collected here,
the one module the matrix reads of this folder."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from tests.api.matrix_support import World

_PARTS: list[ModuleType] = [
    importlib.import_module(f"tests.interop.matrix_{part}")
    for part in ("imports", "exports", "webhooks")
    if importlib.util.find_spec(f"tests.interop.matrix_{part}") is not None
]


def _merged(name: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for part in _PARTS:
        for route, value in getattr(part, name, {}).items():
            if route in merged:
                raise AssertionError(f"{route} has {name} in two interop matrix modules")
            merged[route] = value
    return merged


ROWS: dict[str, dict[str, int]] = _merged("ROWS")  # type: ignore[assignment]
BODIES = _merged("BODIES")
QUERIES = _merged("QUERIES")
CONTENT_TYPES = _merged("CONTENT_TYPES")
PARAMS = _merged("PARAMS")


def setup(world: World) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in _PARTS:
        if hasattr(part, "setup"):
            params |= part.setup(world)
    return params
