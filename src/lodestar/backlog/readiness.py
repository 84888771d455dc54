"""The Definition of Ready as a checklist (pure: no Django).

A product's Definition of Ready switches checks on and off; each enabled check answers
``passed``, ``failed`` or ``not_measurable`` with a sentence. Only ``failed`` blocks ``ready``:
a check that cannot be measured yet (no velocity history before the first sprints) is shown,
so nobody mistakes it for a pass, but it does not stop the team.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from lodestar.core.points import format_points

CheckStatus = Literal["passed", "failed", "not_measurable"]

PASSED: CheckStatus = "passed"
FAILED: CheckStatus = "failed"
NOT_MEASURABLE: CheckStatus = "not_measurable"


@dataclass(frozen=True)
class ItemFacts:
    """What the checks look at, read from an item and its product."""

    acceptance_criteria: int
    estimate: Decimal | None
    estimate_unknown: bool
    goal_id: int | None
    active_goal_id: int | None
    velocity: Decimal | None
    # Whether the value risk behind the item is addressed, with where in words; None: not
    # asked (the check is off or does not apply) or nobody can tell.
    value_risk_addressed: bool | None = None
    value_risk_detail: str = ""


@dataclass(frozen=True)
class ReadinessCheck:
    code: str
    label: str
    status: CheckStatus
    detail: str


@dataclass(frozen=True)
class Readiness:
    checks: list[ReadinessCheck]

    @property
    def ready(self) -> bool:
        return all(check.status != FAILED for check in self.checks)

    @property
    def failing(self) -> list[ReadinessCheck]:
        return [check for check in self.checks if check.status == FAILED]


def _acceptance_criteria(facts: ItemFacts) -> ReadinessCheck:
    label = "Has acceptance criteria"
    if facts.acceptance_criteria:
        n = facts.acceptance_criteria
        return ReadinessCheck("acceptance_criteria", label, PASSED, f"{n} criteria")
    return ReadinessCheck(
        "acceptance_criteria", label, FAILED, "add at least one acceptance criterion"
    )


def _estimate(facts: ItemFacts) -> ReadinessCheck:
    label = "Has an estimate"
    if facts.estimate is not None:
        return ReadinessCheck("estimate", label, PASSED, f"{format_points(facts.estimate)} points")
    if facts.estimate_unknown:
        detail = 'estimated as "?": refine it until the team can size it'
        return ReadinessCheck("estimate", label, FAILED, detail)
    return ReadinessCheck("estimate", label, FAILED, "estimate it in points")


def _serves_goal(facts: ItemFacts) -> ReadinessCheck:
    label = "Serves the Product Goal"
    if facts.active_goal_id is None:
        detail = "the product has no active Product Goal; set one first"
        return ReadinessCheck("serves_goal", label, FAILED, detail)
    if facts.goal_id == facts.active_goal_id:
        return ReadinessCheck("serves_goal", label, PASSED, "serves the active goal")
    if facts.goal_id is None:
        return ReadinessCheck("serves_goal", label, FAILED, "link it to the active goal")
    detail = "serves an earlier goal, not the active one"
    return ReadinessCheck("serves_goal", label, FAILED, detail)


def _size(facts: ItemFacts, share: int) -> ReadinessCheck:
    label = f"No larger than {share}% of the team's velocity"
    if facts.velocity is None or facts.velocity <= 0:
        detail = "not measurable yet: no velocity history"
        return ReadinessCheck("size", label, NOT_MEASURABLE, detail)
    limit = facts.velocity * share / 100
    if facts.estimate is None:
        return ReadinessCheck("size", label, FAILED, "needs an estimate to compare")
    if facts.estimate <= limit:
        detail = f"{format_points(facts.estimate)} <= {format_points(limit)} points"
        return ReadinessCheck("size", label, PASSED, detail)
    detail = f"{format_points(facts.estimate)} > {format_points(limit)} points: split it"
    return ReadinessCheck("size", label, FAILED, detail)


def value_risk_applies(definition: dict[str, Any], estimate: Decimal | None) -> bool:
    """Whether the value-risk check looks at an item of ``estimate`` points: the check is on
    (``value_risk_above_points``) and the item is larger than that."""
    above = definition.get("value_risk_above_points")
    return isinstance(above, int) and estimate is not None and estimate > above


def _value_risk(facts: ItemFacts, above: int) -> ReadinessCheck:
    code = "value_risk"
    label = f"Value risk addressed (items above {above} points)"
    if facts.estimate is None:
        return ReadinessCheck(code, label, NOT_MEASURABLE, "not measurable yet: no estimate")
    if facts.estimate <= above:
        detail = (
            f"{format_points(facts.estimate)} points: at most {above}, the check does not apply"
        )
        return ReadinessCheck(code, label, PASSED, detail)
    if facts.value_risk_addressed is None:
        detail = "not measurable: nothing records product risks"
        return ReadinessCheck(code, label, NOT_MEASURABLE, detail)
    status = PASSED if facts.value_risk_addressed else FAILED
    return ReadinessCheck(code, label, status, facts.value_risk_detail)


def evaluate(definition: dict[str, Any], facts: ItemFacts) -> Readiness:
    """The enabled checks of ``definition`` applied to ``facts``, in a fixed order."""
    checks: list[ReadinessCheck] = []
    if definition.get("acceptance_criteria"):
        checks.append(_acceptance_criteria(facts))
    if definition.get("estimate"):
        checks.append(_estimate(facts))
    if definition.get("serves_goal"):
        checks.append(_serves_goal(facts))
    share = definition.get("max_velocity_share")
    if isinstance(share, int) and share > 0:
        checks.append(_size(facts, share))
    above = definition.get("value_risk_above_points")
    if isinstance(above, int) and not isinstance(above, bool) and above >= 0:
        checks.append(_value_risk(facts, above))
    return Readiness(checks=checks)
