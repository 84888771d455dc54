"""The generic link seam: a decision links to any declared kind of workspace object, named by
its kind (``core.registry.ObjectType.name``) and the reference its gate takes (``item:ACME-12``,
``problem:7``). Nothing here names a kind: a context added later (releases, metrics) becomes
linkable by declaring its objects with a gate and a page, and its objects show their decisions
through the section seam its pages offer.

A target is resolved through its kind's gate (missing, trashed, of another workspace or not
visible to the actor: all bad input naming the field) and its ``view`` permission.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lodestar.core.errors import DomainError, Invalid, NotFound
from lodestar.core.registry import ObjectType, registry
from lodestar.decisions.errors import DecisionErrorCode as Code
from lodestar.decisions.models import DecisionLink
from lodestar.people.policy import Actor

# Decisions link to each other by superseding, not as targets.
OWN_KIND = "decision"


@dataclass(frozen=True)
class Target:
    """A linked object as pages, the API and the CLI show it."""

    type: str
    id: int
    ref: str
    label: str
    title: str
    url: str

    @property
    def spelled(self) -> str:
        """``item:ACME-12``: how input names it."""
        return f"{self.type}:{self.ref}"


def linkable_types() -> list[ObjectType]:
    """The kinds a decision may link to: those with a gate, a page and a ``view`` permission."""
    return [
        declared
        for declared in registry().object_types()
        if declared.name != OWN_KIND
        and declared.gate is not None
        and declared.url is not None
        and declared.supports("view")
    ]


def linkable_names() -> list[str]:
    return [declared.name for declared in linkable_types()]


def split(text: str, *, field: str) -> tuple[str, str]:
    """``"item:ACME-12"`` as ``("item", "ACME-12")``; anything else is bad input."""
    kind, sep, ref = (text or "").partition(":")
    if not sep or not kind.strip() or not ref.strip():
        raise Invalid.field(
            field,
            f"name the object as kind:reference, for example item:ACME-12 (not '{text[:60]}')",
            code=Code.DECISION_LINK_INVALID,
        )
    return kind.strip().lower(), ref.strip()


def resolve(actor: Actor, kind: str, ref: str, *, field: str) -> tuple[ObjectType, Any]:
    """The object ``ref`` of kind ``kind`` that the actor can see in their workspace; an
    unknown kind or object is bad input naming ``field``."""
    declared = registry().object_type(kind)
    if declared is None or declared.name not in linkable_names():
        kinds = ", ".join(linkable_names())
        raise Invalid.field(
            field,
            f"'{kind[:40]}' is not a kind of object a decision links to (one of: {kinds})",
            code=Code.DECISION_LINK_INVALID,
        )
    assert declared.gate is not None  # noqa: S101 - linkable_types checked it
    try:
        obj = declared.gate(actor, ref)
        if declared.workspace_id_of(obj) != actor.workspace_id:
            raise NotFound("another workspace's")
        registry().authorize(actor, declared, "view", obj)
    except DomainError as error:
        raise Invalid.field(
            field,
            f"no {declared.label} {ref[:60]} in this workspace",
            code=Code.DECISION_LINK_INVALID,
        ) from error
    return declared, obj


def target_of(declared: ObjectType, obj: Any) -> Target:
    assert declared.url is not None  # noqa: S101 - linkable_types checked it
    return Target(
        type=declared.name,
        id=int(obj.pk),
        ref=declared.ref_of(obj),
        label=declared.label,
        title=declared.title(obj),
        url=declared.url(obj),
    )


def targets(links: Iterable[DecisionLink]) -> dict[int, Target]:
    """The live targets of ``links`` by link id, a query per kind; a link whose object is
    gone (trashed, purged) or whose kind is no longer declared is left out."""
    by_kind: dict[str, list[DecisionLink]] = defaultdict(list)
    for link in links:
        by_kind[link.target_type].append(link)
    found: dict[int, Target] = {}
    for kind, rows in by_kind.items():
        declared = registry().object_type(kind)
        if declared is None or declared.url is None:
            continue
        model = declared.model
        objects = model._default_manager.all()
        if any(f.name == "workspace" for f in model._meta.get_fields()):
            objects = objects.select_related("workspace")
        if declared.search_related:
            objects = objects.select_related(*declared.search_related)
        by_id = {obj.pk: obj for obj in objects.filter(pk__in={r.target_id for r in rows})}
        for link in rows:
            obj = by_id.get(link.target_id)
            if obj is not None and declared.workspace_id_of(obj) == link.workspace_id:
                found[link.pk] = target_of(declared, obj)
    return found
