"""The reports API's response body: the report's sections as ``selectors.Report`` holds them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from lodestar.reports.selectors import Report


class _ReportSchema(Schema):
    model_config = ConfigDict(from_attributes=True)


class ReportGoalOut(_ReportSchema):
    id: int
    statement: str
    status: str = Field(description="active, achieved or abandoned")
    started_on: dt.date
    ended_on: dt.date | None
    items: int = Field(description="Backlog items under the goal, those dropped (won't do) aside")
    done: int
    percent: int


class ReportSprintOut(_ReportSchema):
    id: int
    name: str
    team: str
    start_date: dt.date
    end_date: dt.date
    goal: str = Field(description="The sprint goal")
    goal_met: bool | None = Field(description="Whether the sprint goal was met; null: not said")
    committed_points: float | None
    completed_points: float | None
    committed_items: int | None
    completed_items: int | None


class ReportForecastOut(_ReportSchema):
    remaining: int = Field(description="Items still open")
    p50: dt.date | None = Field(description="Done by this day in 50% of the simulated futures")
    p85: dt.date | None
    p95: dt.date | None
    chance: float | None = Field(description="The probability of making the target date")
    note: str = Field(description="What limits the forecast, in words (empty when nothing)")


class ReportReleaseOut(_ReportSchema):
    id: int
    name: str
    state: str = Field(description="planned, in_progress or live")
    target_date: dt.date | None
    went_live_on: dt.date | None
    items: int
    done: int
    forecast: ReportForecastOut | None = Field(
        description="Planned and in-progress releases only (null for those gone live)"
    )


class ReportDecisionOut(_ReportSchema):
    key: str
    number: int
    title: str
    status: str
    decided_on: dt.date
    deciders: list[str]
    decision: str = Field(description="What was decided, on one line, cut at 280 characters")


class ReportOutcomeOut(_ReportSchema):
    id: int = Field(description="The outcome review's id (GET .../outcomes/{review_id})")
    metric: str
    metric_key: str
    unit: str
    subject: str = Field(description="The release's name, or the epic's key and title")
    verdict: str = Field(description="met, missed, inconclusive or pending")
    target: float = Field(description="The target as stated")
    target_kind: str = Field(description="absolute (a level) or relative (percent of baseline)")
    target_level: float | None = Field(description="The level the target came to")
    baseline_value: float | None
    observed_value: float | None
    observed_until: dt.date = Field(description="The last day of the evaluation window")
    reason: str = Field(description="Why, when inconclusive or pending (else empty)")
    learnings: str = Field(description="The learnings on one line, cut at 280 characters")


class ReportProblemOut(_ReportSchema):
    id: int
    title: str
    status: str
    customers: int = Field(description="Distinct customers behind its insights")
    arr: Decimal = Field(description="Their annual recurring revenue, each customer once")
    insights: int
    latest_on: dt.date | None


class ReportCoverageOut(_ReportSchema):
    duty: str = Field(description="The duty's key, like talk_to_customers (docs/COVERAGE.md)")
    label: str
    people: list[str] = Field(description="Who carried it, 'Name (job title)', most active first")
    total: int = Field(description="Its recorded activities in the period")
    last_on: dt.date | None = Field(description="The last day anyone did it (null: nobody)")


class ReportFocusOut(_ReportSchema):
    items: int = Field(description="Open items at the top: the next two sprints at velocity")
    points: Decimal
    velocity: Decimal | None = Field(description="The product's velocity (null: none yet)")
    customers: int = Field(description="Distinct customers behind the problems they solve")
    arr: Decimal
    without_evidence: list[str] = Field(description="Items of the top with no evidence")
    stronger_left_out: list[str] = Field(
        description="Open problems with no item and more customers than any the top solves"
    )
    stale: int = Field(description="Items of the top untouched for stale_days days or more")
    stale_days: int
    ready: int = Field(description="Items of the top marked Ready or in progress")


class ReportOut(_ReportSchema):
    workspace: str
    currency: str
    product_key: str
    product_name: str
    since: dt.date
    until: dt.date
    generated_at: dt.datetime
    goals: list[ReportGoalOut]
    sprints: list[ReportSprintOut] = Field(description="Sprints closed in the period, oldest first")
    sprints_more: int = Field(description="Earlier sprints of the period left out of the list")
    goals_met: int = Field(description="Sprints of the list whose sprint goal was met")
    live: list[ReportReleaseOut] = Field(description="Releases that went live in the period")
    planned: list[ReportReleaseOut] = Field(
        description="Planned and in-progress releases, in the order they are worked"
    )
    unforecast: int = Field(description="Open releases past the 30 listed, not listed")
    decisions: list[ReportDecisionOut] = Field(description="Decisions taken in the period")
    decisions_more: int
    outcomes: list[ReportOutcomeOut] = Field(
        description="Outcome reviews whose evaluation window ended in the period"
    )
    outcomes_more: int
    verdicts: dict[str, int] = Field(description="How many outcomes came out each way")
    problems: list[ReportProblemOut] = Field(description="Open problems with the most evidence")
    coverage: list[ReportCoverageOut] = Field(
        description="Who carried each product-management duty in the period"
    )
    coverage_summary: list[str] = Field(
        description="What the coverage shows, in sentences (each from a rule: docs/COVERAGE.md)"
    )
    focus: ReportFocusOut | None = Field(description="The backlog's focus, as it stands now")

    @staticmethod
    def of(report: Report) -> ReportOut:
        return ReportOut.model_validate(report)
