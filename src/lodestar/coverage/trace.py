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
# At most this many objects of one type are followed (the rest are counted, not walked), and
# at most ``SHOWN`` of a stage are listed.
WALK_CAP = 500
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
    "insight": ("workspace", "feedback"),
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
# query each. ``live`` limits a type to its untrashed rows of the workspace.


def _live(kind: str, ids: Iterable[int], workspace_id: int) -> set[int]:
    model = _MODELS[kind]
    return set(
        model.objects.filter(pk__in=list(ids), workspace_id=workspace_id).values_list(
            "pk", flat=True
        )
    )


def _up(kind: str, ids: set[int], workspace_id: int) -> Ids:
    """What led to the objects ``ids`` of ``kind``."""
    found: Ids = {}
    if kind == "insight":
        found["feedback"] = set(
            Insight.objects.filter(pk__in=ids).values_list("feedback_id", flat=True)
        )
    elif kind == "problem":
        found["insight"] = set(
            InsightProblem.objects.filter(problem_id__in=ids).values_list("insight_id", flat=True)
        )
    elif kind == "item":
        # The item's breakdown upwards (its story, its epic): what problems name.
        parents = set(
            BacklogItem.objects.filter(pk__in=ids, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
        found["item"] = parents
        found["problem"] = set(
            ProblemItem.objects.filter(item_id__in=ids | parents).values_list(
                "problem_id", flat=True
            )
        )
        # A follow-up item came of an outcome review: the loop before it.
        found["outcome"] = set(
            OutcomeReview.follow_ups.through.objects.filter(backlogitem_id__in=ids).values_list(
                "outcomereview_id", flat=True
            )
        )
    elif kind == "sprint":
        found["item"] = set(
            SprintItem.objects.filter(sprint_id__in=ids).values_list("item_id", flat=True)
        )
    elif kind == "release":
        items = set(
            ReleaseItem.objects.filter(release_id__in=ids, dropped_at__isnull=True).values_list(
                "item_id", flat=True
            )
        )
        found["item"] = items
        found["sprint"] = set(
            SprintItem.objects.filter(item_id__in=items).values_list("sprint_id", flat=True)
        )
    elif kind == "success_criterion":
        rows = SuccessCriterion.objects.filter(pk__in=ids).values_list("release_id", "item_id")
        found["release"] = {release for release, _ in rows if release is not None}
        found["item"] = {item for _, item in rows if item is not None}
    elif kind == "outcome":
        found["success_criterion"] = set(
            OutcomeReview.objects.filter(pk__in=ids).values_list("criterion_id", flat=True)
        )
    elif kind == "decision":
        for target_type, target_id in DecisionLink.objects.filter(
            decision_id__in=ids, workspace_id=workspace_id
        ).values_list("target_type", "target_id"):
            if target_type in _MODELS and target_type != "decision":
                found.setdefault(target_type, set()).add(target_id)
    return found


def _down(kind: str, ids: set[int], workspace_id: int) -> Ids:
    """What came of the objects ``ids`` of ``kind``."""
    found: Ids = {}
    if kind == "feedback":
        found["insight"] = set(
            Insight.objects.filter(feedback_id__in=ids).values_list("pk", flat=True)
        )
    elif kind == "insight":
        found["problem"] = set(
            InsightProblem.objects.filter(insight_id__in=ids).values_list("problem_id", flat=True)
        )
    elif kind == "problem":
        found["item"] = set(
            ProblemItem.objects.filter(problem_id__in=ids).values_list("item_id", flat=True)
        )
    elif kind == "item":
        # The breakdown downwards (an epic's stories and their tasks): what sprints hold.
        found["item"] = set(
            BacklogItem.objects.filter(parent_id__in=ids).values_list("pk", flat=True)
        )
        found["sprint"] = set(
            SprintItem.objects.filter(item_id__in=ids).values_list("sprint_id", flat=True)
        )
        found["release"] = set(
            ReleaseItem.objects.filter(item_id__in=ids, dropped_at__isnull=True).values_list(
                "release_id", flat=True
            )
        )
        found["success_criterion"] = set(
            SuccessCriterion.objects.filter(item_id__in=ids).values_list("pk", flat=True)
        )
    elif kind == "sprint":
        items = set(SprintItem.objects.filter(sprint_id__in=ids).values_list("item_id", flat=True))
        found["release"] = set(
            ReleaseItem.objects.filter(item_id__in=items, dropped_at__isnull=True).values_list(
                "release_id", flat=True
            )
        )
    elif kind == "release":
        found["success_criterion"] = set(
            SuccessCriterion.objects.filter(release_id__in=ids).values_list("pk", flat=True)
        )
    elif kind == "success_criterion":
        found["outcome"] = set(
            OutcomeReview.objects.filter(criterion_id__in=ids).values_list("pk", flat=True)
        )
    elif kind == "outcome":
        found["follow_up_item"] = set(
            OutcomeReview.follow_ups.through.objects.filter(outcomereview_id__in=ids).values_list(
                "backlogitem_id", flat=True
            )
        )
        found["decision"] = set(
            DecisionLink.objects.filter(
                workspace_id=workspace_id, target_type="outcome", target_id__in=ids
            ).values_list("decision_id", flat=True)
        )
    return found


def _walk(
    origin: str,
    start: set[int],
    step: Callable[[str, set[int], int], Ids],
    workspace_id: int,
    reached: Ids,
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
                if not fresh or room <= 0:
                    continue
                fresh = _live(
                    "item" if next_kind == "follow_up_item" else next_kind,
                    sorted(fresh)[: max(room, 0)],
                    workspace_id,
                )
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


def _objects(kind: str, ids: set[int]) -> list[Any]:
    model = _MODELS[kind]
    return list(model.objects.filter(pk__in=ids).select_related(*_RELATED[kind]).order_by("pk"))


def trace_of(actor: Actor, kind: str, obj: Any, *, shown: int = SHOWN) -> Trace:
    """The chain through ``obj`` (of the object type ``kind``, already through its gate for
    ``actor``): its stages in order with the objects reached (at most ``shown`` listed a
    stage, the rest counted), and the broken links."""
    workspace_id = actor.workspace_id
    reached: Ids = {kind: {obj.pk}}
    _walk(kind, {obj.pk}, _up, workspace_id, reached)
    down: Ids = {kind: {obj.pk}}
    _walk(kind, {obj.pk}, _down, workspace_id, down)
    for name, ids in down.items():
        reached.setdefault(name, set()).update(ids)
    follow_up_items = reached.pop("follow_up_item", set())
    if kind == "item" and obj.pk in follow_up_items:
        follow_up_items.discard(obj.pk)
    origin = _node(kind, obj, origin=True)
    stages: list[TraceStage] = []
    loaded: dict[str, list[Any]] = {}
    for stage in STAGES:
        nodes: list[TraceNode] = []
        if stage == "follow_up":
            items = _objects("item", follow_up_items) if follow_up_items else []
            decisions = _objects("decision", reached.get("decision", set()))
            nodes = [_node("item", item) for item in items] + [
                _node("decision", decision, origin=kind == "decision" and decision.pk == obj.pk)
                for decision in decisions
            ]
        else:
            objects = _objects(stage, reached.get(stage, set()))
            loaded[stage] = objects
            nodes = [
                _node(stage, one, origin=stage == kind and one.pk == obj.pk) for one in objects
            ]
        stages.append(
            TraceStage(
                stage,
                STAGE_LABELS[stage],
                nodes[:shown],
                max(0, len(nodes) - shown),
            )
        )
    return Trace(origin=origin, stages=stages, gaps=_gaps(loaded, workspace_id))


def _gaps(loaded: dict[str, list[Any]], workspace_id: int) -> list[Gap]:
    gaps: list[Gap] = []
    feedback = loaded.get("feedback", [])
    if feedback:
        drawn = set(
            Insight.objects.filter(feedback_id__in=[f.pk for f in feedback]).values_list(
                "feedback_id", flat=True
            )
        )
        gaps += [
            Gap(
                "feedback_without_insight",
                "No insight was drawn from this feedback: it is evidence of nothing yet.",
                _node("feedback", one),
            )
            for one in feedback
            if one.pk not in drawn
        ]
    problems = loaded.get("problem", [])
    if problems:
        links = ProblemItem.objects.filter(
            problem_id__in=[p.pk for p in problems], item__deleted_at__isnull=True
        ).values_list("problem_id", "item_id")
        items_of: dict[int, set[int]] = {}
        for problem_id, item_id in links:
            items_of.setdefault(problem_id, set()).add(item_id)
        released = set(
            ReleaseItem.objects.filter(
                item_id__in={i for ids in items_of.values() for i in ids},
                dropped_at__isnull=True,
            ).values_list("item_id", flat=True)
        )
        for problem in problems:
            solving = items_of.get(problem.pk, set())
            if not solving and problem.status not in (
                ProblemStatus.WONT_SOLVE,
                ProblemStatus.SOLVED,
            ):
                gaps.append(
                    Gap(
                        "problem_without_item",
                        "No backlog item solves this problem.",
                        _node("problem", problem),
                    )
                )
            if problem.status == ProblemStatus.SOLVED and not solving & released:
                gaps.append(
                    Gap(
                        "solved_problem_without_release",
                        "Marked solved, but none of its items is in a release.",
                        _node("problem", problem),
                    )
                )
    releases = [r for r in loaded.get("release", []) if r.state == ReleaseState.LIVE]
    if releases:
        measured = set(
            SuccessCriterion.objects.filter(release_id__in=[r.pk for r in releases]).values_list(
                "release_id", flat=True
            )
        )
        gaps += [
            Gap(
                "live_release_without_criterion",
                "Live with no success criterion: nothing says whether it worked.",
                _node("release", release),
            )
            for release in releases
            if release.pk not in measured
        ]
    missed = [r for r in loaded.get("outcome", []) if r.verdict == Verdict.MISSED]
    if missed:
        ids = [r.pk for r in missed]
        followed = set(
            OutcomeReview.follow_ups.through.objects.filter(outcomereview_id__in=ids).values_list(
                "outcomereview_id", flat=True
            )
        ) | set(
            DecisionLink.objects.filter(
                Q(workspace_id=workspace_id), target_type="outcome", target_id__in=ids
            ).values_list("target_id", flat=True)
        )
        gaps += [
            Gap(
                "missed_outcome_without_follow_up",
                "The outcome was missed and nothing followed: no follow-up item, no decision.",
                _node("outcome", review),
            )
            for review in missed
            if review.pk not in followed
        ]
    return gaps
