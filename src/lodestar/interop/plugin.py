"""What the interop context declares. It sits on top of every other context (an import writes
through their services, an export reads all of them, webhooks tell of every event)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from lodestar.core.registry import NavChild, NavChildren, Plugin
from lodestar.interop.permissions import PERMISSIONS, InteropPermission
from lodestar.people.policy import can


def _admin_links(actor: Any) -> list[NavChild]:
    """The workspace administration pages of interop, under Settings, for owners and admins
    (no query: the role decides)."""
    if not can(actor, InteropPermission.IMPORT_DATA):
        return []
    slug = actor.workspace.slug
    return [NavChild(key="imports", label="Imports", href=reverse("interop:imports", args=[slug]))]


PLUGIN = Plugin(
    name="interop",
    urls=["lodestar.interop.urls"],
    api=["lodestar.interop.imports.api"],
    permissions=PERMISSIONS,
    navigation_children=[NavChildren("settings", "Imports and exports", _admin_links)],
)
