"""The opportunity map of a Product Goal: the goal, the customer problems (opportunities) under
it by their evidence, the backlog items (solutions) for each with their status, and the
outcomes measured for them, with the gaps marked.

A problem is under the goal when one of the goal's items (an item whose goal it is, or a
descendant of one) solves it. Under each problem: the goal's items that solve it, each with
its releases and the verdicts of the success criteria measured on it (on the item itself, an
epic, or on a release it went out in). Items of the goal that solve no problem come last, as
solutions without an opportunity. A constant number of queries whatever the goal's size.

The gaps:

- ``solution_without_problem``: an item of the goal that solves no customer problem;
- ``problem_without_evidence``: a problem under the goal with no insight behind it;
- ``done_not_measured``: a finished item with no success criterion on it or on a release it
  went out in;
- ``missed``: an outcome measured and missed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.discovery.models import Problem, ProblemItem
from lodestar.discovery.selectors import problem_evidence
from lodestar.outcomes.models import OutcomeReview, SuccessCriterion, Verdict
from lodestar.outcomes.services import criterion_label
from lodestar.releases.models import ReleaseItem, ReleaseState

DONE = (ItemStatus.DONE,)


@dataclass(frozen=True)
class Outcome:
    label: str
    verdict: str  # pending, met, missed, inconclusive; "" when not reviewed yet
    verdict_label: str
    review_id: int | None


@dataclass
class Solution:
    item: Any  # BacklogItem
    releases: list[tuple[str, str]] = field(default_factory=list)  # (name, state)
    outcomes: list[Outcome] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


@dataclass
class Opportunity:
    problem: Any  # Problem
    customers: int
    arr: Decimal
    insights: int
    latest_at: dt.datetime | None
    solutions: list[Solution] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


@dataclass
class OpportunityMap:
    goal: Any
    opportunities: list[Opportunity]
    unlinked: list[Solution]  # the goal's items that solve no problem

    @property
    def gap_count(self) -> int:
        return (
            sum(len(o.gaps) for o in self.opportunities)
            + sum(len(s.gaps) for o in self.opportunities for s in o.solutions)
            + sum(len(s.gaps) for s in self.unlinked)
        )


GAP_WORDS = {
    "solution_without_problem": "Solves no customer problem",
    "problem_without_evidence": "No insight behind it",
    "done_not_measured": "Done, no success criterion measures it",
    "missed": "Outcome missed",
}


def _goal_items(goal: Any) -> list[BacklogItem]:
    """The goal's items and their descendants (live), in backlog order."""
    found: dict[int, BacklogItem] = {
        item.pk: item for item in BacklogItem.objects.filter(goal=goal).order_by("rank")
    }
    frontier = set(found)
    for _ in range(3):  # epic -> story -> task
        if not frontier:
            break
        children = list(
            BacklogItem.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=found)
            .order_by("rank")
        )
        frontier = {child.pk for child in children}
        found.update((child.pk, child) for child in children)
    return list(found.values())


def opportunity_map(goal: Any) -> OpportunityMap:
    """The map of ``goal`` (already through its gate)."""
    items = _goal_items(goal)
    by_id = {item.pk: item for item in items}
    links: dict[int, list[int]] = defaultdict(list)
    for problem_id, item_id in ProblemItem.objects.filter(
        item_id__in=by_id, problem__deleted_at__isnull=True
    ).values_list("problem_id", "item_id"):
        links[problem_id].append(item_id)
    problems = list(Problem.objects.filter(pk__in=links))
    evidence = problem_evidence([p.pk for p in problems])

    releases_of: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for item_id, release_id, name, state in ReleaseItem.objects.filter(
        item_id__in=by_id, dropped_at__isnull=True
    ).values_list("item_id", "release_id", "release__name", "release__state"):
        releases_of[item_id].append((release_id, name, state))
    release_ids = {release for rows in releases_of.values() for release, _, _ in rows}
    criteria = list(
        SuccessCriterion.objects.filter(item_id__in=by_id).select_related("metric")
    ) + list(SuccessCriterion.objects.filter(release_id__in=release_ids).select_related("metric"))
    reviews = {
        review.criterion_id: review
        for review in OutcomeReview.objects.filter(criterion_id__in=[c.pk for c in criteria])
    }
    on_item: dict[int, list[Outcome]] = defaultdict(list)
    on_release: dict[int, list[Outcome]] = defaultdict(list)
    for criterion in criteria:
        review = reviews.get(criterion.pk)
        outcome = Outcome(
            label=criterion_label(criterion),
            verdict=review.verdict if review is not None else "",
            verdict_label=review.get_verdict_display() if review is not None else "Not reviewed",
            review_id=review.pk if review is not None else None,
        )
        if criterion.item_id is not None:
            on_item[criterion.item_id].append(outcome)
        if criterion.release_id is not None:
            on_release[criterion.release_id].append(outcome)

    children: dict[int, list[int]] = defaultdict(list)
    for one in items:
        if one.parent_id in by_id:
            children[one.parent_id].append(one.pk)

    def family(item_id: int) -> list[int]:
        """The item and its breakdown (an epic's stories and their tasks)."""
        found, frontier = [item_id], [item_id]
        while frontier:
            frontier = [child for parent in frontier for child in children[parent]]
            found += frontier
        return found

    def solution(item: BacklogItem) -> Solution:
        """The item with the releases and outcomes of its breakdown (what shipped of it)."""
        members = family(item.pk)
        shipped = {
            release: (name, state) for one in members for release, name, state in releases_of[one]
        }
        outcomes = {id(outcome): outcome for one in members for outcome in on_item.get(one, [])}
        for release in shipped:
            outcomes.update((id(outcome), outcome) for outcome in on_release[release])
        made = Solution(
            item=item,
            releases=[
                (name, ReleaseState(state).label.lower()) for name, state in shipped.values()
            ],
            outcomes=list(outcomes.values()),
        )
        if item.status in DONE and not made.outcomes:
            made.gaps.append("done_not_measured")
        if any(outcome.verdict == Verdict.MISSED for outcome in made.outcomes):
            made.gaps.append("missed")
        return made

    order = {item.pk: n for n, item in enumerate(items)}
    opportunities = []
    for problem in problems:
        found = evidence.get(problem.pk)
        opportunity = Opportunity(
            problem=problem,
            customers=found.customers if found else 0,
            arr=found.arr if found else Decimal("0"),
            insights=found.insights if found else 0,
            latest_at=found.latest_at if found else None,
            solutions=[
                solution(by_id[item_id])
                for item_id in sorted(links[problem.pk], key=lambda pk: order[pk])
            ],
        )
        if opportunity.insights == 0:
            opportunity.gaps.append("problem_without_evidence")
        opportunities.append(opportunity)
    opportunities.sort(key=lambda o: (-o.customers, -o.arr, -o.insights, o.problem.pk))
    # An item solves a problem through itself, an ancestor (a story of a linked epic) or a
    # descendant (an epic whose stories are linked).
    linked = {item_id for ids in links.values() for item_id in ids}
    covered = set(linked)
    for item in items:  # parents come before their children
        if item.parent_id in covered:
            covered.add(item.pk)
    for item_id in linked:
        parent = by_id[item_id].parent_id
        while parent in by_id and parent not in covered:
            covered.add(parent)
            parent = by_id[parent].parent_id
    unlinked = []
    for item in items:
        if item.pk in covered:
            continue
        made = solution(item)
        made.gaps.insert(0, "solution_without_problem")
        unlinked.append(made)
    return OpportunityMap(goal=goal, opportunities=opportunities, unlinked=unlinked)
