"""The traceable loop: from any object on it, the chain in both directions.

    feedback -> insight -> problem -> backlog item -> sprint -> release
             -> success criterion -> outcome review -> follow-up item or decision

``trace_of(actor, object)`` walks *up* the chain from the object (what led to it: the feedback
behind a problem, the problems an item solves) and *down* it (what came of it: the sprints and
releases of an item, the success criteria of a release, their outcome reviews, the follow-ups
of a review), each step one query over the ids reached so far, never per object. An item stands
for its breakdown: walking down from an epic takes in its stories and tasks (they are what
sprints and releases hold), walking up from a task takes in its story and epic (they are what
problems name). A review's follow-up items are the loop closing: the trace shows them with the
decisions linked to the review, and stops there.

Trashed objects are not on the chain. Every object read belongs to the actor's workspace.

The broken links are named (``Gap``), each by a rule with a code:

- ``feedback_without_insight``: feedback that no insight was drawn from;
- ``problem_without_item``: a problem with no backlog item to solve it;
- ``solved_problem_without_release``: a solved problem none of whose items is in a release;
- ``live_release_without_criterion``: a live release with no success criterion;
- ``missed_outcome_without_follow_up``: an outcome review that says *missed* with no follow-up
  item and no decision linked to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from lodestar.backlog.models import BacklogItem
from lodestar.core.actors import Actor
from lodestar.core.registry import registry
from lodestar.decisions.models import Decision, DecisionLink
from lodestar.discovery.models import (
    Feedback,
    Insight,
    InsightProblem,
    Problem,
    ProblemItem,
    ProblemStatus,
)
from lodestar.outcomes.models import OutcomeReview, SuccessCriterion, Verdict
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from lodestar.sprints.models import Sprint, SprintItem

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
# At most this many objects of one type are followed (a stage that reaches more says so:
# ``capped``), and at most ``SHOWN`` of a stage are listed.
WALK_CAP = 200
SHOWN = 25
# At most this many broken links of one rule are named (the oldest).
GAPS_SHOWN = 10
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
_MODELS: dict[str, Any] = {
    "feedback": Feedback,
    "insight": Insight,
    "problem": Problem,
    "item": BacklogItem,
    "sprint": Sprint,
    "release": Release,
    "success_criterion": SuccessCriterion,
    "outcome": OutcomeReview,
    "decision": Decision,
}
# What the title and URL of each type read beyond its row.
_RELATED: dict[str, tuple[str, ...]] = {
    "feedback": ("workspace", "customer"),
    "insight": ("workspace", "feedback__workspace"),
    "problem": ("workspace",),
    "item": ("workspace",),
    "sprint": ("workspace", "team"),
    "release": ("workspace", "product"),
    "success_criterion": ("workspace", "product", "metric", "release", "item"),
    "outcome": (
        "workspace",
        "product",
        "criterion__metric",
        "criterion__release",
        "criterion__item",
    ),
    "decision": ("workspace", "product"),
}

Ids = dict[str, set[int]]


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


# -- the steps ------------------------------------------------------------------------------
#
# Each step takes the ids reached of one type and gives the ids it leads to, by type: one
# query each, which leaves trashed objects out itself (a link row and both its ends are always
# of one workspace: the services that write links check it).

LIVE_ITEM = {"item__deleted_at__isnull": True}


def _ids(query: Any, field_name: str) -> set[int]:
    return {value for value in query.values_list(field_name, flat=True) if value is not None}


def _live(kind: str, ids: Iterable[int], workspace_id: int) -> set[int]:
    """``ids`` of ``kind`` that are untrashed rows of the workspace (a decision's links name
    objects of any kind, so these are checked)."""
    model = _MODELS[kind]
    return _ids(model.objects.filter(pk__in=list(ids), workspace_id=workspace_id), "pk")


def _up(kind: str, ids: set[int], workspace_id: int) -> Ids:
    """What led to the objects ``ids`` of ``kind``."""
    found: Ids = {}
    if kind == "insight":
        found["feedback"] = _ids(
            Insight.objects.filter(pk__in=ids, feedback__deleted_at__isnull=True), "feedback_id"
        )
    elif kind == "problem":
        found["insight"] = _ids(
            InsightProblem.objects.filter(problem_id__in=ids, insight__deleted_at__isnull=True),
            "insight_id",
        )
    elif kind == "item":
        # The item's breakdown upwards (its story, its epic): what problems name.
        parents = _ids(
            BacklogItem.objects.filter(pk__in=ids, parent__deleted_at__isnull=True), "parent_id"
        )
        found["item"] = parents
        found["problem"] = _ids(
            ProblemItem.objects.filter(item_id__in=ids | parents, problem__deleted_at__isnull=True),
            "problem_id",
        )
        # A follow-up item came of an outcome review: the loop before it.
        found["outcome"] = _ids(
            OutcomeReview.follow_ups.through.objects.filter(backlogitem_id__in=ids),
            "outcomereview_id",
        )
    elif kind == "sprint":
        found["item"] = _ids(SprintItem.objects.filter(sprint_id__in=ids, **LIVE_ITEM), "item_id")
    elif kind == "release":
        rows = ReleaseItem.objects.filter(release_id__in=ids, dropped_at__isnull=True, **LIVE_ITEM)
        found["item"] = _ids(rows, "item_id")
        found["sprint"] = _ids(
            SprintItem.objects.filter(item_id__in=rows.values("item_id")), "sprint_id"
        )
    elif kind == "success_criterion":
        measured = list(
            SuccessCriterion.objects.filter(pk__in=ids).values_list(
                "release_id", "item_id", "item__deleted_at"
            )
        )
        found["release"] = {release for release, _, _ in measured if release is not None}
        found["item"] = {item for _, item, gone in measured if item is not None and gone is None}
    elif kind == "outcome":
        found["success_criterion"] = _ids(OutcomeReview.objects.filter(pk__in=ids), "criterion_id")
    elif kind == "decision":
        targets: Ids = {}
        for target_type, target_id in DecisionLink.objects.filter(
            decision_id__in=ids, workspace_id=workspace_id
        ).values_list("target_type", "target_id"):
            if target_type in _MODELS and target_type != "decision":
                targets.setdefault(target_type, set()).add(target_id)
        found = {name: _live(name, got, workspace_id) for name, got in targets.items()}
    return found


def _down(kind: str, ids: set[int], workspace_id: int) -> Ids:
    """What came of the objects ``ids`` of ``kind``."""
    found: Ids = {}
    if kind == "feedback":
        found["insight"] = _ids(Insight.objects.filter(feedback_id__in=ids), "pk")
    elif kind == "insight":
        found["problem"] = _ids(
            InsightProblem.objects.filter(insight_id__in=ids, problem__deleted_at__isnull=True),
            "problem_id",
        )
    elif kind == "problem":
        found["item"] = _ids(ProblemItem.objects.filter(problem_id__in=ids, **LIVE_ITEM), "item_id")
    elif kind == "item":
        # The breakdown downwards (an epic's stories and their tasks): what sprints hold.
        found["item"] = _ids(BacklogItem.objects.filter(parent_id__in=ids), "pk")
        found["sprint"] = _ids(SprintItem.objects.filter(item_id__in=ids), "sprint_id")
        found["release"] = _ids(
            ReleaseItem.objects.filter(item_id__in=ids, dropped_at__isnull=True), "release_id"
        )
        found["success_criterion"] = _ids(SuccessCriterion.objects.filter(item_id__in=ids), "pk")
    elif kind == "sprint":
        found["release"] = _ids(
            ReleaseItem.objects.filter(
                item_id__in=SprintItem.objects.filter(sprint_id__in=ids, **LIVE_ITEM).values(
                    "item_id"
                ),
                dropped_at__isnull=True,
            ),
            "release_id",
        )
    elif kind == "release":
        found["success_criterion"] = _ids(SuccessCriterion.objects.filter(release_id__in=ids), "pk")
    elif kind == "success_criterion":
        found["outcome"] = _ids(OutcomeReview.objects.filter(criterion_id__in=ids), "pk")
    elif kind == "outcome":
        found["follow_up_item"] = _ids(
            OutcomeReview.follow_ups.through.objects.filter(
                outcomereview_id__in=ids, backlogitem__deleted_at__isnull=True
            ),
            "backlogitem_id",
        )
        found["decision"] = _ids(
            DecisionLink.objects.filter(
                workspace_id=workspace_id,
                target_type="outcome",
                target_id__in=ids,
                decision__deleted_at__isnull=True,
            ),
            "decision_id",
        )
    return found


def _walk(
    origin: str,
    start: set[int],
    step: Callable[[str, set[int], int], Ids],
    workspace_id: int,
    reached: Ids,
    capped: set[str],
) -> None:
    """Follow ``step`` from the objects ``start`` of the type ``origin`` until nothing new is
    reached, adding to ``reached``. Follow-up items and decisions are collected, not followed
    down (the loop stops there). A sprint is followed only from itself: reached from an item,
    its other items are not on that item's chain."""
    frontier: Ids = {origin: set(start)}
    while frontier:
        following: Ids = {}
        for kind, ids in frontier.items():
            if kind in ("follow_up_item", "decision") and step is _down:
                continue
            if kind == "sprint" and origin != "sprint":
                continue
            for next_kind, next_ids in step(kind, ids, workspace_id).items():
                known = reached.setdefault(next_kind, set())
                fresh = next_ids - known
                room = WALK_CAP - len(known)
                if fresh and len(fresh) > room:
                    capped.add(
                        "follow_up" if next_kind in ("follow_up_item", "decision") else next_kind
                    )
                if not fresh or room <= 0:
                    continue
                fresh = set(sorted(fresh)[:room])
                known |= fresh
                if fresh:
                    following.setdefault(next_kind, set()).update(fresh)
        frontier = following


# -- the trace ------------------------------------------------------------------------------


def _node(kind: str, obj: Any, origin: bool = False) -> TraceNode:
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
        origin=origin,
    )


def _objects(kind: str, ids: Iterable[int]) -> list[Any]:
    model = _MODELS[kind]
    return list(
        model.objects.filter(pk__in=list(ids)).select_related(*_RELATED[kind]).order_by("pk")
    )


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
    reached: Ids = {kind: {obj.pk}}
    capped: set[str] = set()
    _walk(kind, {obj.pk}, _up, workspace_id, reached, capped)
    down: Ids = {kind: {obj.pk}}
    _walk(kind, {obj.pk}, _down, workspace_id, down, capped)
    for name, ids in down.items():
        reached.setdefault(name, set()).update(ids)
    follow_up_items = reached.pop("follow_up_item", set())
    if kind == "item":
        follow_up_items.discard(obj.pk)
    origin = _node(kind, obj, origin=True)
    stages: list[TraceStage] = []
    for stage in STAGES:
        if stage == "follow_up":
            decisions = reached.get("decision", set())
            first = obj.pk if kind == "decision" else None
            listed_items = _listed(follow_up_items, shown)
            listed_decisions = _listed(decisions, shown - len(listed_items), first)
            nodes = [_node("item", item) for item in _objects("item", listed_items)] + [
                _node("decision", one, origin=kind == "decision" and one.pk == obj.pk)
                for one in _objects("decision", listed_decisions)
            ]
            total = len(follow_up_items) + len(decisions)
        else:
            ids = reached.get(stage, set())
            first = obj.pk if stage == kind else None
            objects = {one.pk: one for one in _objects(stage, _listed(ids, shown, first))}
            nodes = [
                _node(stage, one, origin=stage == kind and one.pk == obj.pk)
                for one in (objects[pk] for pk in _listed(ids, shown, first) if pk in objects)
            ]
            total = len(ids)
        stages.append(
            TraceStage(
                stage,
                STAGE_LABELS[stage],
                nodes,
                max(0, total - len(nodes)),
                capped=stage in capped,
            )
        )
    return Trace(origin=origin, stages=stages, gaps=_gaps(reached, workspace_id))


def _gap_nodes(kind: str, ids: Iterable[int], rule: str, message: str) -> list[Gap]:
    chosen = sorted(ids)[:GAPS_SHOWN]
    return [Gap(rule, message, _node(kind, one)) for one in _objects(kind, chosen)]


def _gaps(reached: Ids, workspace_id: int) -> list[Gap]:
    """The broken links among the objects reached, by rule (at most ``GAPS_SHOWN`` a rule);
    a few queries over their ids, whatever their number."""
    gaps: list[Gap] = []
    feedback = reached.get("feedback", set())
    if feedback:
        drawn = set(
            Insight.objects.filter(feedback_id__in=feedback).values_list("feedback_id", flat=True)
        )
        gaps += _gap_nodes(
            "feedback",
            feedback - drawn,
            "feedback_without_insight",
            "No insight was drawn from this feedback: it is evidence of nothing yet.",
        )
    problems = reached.get("problem", set())
    if problems:
        status = dict(Problem.objects.filter(pk__in=problems).values_list("pk", "status"))
        items_of: dict[int, set[int]] = {}
        for problem_id, item_id in ProblemItem.objects.filter(
            problem_id__in=problems, item__deleted_at__isnull=True
        ).values_list("problem_id", "item_id"):
            items_of.setdefault(problem_id, set()).add(item_id)
        released = set(
            ReleaseItem.objects.filter(
                item_id__in={i for ids in items_of.values() for i in ids},
                dropped_at__isnull=True,
            ).values_list("item_id", flat=True)
        )
        gaps += _gap_nodes(
            "problem",
            (
                pk
                for pk, state in status.items()
                if not items_of.get(pk)
                and state not in (ProblemStatus.WONT_SOLVE, ProblemStatus.SOLVED)
            ),
            "problem_without_item",
            "No backlog item solves this problem.",
        )
        gaps += _gap_nodes(
            "problem",
            (
                pk
                for pk, state in status.items()
                if state == ProblemStatus.SOLVED and not items_of.get(pk, set()) & released
            ),
            "solved_problem_without_release",
            "Marked solved, but none of its items is in a release.",
        )
    releases = set(
        Release.objects.filter(
            pk__in=reached.get("release", set()), state=ReleaseState.LIVE
        ).values_list("pk", flat=True)
    )
    if releases:
        measured = set(
            SuccessCriterion.objects.filter(release_id__in=releases).values_list(
                "release_id", flat=True
            )
        )
        gaps += _gap_nodes(
            "release",
            releases - measured,
            "live_release_without_criterion",
            "Live with no success criterion: nothing says whether it worked.",
        )
    missed = set(
        OutcomeReview.objects.filter(
            pk__in=reached.get("outcome", set()), verdict=Verdict.MISSED
        ).values_list("pk", flat=True)
    )
    if missed:
        followed = set(
            OutcomeReview.follow_ups.through.objects.filter(
                outcomereview_id__in=missed
            ).values_list("outcomereview_id", flat=True)
        ) | set(
            DecisionLink.objects.filter(
                Q(workspace_id=workspace_id), target_type="outcome", target_id__in=missed
            ).values_list("target_id", flat=True)
        )
        gaps += _gap_nodes(
            "outcome",
            missed - followed,
            "missed_outcome_without_follow_up",
            "The outcome was missed and nothing followed: no follow-up item, no decision.",
        )
    return gaps
