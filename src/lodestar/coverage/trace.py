"""The traceable loop: from any object on it, the chain in both directions.

    feedback -> insight -> problem -> backlog item -> sprint -> release
             -> success criterion -> outcome review -> follow-up item or decision

``trace_of(actor, object)`` walks *up* the chain from the object (what led to it: the feedback
behind a problem, the problems an item solves) and *down* it (what came of it: the sprints and
releases of an item, the success criteria of a release, their outcome reviews, the follow-ups
of a review), a round of steps at a time, each round one query over the ids reached so far
(``coverage.trace_walk``), never per object. An item stands
for its breakdown: walking down from an epic takes in its stories and tasks (they are what
sprints and releases hold), walking up from a task takes in its story and epic (they are what
problems name). A review's follow-up items are the loop closing: the trace shows them with the
decisions linked to the review, and stops there.

Trashed objects are not on the chain. Every object read belongs to the actor's workspace.

The broken links are named (``Gap``), each by a rule with a code (``coverage.trace_gaps``).
Then the objects listed and those the gaps name are read whole, a query per type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from lodestar.core.actors import Actor
from lodestar.core.registry import registry
from lodestar.coverage.trace_gaps import broken_links
from lodestar.coverage.trace_walk import MODELS, Ids, walk

# The chain's stages, in order; each is an object type's name (``core.registry``).
STAGES: tuple[str, ...] = (
    "feedback",
    "insight",
    "problem",
    "item",
    "sprint",
    "release",
    "success_criterion",
    "outcome",
    "follow_up",
)
STAGE_LABELS = {
    "feedback": "Feedback",
    "insight": "Insights",
    "problem": "Problems",
    "item": "Backlog items",
    "sprint": "Sprints",
    "release": "Releases",
    "success_criterion": "Success criteria",
    "outcome": "Outcome reviews",
    "follow_up": "Follow-ups",
}
# The object types a trace starts from (a follow-up is an item or a decision).
ORIGINS = frozenset(STAGES[:-1]) | {"decision"}
# At most ``SHOWN`` objects of a stage are listed (a trace follows at most
# ``trace_walk.WALK_CAP`` of a type, a stage that reaches more saying so: ``capped``).
SHOWN = 25
# Where each type's state is, for the list.
_STATE = {
    "feedback": "state",
    "problem": "status",
    "item": "status",
    "sprint": "state",
    "release": "state",
    "outcome": "verdict",
    "decision": "status",
}
# What the title and URL of each type read beyond its row and its workspace. Every object a
# trace reaches is of the actor's workspace: it is read once, with the origin, and given to
# the others (and to the related objects named in ``_IN_WORKSPACE``) rather than joined to
# every row.
_RELATED: dict[str, tuple[str, ...]] = {
    "feedback": (),
    "insight": ("feedback",),
    "problem": (),
    "item": (),
    "sprint": ("team",),
    "release": ("product",),
    "success_criterion": ("product", "metric"),
    "outcome": ("product", "criterion__metric"),
    "decision": ("product",),
}
_IN_WORKSPACE: dict[str, tuple[str, ...]] = {"insight": ("feedback",)}
# The columns those read, of the row and of the related rows: a stage's objects are read as
# few columns of wide rows (an item's description, a release's notes are not listed). A column
# read but not named costs a query per object; a test fails on it.
_METRIC = ("name", "unit", "direction")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "feedback": ("text", "state"),
    "insight": ("quote", "feedback__workspace_id"),
    "problem": ("title", "status"),
    "item": ("key", "title", "status"),
    "sprint": ("name", "state", "team__name"),
    "release": ("name", "state", "product__key"),
    "success_criterion": (
        "target",
        "target_kind",
        "product__key",
        *(f"metric__{name}" for name in _METRIC),
    ),
    "outcome": (
        "verdict",
        "product__key",
        "criterion__target",
        "criterion__target_kind",
        *(f"criterion__metric__{name}" for name in _METRIC),
    ),
    "decision": ("number", "title", "status", "product__key"),
}


@dataclass(frozen=True)
class TraceNode:
    type: str  # an object type's name: "item", "problem", ...
    id: int
    ref: str  # what the object's page and the API name it by (ACME-12, an id)
    title: str
    label: str  # the type in words: "backlog item"
    state: str  # its status, state or verdict in words ("" when it has none)
    state_code: str
    url: str | None
    origin: bool = False


@dataclass(frozen=True)
class TraceStage:
    name: str
    label: str
    nodes: list[TraceNode]
    more: int = 0  # reached but not listed (past ``SHOWN``)
    capped: bool = False  # more than ``WALK_CAP`` reached: ``more`` is a floor


@dataclass(frozen=True)
class Gap:
    rule: str
    message: str
    node: TraceNode


@dataclass
class Trace:
    origin: TraceNode
    stages: list[TraceStage]
    gaps: list[Gap] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(stage.nodes) + stage.more for stage in self.stages)


def _node(kind: str, obj: Any) -> TraceNode:
    object_type = registry().object_type(kind)
    if object_type is None:
        raise LookupError(f"no object type {kind!r}")
    state_field = _STATE.get(kind)
    code = str(getattr(obj, state_field)) if state_field else ""
    words = getattr(obj, f"get_{state_field}_display")() if state_field else ""
    return TraceNode(
        type=kind,
        id=obj.pk,
        ref=object_type.ref_of(obj),
        title=object_type.title(obj),
        label=object_type.label,
        state=str(words),
        state_code=code,
        url=object_type.url(obj) if object_type.url is not None else None,
    )


def _read(wanted: Ids, origin: str, obj: Any) -> dict[tuple[str, int], TraceNode]:
    """The nodes of the objects ``wanted``, a query per type, the origin's type first (its
    row brings the workspace, which the others are given)."""
    nodes: dict[tuple[str, int], TraceNode] = {}
    workspace = None
    for kind in sorted(wanted, key=lambda name: name != origin):
        query = (
            MODELS[kind]
            .objects.filter(pk__in_ids=wanted[kind])
            .only("workspace_id", *_COLUMNS[kind])
        )
        related = _RELATED[kind] if workspace is not None else ("workspace", *_RELATED[kind])
        if related:  # (without paths, ``select_related`` would join every foreign key)
            query = query.select_related(*related)
        if workspace is None:
            query = query.only("workspace", *_COLUMNS[kind])
        for one in query.order_by("pk"):
            if workspace is None:
                workspace = one.workspace
            for path in ("", *_IN_WORKSPACE.get(kind, ())):
                holder = getattr(one, path) if path else one
                if holder.workspace_id == workspace.pk:
                    holder.workspace = workspace
            nodes[kind, one.pk] = _node(kind, one)
    if (origin, obj.pk) not in nodes:  # not a live row (the caller's object is what counts)
        nodes[origin, obj.pk] = _node(origin, obj)
    return nodes


def _listed(ids: set[int], shown: int, first: int | None = None) -> list[int]:
    """The ids a stage lists: the origin first when it is there, then the oldest."""
    ordered = sorted(ids - {first}) if first is not None else sorted(ids)
    head = [first] if first is not None and first in ids else []
    return (head + ordered)[:shown]


def trace_of(actor: Actor, kind: str, obj: Any, *, shown: int = SHOWN) -> Trace:
    """The chain through ``obj`` (of the object type ``kind``, already through its gate for
    ``actor``): its stages in order with the objects reached (at most ``shown`` listed a
    stage, the rest counted; only those listed are read whole), and the broken links."""
    workspace_id = actor.workspace_id
    reached, down, capped = walk(kind, obj.pk, workspace_id)
    for name, ids in down.items():
        reached.setdefault(name, set()).update(ids)
    follow_up_items = reached.pop("follow_up_item", set())
    if kind == "item":
        follow_up_items.discard(obj.pk)
    # What each stage lists, as (type, id); a follow-up is an item or a decision.
    listed: dict[str, list[tuple[str, int]]] = {}
    for stage in STAGES[:-1]:
        first = obj.pk if stage == kind else None
        listed[stage] = [(stage, pk) for pk in _listed(reached.get(stage, set()), shown, first)]
    items = _listed(follow_up_items, shown)
    decisions = _listed(
        reached.get("decision", set()), shown - len(items), obj.pk if kind == "decision" else None
    )
    listed["follow_up"] = [("item", pk) for pk in items] + [("decision", pk) for pk in decisions]
    broken = broken_links(reached, workspace_id)
    wanted: Ids = {kind: {obj.pk}}
    for named in [*listed.values(), *([(rule.kind, pk) for pk in ids] for rule, ids in broken)]:
        for name, pk in named:
            wanted.setdefault(name, set()).add(pk)
    nodes = _read(wanted, kind, obj)
    origin = dataclasses.replace(nodes[kind, obj.pk], origin=True)
    stages = []
    for stage in STAGES:
        shown_nodes = [
            origin if key == (kind, obj.pk) else nodes[key] for key in listed[stage] if key in nodes
        ]
        if stage == "follow_up":
            total = len(follow_up_items) + len(reached.get("decision", set()))
        else:
            total = len(reached.get(stage, set()))
        stages.append(
            TraceStage(
                stage,
                STAGE_LABELS[stage],
                shown_nodes,
                max(0, total - len(shown_nodes)),
                capped=stage in capped,
            )
        )
    gaps = [
        Gap(rule.code, rule.message, nodes[rule.kind, pk])
        for rule, ids in broken
        for pk in ids
        if (rule.kind, pk) in nodes
    ]
    return Trace(origin=origin, stages=stages, gaps=gaps)
