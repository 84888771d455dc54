"""Extension points: a context asks a question that later contexts answer.

The context that asks owns the point and defines what a provider is; contexts that answer
register providers in their plugin (``Plugin.provides``), so the asking context never imports
them. Providers are kept in one defined order: by ``order``, then by ``name``.

    PURPOSES: ExtensionPoint[Purpose] = ExtensionPoint("backlog.purposes")
    # discovery/plugin.py
    PLUGIN = Plugin(name="discovery", provides=[(PURPOSES, Purpose("problem", ...))])
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


class Provider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def order(self) -> int: ...


P = TypeVar("P", bound=Provider)


class ExtensionPoint(Generic[P]):
    """An ordered set of providers, one per name (registering a name again replaces it)."""

    _points: weakref.WeakSet[ExtensionPoint[Any]] = weakref.WeakSet()

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: dict[str, P] = {}
        ExtensionPoint._points.add(self)

    def __repr__(self) -> str:
        return f"ExtensionPoint({self.name!r})"

    def register(self, provider: P) -> P:
        self._providers[provider.name] = provider
        return provider

    def unregister(self, name: str) -> None:
        self._providers.pop(name, None)

    def providers(self) -> list[P]:
        return sorted(self._providers.values(), key=lambda p: (p.order, p.name))

    def snapshot(self) -> dict[str, P]:
        return dict(self._providers)

    def restore(self, state: dict[str, P]) -> None:
        self._providers = dict(state)

    @classmethod
    def all_points(cls) -> list[ExtensionPoint[Any]]:
        return list(cls._points)


@dataclass(frozen=True)
class PageSection:
    """A section that a later context adds to the pages of kinds it does not own: ``kinds``
    are registry names (``"feedback"``, ``"sprint"``), ``render(request, obj)`` gives its HTML
    (escaped by its own template), or "" to leave it out.

    The point for pages that have no section point of their own; a context whose page already
    offers one (``ITEM_SECTIONS``, ``PROBLEM_SECTIONS``, ``RELEASE_SECTIONS``) is answered there.
    """

    name: str
    kinds: tuple[str, ...]
    render: Callable[[Any, Any], str]
    order: int = 100


PAGE_SECTIONS: ExtensionPoint[PageSection] = ExtensionPoint("core.page_sections")


def page_sections(request: Any, kind: str, obj: Any) -> list[str]:
    """The HTML of every section declared for ``kind``'s page, in order, empty ones left out."""
    return [
        html
        for section in PAGE_SECTIONS.providers()
        if kind in section.kinds and (html := section.render(request, obj))
    ]
