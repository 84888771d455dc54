"""What the interop context declares. It sits on top of every other context (an import writes
through their services, an export reads all of them, webhooks tell of every event)."""

from __future__ import annotations

from lodestar.core.registry import Plugin
from lodestar.interop.permissions import PERMISSIONS

PLUGIN = Plugin(
    name="interop",
    api=["lodestar.interop.imports.api"],
    permissions=PERMISSIONS,
)
