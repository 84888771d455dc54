"""The workspace navigation: every page shows the same sidebar, built from what the contexts
declare (``NavEntry`` in their ``plugin`` module, see ``core.registry``).

The URL name of an entry is reversed with ``workspace_slug`` as its only argument; an entry
whose page is not installed is left out. Contexts may add sub-entries under an entry for the
signed-in member (``NavChildren``: the backlog's saved views under Products); a sub-entry is
active when the address is exactly its link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from lodestar.core.registry import NavChild, registry
from lodestar.people.policy import Actor


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    href: str
    icon: str
    active: bool
    children: tuple[NavSubLink, ...] = field(default=())
    children_label: str = ""
    badge: int | None = None
    badge_src: str = ""


@dataclass(frozen=True)
class NavSubLink:
    key: str
    label: str
    href: str
    hint: str
    active: bool


def _children(key: str, actor: Actor | None, full_path: str) -> tuple[tuple[NavSubLink, ...], str]:
    if actor is None:
        return (), ""
    providers = registry().navigation_children(key)
    found: list[NavChild] = [child for provider in providers for child in provider.links(actor)]
    sub = tuple(NavSubLink(c.key, c.label, c.href, c.hint, c.href == full_path) for c in found)
    return sub, ", ".join(provider.label for provider in providers)


def links(
    workspace_slug: str, path: str, *, actor: Actor | None = None, full_path: str = ""
) -> list[NavLink]:
    """The navigation of a workspace, in order, with the entry for ``path`` marked active and,
    for ``actor``, the sub-entries contexts add (the one at ``full_path`` marked active)."""
    result: list[NavLink] = []
    for item in registry().navigation():
        try:
            href = reverse(item.url_name, kwargs={"workspace_slug": workspace_slug})
        except NoReverseMatch:
            continue
        below = path.startswith(href.rstrip("/") + "/")
        active = path == href or (not item.exact and below)
        children, children_label = _children(item.key, actor, full_path or path)
        badge, badge_src = None, ""
        if item.badge is not None and actor is not None:
            badge = item.badge(actor)
            if item.badge_url_name:
                badge_src = reverse(item.badge_url_name, kwargs={"workspace_slug": workspace_slug})
        result.append(
            NavLink(
                item.key,
                item.label,
                href,
                item.icon,
                active,
                children,
                children_label,
                badge,
                badge_src,
            )
        )
    return result
