"""The broken links of a trace (``coverage.trace``), each by a rule with a code:

- ``feedback_without_insight``: feedback that no insight was drawn from;
- ``problem_without_item``: a problem with no backlog item to solve it;
- ``solved_problem_without_release``: a solved problem none of whose items is in a release;
- ``live_release_without_criterion``: a live release with no success criterion;
- ``missed_outcome_without_follow_up``: an outcome review that says *missed* with no follow-up
  item and no decision linked to it.

Every rule is a query over the ids the trace reached, and all of them are one statement.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db.models import QuerySet

from lodestar.coverage.trace_walk import Ids, Step, run_steps
from lodestar.decisions.models import DecisionLink
from lodestar.discovery.models import Feedback, Insight, Problem, ProblemItem, ProblemStatus
from lodestar.outcomes.models import OutcomeReview, SuccessCriterion, Verdict
from lodestar.releases.models import Release, ReleaseItem, ReleaseState

# At most this many broken links of one rule are named (the oldest).
GAPS_SHOWN = 10


class Rule(NamedTuple):
    code: str
    kind: str  # the type of the objects it names
    message: str


RULES = (
    Rule(
        "feedback_without_insight",
        "feedback",
        "No insight was drawn from this feedback: it is evidence of nothing yet.",
    ),
    Rule("problem_without_item", "problem", "No backlog item solves this problem."),
    Rule(
        "solved_problem_without_release",
        "problem",
        "Marked solved, but none of its items is in a release.",
    ),
    Rule(
        "live_release_without_criterion",
        "release",
        "Live with no success criterion: nothing says whether it worked.",
    ),
    Rule(
        "missed_outcome_without_follow_up",
        "outcome",
        "The outcome was missed and nothing followed: no follow-up item, no decision.",
    ),
)


def _solving(problems: set[int]) -> QuerySet[Any]:
    """The links of ``problems`` to the untrashed items that solve them."""
    return ProblemItem.objects.filter(problem_id__in_ids=problems, item__deleted_at__isnull=True)


def _broken(rule: str, reached: Ids, workspace_id: int) -> QuerySet[Any] | None:
    """The objects among ``reached`` that break ``rule`` (None: none reached to check)."""
    if rule == "feedback_without_insight" and (feedback := reached.get("feedback")):
        drawn = Insight.objects.filter(feedback_id__in_ids=feedback).values("feedback_id")
        return Feedback.objects.filter(pk__in_ids=feedback).exclude(pk__in=drawn)
    if rule == "problem_without_item" and (problems := reached.get("problem")):
        return (
            Problem.objects.filter(pk__in_ids=problems)
            .exclude(status__in=(ProblemStatus.WONT_SOLVE, ProblemStatus.SOLVED))
            .exclude(pk__in=_solving(problems).values("problem_id"))
        )
    if rule == "solved_problem_without_release" and (problems := reached.get("problem")):
        released = ReleaseItem.objects.filter(dropped_at__isnull=True).values("item_id")
        return Problem.objects.filter(pk__in_ids=problems, status=ProblemStatus.SOLVED).exclude(
            pk__in=_solving(problems).filter(item_id__in=released).values("problem_id")
        )
    if rule == "live_release_without_criterion" and (releases := reached.get("release")):
        measured = SuccessCriterion.objects.filter(release_id__in_ids=releases).values("release_id")
        return Release.objects.filter(pk__in_ids=releases, state=ReleaseState.LIVE).exclude(
            pk__in=measured
        )
    if rule == "missed_outcome_without_follow_up" and (outcomes := reached.get("outcome")):
        follow_ups = OutcomeReview.follow_ups.through.objects.filter(
            outcomereview_id__in_ids=outcomes
        ).values("outcomereview_id")
        decided = DecisionLink.objects.filter(
            workspace_id=workspace_id, target_type="outcome", target_id__in_ids=outcomes
        ).values("target_id")
        return (
            OutcomeReview.objects.filter(pk__in_ids=outcomes, verdict=Verdict.MISSED)
            .exclude(pk__in=follow_ups)
            .exclude(pk__in=decided)
        )
    return None


def broken_links(reached: Ids, workspace_id: int) -> list[tuple[Rule, list[int]]]:
    """The rules broken among the objects ``reached``, in the order of ``RULES``, each with the
    ids of the objects that break it (at most ``GAPS_SHOWN``, the oldest); one query."""
    # Each rule checks the objects of the type it names.
    checked = [rule for rule in RULES if reached.get(rule.kind)]

    def build(slots: dict[Any, Any]) -> list[tuple[Any, Step]]:
        steps = []
        for rule in checked:
            query = _broken(rule.code, slots, workspace_id)
            if query is not None:
                steps.append((rule, Step(rule.kind, query, "pk")))
        return steps

    kinds = {rule.kind for rule in checked}
    key = ("gaps", workspace_id, tuple(rule.code for rule in checked))
    found = run_steps(key, build, {kind: reached[kind] for kind in kinds}) if checked else []
    return [(rule, sorted(ids)[:GAPS_SHOWN]) for rule, _, ids in found if ids]
