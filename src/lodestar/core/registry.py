"""What each context declares once, collected by Django's app registry.

A context plugs in by writing one module, ``<context>/plugin.py``, that defines ``PLUGIN``:

    PLUGIN = Plugin(
        name="backlog",
        objects=[ObjectType(name="item", model=BacklogItem, label="backlog item", ...)],
        navigation=[NavEntry("roadmap", "Roadmap", "releases:roadmap", order=60)],
        periodic=[PeriodicTask("lodestar.backlog.tasks.nightly", dt.timedelta(days=1))],
        demo=Demo(seed=demo.seed, after=("strategy",)),
        provides=[(PURPOSES, Purpose(...))],
        subscribers=[Subscriber("backlog.reindex", handler)],
    )

``CoreConfig.ready()`` imports the ``plugin`` module of every installed app (in
``INSTALLED_APPS`` order) and installs what it declares. The trash, the activity feed, the
navigation, the periodic tasks, the demo and the domain events are all driven from here, so no
context edits another's list to plug in. Comments, notifications, search, links between objects
and the importers use the same declarations.

This module imports no context: permissions are names that the people context's authorizer
(installed by its plugin) understands, and actors are anything with ``user`` and
``workspace_id`` (``core.actors.Actor``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from django.apps import apps
from django.db import models

from lodestar.core.actors import Actor
from lodestar.core.extensions import ExtensionPoint

if TYPE_CHECKING:
    from lodestar.core.models import HistoryEntry

ObjectAction = Literal["view", "change", "delete", "restore", "comment"]
OBJECT_ACTIONS: tuple[ObjectAction, ...] = ("view", "change", "delete", "restore", "comment")

# A trash hook runs inside the move or restore transaction, after the checks, before the row
# is written. It may change the object (say, give a restored item a free rank) and returns the
# names of the fields it changed; it may also raise a DomainError to refuse.
TrashHook = Callable[[Any, Any], Iterable[str]]
# History in words: one line saying what an entry did, without the actor (pages show who).
# ``names`` maps email addresses (as history records people) to the names to show.
Describer = Callable[["HistoryEntry", Mapping[str, str]], str | None]


@dataclass(frozen=True)
class SearchDocument:
    """What search indexes of one object (``core.search``): a title, a body of text, and when
    it last changed.

    ``at`` is the date results are sorted by, newest first, and filtered by (a piece of
    feedback's received date); None sorts by ``updated_at``. ``facets`` are the values the
    search can be narrowed by, each one string or several (``{"customer": "12", "segment":
    "enterprise", "tag": ["ios", "login"]}``): the API's filters of the same names.
    """

    title: str
    body: str
    updated_at: dt.datetime
    at: dt.datetime | None = None
    facets: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    @property
    def sort_at(self) -> dt.datetime:
        return self.at or self.updated_at


@dataclass(frozen=True)
class TrashRules:
    """How the trash handles a kind of object (its model must be a ``TrashableModel``)."""

    select_related: tuple[str, ...] = ()
    on_trash: TrashHook | None = None
    on_restore: TrashHook | None = None


@dataclass(frozen=True)
class ObjectType:
    """One kind of workspace object, declared once by the context that owns it.

    ``name`` is public and stable (the trash API's ``type``, event kinds, webhooks): never
    rename it. ``permissions`` maps each action the kind supports to the name of a policy
    permission; ``teams`` gives the teams an act on one object concerns and ``product`` the
    product (for hat-based permissions such as the product owner's, whose hat a product has).
    """

    name: str
    model: type[models.Model]
    label: str
    title: Callable[[Any], str]
    workspace: str = "workspace"
    # The access gate for an object named by its reference (key, slug, email or id): the
    # object, or NotFound for missing and invisible alike. Its actor is the context's own.
    gate: Callable[[Any, str], Any] | None = None
    permissions: Mapping[ObjectAction, str] = field(default_factory=dict)
    teams: Callable[[Any], Any] | None = None
    product: Callable[[Any], Any] | None = None
    url: Callable[[Any], str] | None = None
    describe: Describer | None = None
    search: Callable[[Any], SearchDocument] | None = None
    # What ``search`` reads beyond the row (``select_related`` and ``prefetch_related``
    # paths), so that indexing many objects of the kind costs a few queries.
    search_related: tuple[str, ...] = ()
    search_prefetch: tuple[str, ...] = ()
    # The columns of the row ``search`` reads, when it reads few of a wide row: a rebuild of
    # the index loads only these (``QuerySet.only``), a third of the cost of whole objects.
    # Empty: whole rows. A column read but not named costs a query per object (a test reads
    # every kind's document from such rows and fails on it).
    search_fields: tuple[str, ...] = ()
    trash: TrashRules | None = None
    commentable: bool = False
    # The reference ``gate`` takes for ``obj`` (an item's key); None: its id. What another
    # context stores and shows to name the object (a decision's links).
    ref: Callable[[Any], str] | None = None
    # The word for many of them in URLs (``items``, ``problems``); empty: the name and "s".
    plural: str = ""

    @property
    def url_plural(self) -> str:
        """How paths name the kind (``/items/ACME-12/comments``)."""
        return self.plural or f"{self.name}s"

    @property
    def model_label(self) -> str:
        """``app_label.modelname``, as history entries record an object's type."""
        return self.model._meta.label_lower

    def workspace_id_of(self, obj: Any) -> int:
        """The workspace of ``obj``, following ``workspace`` (e.g. ``product__workspace``;
        ``pk`` for the workspace itself)."""
        if self.workspace == "pk":
            return int(obj.pk)
        value: Any = obj
        parts = self.workspace.split("__")
        for part in parts[:-1]:
            value = getattr(value, part)
        return int(getattr(value, f"{parts[-1]}_id"))

    def supports(self, action: ObjectAction) -> bool:
        return action in self.permissions

    def ref_of(self, obj: Any) -> str:
        """The reference the gate takes for ``obj`` (``ref``, else its id)."""
        return self.ref(obj) if self.ref is not None else str(obj.pk)


class Authorizer(Protocol):
    """Decides whether ``actor`` holds ``permission`` for an act on ``teams`` or ``product``
    (raises the context's ``Forbidden`` when not). Installed once, by the people context."""

    def __call__(
        self, actor: Actor, permission: str, *, teams: Any = None, product: Any = None
    ) -> None: ...


@dataclass(frozen=True)
class NavEntry:
    """A page in the workspace sidebar; ``url_name`` is reversed with ``workspace_slug``."""

    key: str
    label: str
    url_name: str
    icon: str = "dot"
    order: int = 100
    # The home page is active only on itself; other entries also on the pages below them.
    exact: bool = False
    # A number beside the entry for the signed-in member (unread notifications), read by one
    # cheap query, and the URL name of a page answering ``{"<key>": n}`` that the page polls
    # to keep it current without a reload (``static/lodestar/notifications.js``).
    badge: Callable[[Any], int] | None = None
    badge_url_name: str = ""


@dataclass(frozen=True)
class NavChild:
    """One sub-entry of the sidebar, under an entry (a saved view under Products)."""

    key: str
    label: str
    href: str
    # A few words shown after the label, quieter (the product, "shared").
    hint: str = ""


@dataclass(frozen=True)
class NavChildren:
    """Sub-entries a context adds under the sidebar entry ``parent`` (a ``NavEntry`` key):
    ``links(actor)`` gives them for the signed-in member (one query at most: it runs on every
    page)."""

    parent: str
    # What the sub-entries are, for screen readers ("Saved views").
    label: str
    links: Callable[[Any], Sequence[NavChild]]
    order: int = 100


@dataclass(frozen=True)
class PeriodicTask:
    """A django-tasks ``Task`` (by dotted path) that the worker enqueues every ``every``."""

    path: str
    every: dt.timedelta


@dataclass(frozen=True)
class HomeSection:
    """A card a context adds to the workspace home page: ``context(actor)`` gives what its
    template shows, or None to leave the card out; ``stat_template`` adds a figure to the
    page's row of figures, with the same context."""

    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100
    stat_template: str | None = None


class DemoSeed(Protocol):
    def __call__(self, world: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class Demo:
    """A context's part of ``lodestar demo``: ``seed(world)`` runs after the contexts named in
    ``after`` and may read what they left in ``world``; what it returns is stored there under
    the context's name."""

    seed: DemoSeed
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    """Someone who hears domain events (``core.events.Event``).

    In-process subscribers (``durable=False``) are called right after the writing transaction
    commits; durable ones read the outbox from the worker, at least once and in order.
    ``kinds`` narrows what it hears (``"item.updated"``, or ``"item.*"``); empty hears all.
    """

    name: str
    handler: Callable[[Any], None]
    durable: bool = False
    kinds: tuple[str, ...] = ()

    def wants(self, kind: str) -> bool:
        if not self.kinds:
            return True
        prefix = kind.split(".", 1)[0]
        return kind in self.kinds or f"{prefix}.*" in self.kinds


@dataclass(frozen=True)
class Plugin:
    """Everything one context declares."""

    name: str
    objects: Sequence[ObjectType] = ()
    # The context's interfaces, by dotted module path (imported when the URLs load, not when
    # the plugin does): page URLconfs, and API modules that each define ``router``.
    urls: Sequence[str] = ()
    api: Sequence[str] = ()
    navigation: Sequence[NavEntry] = ()
    navigation_children: Sequence[NavChildren] = ()
    home: Sequence[HomeSection] = ()
    periodic: Sequence[PeriodicTask] = ()
    demo: Demo | None = None
    provides: Sequence[tuple[ExtensionPoint[Any], Any]] = ()
    subscribers: Sequence[Subscriber] = ()
    # The permissions the context owns (its policy rules, opaque to core: the people context's
    # policy reads them), and the one policy that decides permissions by name (people's).
    permissions: Sequence[Any] = ()
    authorizer: Authorizer | None = None


class Registry:
    """The installed plugins and what they declare, with lookups by name and by model."""

    def __init__(self) -> None:
        self.plugins: dict[str, Plugin] = {}
        self._types: dict[str, ObjectType] = {}
        self._by_model: dict[str, ObjectType] = {}
        self.authorizer: Authorizer | None = None

    # -- installing ----------------------------------------------------------------------

    def install(self, plugin: Plugin) -> None:
        """Add ``plugin``'s declarations; a second plugin of the same name is an error."""
        if plugin.name in self.plugins:
            raise ValueError(f"a plugin named {plugin.name!r} is already installed")
        for object_type in plugin.objects:
            self._add_type(object_type)
        if plugin.authorizer is not None:
            if self.authorizer is not None:
                raise ValueError("an authorizer is already installed; there is one policy")
            self.authorizer = plugin.authorizer
        for point, provider in plugin.provides:
            point.register(provider)
        self.plugins[plugin.name] = plugin

    def _add_type(self, object_type: ObjectType) -> None:
        if object_type.name in self._types:
            raise ValueError(f"an object type named {object_type.name!r} is already declared")
        if object_type.model_label in self._by_model:
            raise ValueError(f"{object_type.model.__name__} is already declared as an object type")
        unknown = set(object_type.permissions) - set(OBJECT_ACTIONS)
        if unknown:
            raise ValueError(f"unknown actions {sorted(unknown)} on {object_type.name!r}")
        if object_type.trash is not None:
            from lodestar.core.models import TrashableModel

            if not issubclass(object_type.model, TrashableModel):
                raise TypeError(f"{object_type.model.__name__} is not a TrashableModel")
        self._types[object_type.name] = object_type
        self._by_model[object_type.model_label] = object_type

    def replace(self, object_type: ObjectType) -> None:
        """Put ``object_type`` in place of the declared type of the same name (inside
        ``scoped()``, for tests that change a declaration)."""
        old = self._types.pop(object_type.name, None)
        if old is not None:
            self._by_model.pop(old.model_label, None)
        self._add_type(object_type)

    def discover(self) -> None:
        """Install the ``PLUGIN`` of every installed app that has a ``plugin`` module."""
        for config in apps.get_app_configs():
            module_name = f"{config.name}.plugin"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            plugin = getattr(module, "PLUGIN", None)
            if not isinstance(plugin, Plugin):
                raise TypeError(f"{module_name} must define PLUGIN = Plugin(...)")
            if self.plugins.get(plugin.name) is plugin:
                continue  # the app registry was made ready again (a test's own settings)
            self.install(plugin)

    @contextlib.contextmanager
    def scoped(self) -> Iterator[Registry]:
        """Declarations made inside the block are gone after it (for tests)."""
        saved = (dict(self.plugins), dict(self._types), dict(self._by_model), self.authorizer)
        points = [(point, point.snapshot()) for point in ExtensionPoint.all_points()]
        try:
            yield self
        finally:
            self.plugins, self._types, self._by_model, self.authorizer = saved
            for point, state in points:
                point.restore(state)

    # -- object types --------------------------------------------------------------------

    def object_types(self) -> list[ObjectType]:
        """Every declared kind of object, by name."""
        return [self._types[name] for name in sorted(self._types)]

    def object_type(self, name: str) -> ObjectType | None:
        return self._types.get(name)

    def object_type_for(self, obj_or_model: Any) -> ObjectType:
        """The declaration of a model or of one of its objects; LookupError when undeclared."""
        model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
        found = self._by_model.get(model._meta.label_lower)  # type: ignore[attr-defined]
        if found is None:
            raise LookupError(f"{model.__name__} is not declared as an object type")
        return found

    def object_type_for_label(self, model_label: str) -> ObjectType | None:
        """The declaration for ``app_label.modelname`` (as history records it), or None."""
        return self._by_model.get(model_label)

    def trashable(self) -> list[ObjectType]:
        return [t for t in self.object_types() if t.trash is not None]

    def searchable(self) -> list[ObjectType]:
        """The kinds search indexes (those that declare ``search``), by name."""
        return [t for t in self.object_types() if t.search is not None]

    def require(
        self, actor: Actor, permission: str, *, teams: Any = None, product: Any = None
    ) -> None:
        """Raise the policy's refusal unless ``actor`` holds ``permission`` (on ``teams`` or
        ``product``)."""
        if self.authorizer is None:
            raise RuntimeError("no authorizer is installed (the people plugin installs it)")
        self.authorizer(actor, permission, teams=teams, product=product)

    def authorize(
        self, actor: Actor, object_type: ObjectType, action: ObjectAction, obj: Any
    ) -> None:
        """Raise the policy's refusal unless ``actor`` may do ``action`` to ``obj``."""
        permission = object_type.permissions.get(action)
        if permission is None:
            raise LookupError(f"{object_type.name!r} does not support {action!r}")
        teams = object_type.teams(obj) if object_type.teams is not None else None
        product = object_type.product(obj) if object_type.product is not None else None
        self.require(actor, permission, teams=teams, product=product)

    # -- the rest ------------------------------------------------------------------------

    def navigation(self) -> list[NavEntry]:
        """The sidebar's entries in order (a later plugin's entry replaces one of its key)."""
        entries: dict[str, NavEntry] = {}
        for plugin in self.plugins.values():
            for entry in plugin.navigation:
                entries[entry.key] = entry
        return sorted(entries.values(), key=lambda e: (e.order, e.label))

    def navigation_children(self, parent: str) -> list[NavChildren]:
        """The providers of sub-entries under the sidebar entry ``parent``, in order."""
        found = [
            children
            for plugin in self.plugins.values()
            for children in plugin.navigation_children
            if children.parent == parent
        ]
        return sorted(found, key=lambda c: c.order)

    def url_modules(self) -> list[str]:
        """Every context's page URLconf, in ``INSTALLED_APPS`` order."""
        return [module for plugin in self.plugins.values() for module in plugin.urls]

    def api_modules(self) -> list[str]:
        """Every context's API module (each defines ``router``), in ``INSTALLED_APPS`` order."""
        return [module for plugin in self.plugins.values() for module in plugin.api]

    def home_sections(self) -> list[HomeSection]:
        """The workspace home page's cards from every context, in order."""
        sections = [section for plugin in self.plugins.values() for section in plugin.home]
        return sorted(sections, key=lambda s: (s.order, s.key))

    def periodic_tasks(self) -> list[PeriodicTask]:
        return [task for plugin in self.plugins.values() for task in plugin.periodic]

    def subscribers(self, *, durable: bool) -> list[Subscriber]:
        return [
            subscriber
            for plugin in self.plugins.values()
            for subscriber in plugin.subscribers
            if subscriber.durable == durable
        ]

    def demos(self) -> list[tuple[str, Demo]]:
        """Each plugin's demo, every one after those it names in ``after``."""
        pending = {name: p.demo for name, p in self.plugins.items() if p.demo is not None}
        ordered: list[tuple[str, Demo]] = []
        done: set[str] = set()
        while pending:
            ready = [
                name
                for name, demo in pending.items()
                if all(dep in done or dep not in pending for dep in demo.after)
            ]
            if not ready:
                raise ValueError(f"the demos {sorted(pending)} wait for each other")
            for name in ready:
                ordered.append((name, pending.pop(name)))
                done.add(name)
        return ordered


REGISTRY = Registry()


def registry() -> Registry:
    """The process's registry (filled when the app registry is ready)."""
    return REGISTRY
