"""The walk of the traceable loop (``coverage.trace``): the steps from one stage to the next, up
the chain and down it, and the walk that follows them from an object until nothing new is
reached.

A step takes the ids reached of one type and names, as a query of one column, the ids they
lead to of another type; each query leaves trashed objects out itself (a link row and both its
ends are always of one workspace: the services that write links check it). The walk goes up
and down at once, a round of steps at a time, and every step of a round is one statement (a
``UNION ALL`` of the steps' queries, each row tagged with its step): a trace costs one query per
round, not one per step, and the rounds are as many as the longer direction is long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import IntegerField, Q, QuerySet, Value

from lodestar.backlog.models import BacklogItem
from lodestar.core.db import Statements
from lodestar.decisions.models import Decision, DecisionLink
from lodestar.discovery.models import (
    Feedback,
    Insight,
    InsightProblem,
    Problem,
    ProblemItem,
)
from lodestar.outcomes.models import OutcomeReview, SuccessCriterion
from lodestar.releases.models import Release, ReleaseItem
from lodestar.sprints.models import Sprint, SprintItem

# The model of each object type a trace reaches (a follow-up is an item or a decision).
MODELS: dict[str, Any] = {
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
# At most this many objects of one type are followed (a stage that reaches more says so).
WALK_CAP = 200
# The walk's rounds and the gaps' checks, compiled once each (``run_steps``).
STATEMENTS = Statements()

Ids = dict[str, set[int]]


class Step(NamedTuple):
    """A step: the type it leads to, and the rows of ``query`` whose ``column`` names ids of
    that type."""

    kind: str
    query: QuerySet[Any]
    column: str


LIVE_ITEM = {"item__deleted_at__isnull": True}
FOLLOW_UP_TYPES = ("follow_up_item", "decision")


def up_steps(kind: str, ids: set[int], workspace_id: int) -> list[Step]:
    """What led to the objects ``ids`` of ``kind``."""
    if kind == "insight":
        return [
            Step(
                "feedback",
                Insight.objects.filter(pk__in_ids=ids, feedback__deleted_at__isnull=True),
                "feedback_id",
            )
        ]
    if kind == "problem":
        return [
            Step(
                "insight",
                InsightProblem.objects.filter(
                    problem_id__in_ids=ids, insight__deleted_at__isnull=True
                ),
                "insight_id",
            )
        ]
    if kind == "item":
        # The item's breakdown upwards (its story, its epic): what problems name.
        parents = BacklogItem.objects.filter(pk__in_ids=ids, parent__deleted_at__isnull=True)
        return [
            Step("item", parents, "parent_id"),
            Step(
                "problem",
                ProblemItem.objects.filter(
                    Q(item_id__in_ids=ids) | Q(item_id__in=parents.values("parent_id")),
                    problem__deleted_at__isnull=True,
                ),
                "problem_id",
            ),
            # A follow-up item came of an outcome review: the loop before it.
            Step(
                "outcome",
                OutcomeReview.follow_ups.through.objects.filter(backlogitem_id__in_ids=ids),
                "outcomereview_id",
            ),
        ]
    if kind == "sprint":
        return [
            Step("item", SprintItem.objects.filter(sprint_id__in_ids=ids, **LIVE_ITEM), "item_id")
        ]
    if kind == "release":
        rows = ReleaseItem.objects.filter(
            release_id__in_ids=ids, dropped_at__isnull=True, **LIVE_ITEM
        )
        return [
            Step("item", rows, "item_id"),
            Step(
                "sprint",
                SprintItem.objects.filter(item_id__in=rows.values("item_id")),
                "sprint_id",
            ),
        ]
    if kind == "success_criterion":
        measured = SuccessCriterion.objects.filter(pk__in_ids=ids)
        return [
            Step("release", measured, "release_id"),
            Step("item", measured.filter(item__deleted_at__isnull=True), "item_id"),
        ]
    if kind == "outcome":
        return [
            Step(
                "success_criterion",
                OutcomeReview.objects.filter(pk__in_ids=ids),
                "criterion_id",
            )
        ]
    if kind == "decision":
        # A decision's links name objects of any type: only the workspace's untrashed ones.
        links = DecisionLink.objects.filter(decision_id__in_ids=ids, workspace_id=workspace_id)
        return [
            Step(
                name,
                links.filter(
                    target_type=name,
                    target_id__in=model.objects.filter(workspace_id=workspace_id).values("pk"),
                ),
                "target_id",
            )
            for name, model in MODELS.items()
            if name != "decision"
        ]
    return []


def down_steps(kind: str, ids: set[int], workspace_id: int) -> list[Step]:
    """What came of the objects ``ids`` of ``kind``."""
    if kind == "feedback":
        return [Step("insight", Insight.objects.filter(feedback_id__in_ids=ids), "pk")]
    if kind == "insight":
        return [
            Step(
                "problem",
                InsightProblem.objects.filter(
                    insight_id__in_ids=ids, problem__deleted_at__isnull=True
                ),
                "problem_id",
            )
        ]
    if kind == "problem":
        return [
            Step(
                "item",
                ProblemItem.objects.filter(problem_id__in_ids=ids, **LIVE_ITEM),
                "item_id",
            )
        ]
    if kind == "item":
        # The breakdown downwards (an epic's stories and their tasks): what sprints hold.
        return [
            Step("item", BacklogItem.objects.filter(parent_id__in_ids=ids), "pk"),
            Step("sprint", SprintItem.objects.filter(item_id__in_ids=ids), "sprint_id"),
            Step(
                "release",
                ReleaseItem.objects.filter(item_id__in_ids=ids, dropped_at__isnull=True),
                "release_id",
            ),
            Step("success_criterion", SuccessCriterion.objects.filter(item_id__in_ids=ids), "pk"),
        ]
    if kind == "sprint":
        held = SprintItem.objects.filter(sprint_id__in_ids=ids, **LIVE_ITEM).values("item_id")
        return [
            Step(
                "release",
                ReleaseItem.objects.filter(item_id__in=held, dropped_at__isnull=True),
                "release_id",
            )
        ]
    if kind == "release":
        return [
            Step(
                "success_criterion",
                SuccessCriterion.objects.filter(release_id__in_ids=ids),
                "pk",
            )
        ]
    if kind == "success_criterion":
        return [Step("outcome", OutcomeReview.objects.filter(criterion_id__in_ids=ids), "pk")]
    if kind == "outcome":
        return [
            Step(
                "follow_up_item",
                OutcomeReview.follow_ups.through.objects.filter(
                    outcomereview_id__in_ids=ids, backlogitem__deleted_at__isnull=True
                ),
                "backlogitem_id",
            ),
            Step(
                "decision",
                DecisionLink.objects.filter(
                    workspace_id=workspace_id,
                    target_type="outcome",
                    target_id__in_ids=ids,
                    decision__deleted_at__isnull=True,
                ),
                "decision_id",
            ),
        ]
    return []


def combined(steps: list[Step]) -> QuerySet[Any] | None:
    """The rows of every one of ``steps`` in one statement, ``(step's index, id)`` (None: no
    steps)."""
    if not steps:
        return None
    tagged: list[QuerySet[Any]] = [
        step.query.order_by()
        .annotate(trace_step=Value(n, output_field=IntegerField()))
        .values_list("trace_step", step.column)
        for n, step in enumerate(steps)
    ]
    return tagged[0].union(*tagged[1:], all=True) if len(tagged) > 1 else tagged[0]


def run_steps(
    key: Any,
    build: Callable[[dict[Any, Any]], list[tuple[Any, Step]]],
    ids: dict[Any, set[int]],
) -> list[tuple[Any, str, set[int]]]:
    """What each step that ``build`` makes of ``ids`` names, as ``(its tag, its kind, the
    ids)``, in one statement compiled once for each ``key`` (``core.db.Statements``): ``key``
    names the steps, and ``build`` makes them, tagged, for any ids (``IdsSlot`` placeholders
    the first time)."""

    def query(slots: dict[Any, Any]) -> tuple[QuerySet[Any] | None, list[tuple[Any, str]]]:
        steps = build(slots)
        return combined([step for _, step in steps]), [(tag, step.kind) for tag, step in steps]

    rows, meta = STATEMENTS.rows(key, query, ids)
    found: list[set[int]] = [set() for _ in meta]
    for n, value in rows:
        if value is not None:
            found[n].add(value)
    return [(tag, kind, ids) for (tag, kind), ids in zip(meta, found, strict=True)]


@dataclass
class _Direction:
    """One direction of the walk: its steps, what it has reached, and what it follows next."""

    steps: Callable[[str, set[int], int], list[Step]]
    reached: Ids
    frontier: Ids
    following: Ids = field(default_factory=dict)

    def follows(self, kind: str, origin: str) -> bool:
        # Follow-up items and decisions are collected, not followed down (the loop stops
        # there). A sprint is followed only from itself: reached from an item, its other
        # items are not on that item's chain.
        if kind in FOLLOW_UP_TYPES and self.steps is down_steps:
            return False
        return kind != "sprint" or origin == "sprint"


def walk(origin: str, start: int, workspace_id: int) -> tuple[Ids, Ids, set[str]]:
    """Follow the steps up and down from the object ``start`` of the type ``origin`` until
    nothing new is reached: what was reached up, what was reached down (each with the object
    itself), and the types of which more than ``WALK_CAP`` were reached (``follow_up`` for
    follow-up items and decisions). At most ``WALK_CAP`` of a type are followed, the oldest
    first."""
    directions = [
        _Direction(up_steps, {origin: {start}}, {origin: {start}}),
        _Direction(down_steps, {origin: {start}}, {origin: {start}}),
    ]
    capped: set[str] = set()
    while any(direction.frontier for direction in directions):
        followed = [
            (n, kind, ids)
            for n, direction in enumerate(directions)
            for kind, ids in direction.frontier.items()
            if direction.follows(kind, origin)
        ]

        def build(
            slots: dict[Any, Any], followed: list[tuple[int, str, set[int]]] = followed
        ) -> list[tuple[Any, Step]]:
            return [
                (n, step)
                for n, kind, _ in followed
                for step in directions[n].steps(kind, slots[n, kind], workspace_id)
            ]

        key = ("walk", workspace_id, tuple((n, kind) for n, kind, _ in followed))
        found = run_steps(key, build, {(n, kind): ids for n, kind, ids in followed})
        for side, next_kind, next_ids in found:
            direction = directions[side]
            known = direction.reached.setdefault(next_kind, set())
            fresh = next_ids - known
            room = WALK_CAP - len(known)
            if fresh and len(fresh) > room:
                capped.add("follow_up" if next_kind in FOLLOW_UP_TYPES else next_kind)
            if not fresh or room <= 0:
                continue
            fresh = set(sorted(fresh)[:room])
            known |= fresh
            direction.following.setdefault(next_kind, set()).update(fresh)
        for direction in directions:
            direction.frontier, direction.following = direction.following, {}
    return directions[0].reached, directions[1].reached, capped
