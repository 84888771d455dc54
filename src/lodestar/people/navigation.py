"""The workspace navigation: every page shows the same sidebar, built from what the contexts
declare (``NavEntry`` in their ``plugin`` module, see ``core.registry``).

The URL name of an entry is reversed with ``workspace_slug`` as its only argument; an entry
whose page is not installed is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from lodestar.core.registry import registry


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    href: str
    icon: str
    active: bool


def links(workspace_slug: str, path: str) -> list[NavLink]:
    """The navigation of a workspace, in order, with the entry for ``path`` marked active."""
    result: list[NavLink] = []
    for item in registry().navigation():
        try:
            href = reverse(item.url_name, kwargs={"workspace_slug": workspace_slug})
        except NoReverseMatch:
            continue
        below = path.startswith(href.rstrip("/") + "/")
        active = path == href or (not item.exact and below)
        result.append(NavLink(item.key, item.label, href, item.icon, active))
    return result
