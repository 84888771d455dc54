"""The workspace navigation: one registry, so every page shows the same sidebar.

A context adds its pages from its ``AppConfig.ready()``::

    from lodestar.people.navigation import NavItem, register
    register(NavItem("products", "Products", "strategy:product_list", icon="box", order=50))

The URL name is reversed with ``workspace_slug`` as its only argument.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str = "dot"
    order: int = 100
    # The home page is active only on itself; other items also on the pages below them.
    exact: bool = False


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    href: str
    icon: str
    active: bool


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace, by key) a workspace navigation entry."""
    _ITEMS[item.key] = item


def links(workspace_slug: str, path: str) -> list[NavLink]:
    """The navigation of a workspace, in order, with the entry for ``path`` marked active."""
    result: list[NavLink] = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.label)):
        try:
            href = reverse(item.url_name, kwargs={"workspace_slug": workspace_slug})
        except NoReverseMatch:
            continue
        below = path.startswith(href.rstrip("/") + "/")
        active = path == href or (not item.exact and below)
        result.append(NavLink(item.key, item.label, href, item.icon, active))
    return result


register(NavItem("home", "Home", "people:workspace_home", icon="home", order=10, exact=True))
register(NavItem("members", "Members", "people:member_list", icon="users", order=20))
register(NavItem("teams", "Teams", "people:team_list", icon="team", order=30))
register(NavItem("who", "Who does what", "people:who_does_what", icon="hat", order=40))
