"""The sprints API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import Id, InSchema
from lodestar.backlog.flow.selectors import Flow
from lodestar.sprints.models import Sprint, SprintCapacity, SprintItem, SprintSnapshot
from lodestar.sprints.selectors import BurndownDay, Planning, Velocity

State = Literal["planned", "active", "closed"]
Decision = Literal["backlog", "backlog_top", "next_sprint"]
Points = float


def _points(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class SprintIn(InSchema):
    name: str = Field(max_length=200)
    start_date: dt.date
    end_date: dt.date
    goal: str = Field(default="", max_length=1000)


class SprintPatch(InSchema):
    name: str | None = Field(default=None, max_length=200)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    goal: str | None = Field(default=None, max_length=1000)
    goal_reason: str | None = Field(
        default=None,
        max_length=4000,
        description="Why the goal changes: required once the sprint has started",
    )
    review_notes: str | None = Field(default=None, max_length=100_000)
    retrospective_notes: str | None = Field(default=None, max_length=100_000)


class SprintItemsIn(InSchema):
    items: list[str] = Field(min_length=1, max_length=500, description="Item keys")


class SprintCapacityEntryIn(InSchema):
    member: str = Field(max_length=254, description="The member's email address")
    days: float | None = Field(default=None, description="Days available (>= 0)")
    points: float | None = Field(default=None, description="Points (>= 0)")


class SprintCapacityIn(InSchema):
    capacity: list[SprintCapacityEntryIn] = Field(max_length=200)


class SprintStartIn(InSchema):
    goal: str | None = Field(default=None, max_length=1000)
    product_goal: Id | None = Field(
        default=None, description="The Product Goal served (default: the product's active one)"
    )


class SprintCloseIn(InSchema):
    goal_met: bool
    decisions: dict[str, Decision] = Field(
        default_factory=dict,
        max_length=500,
        description="For each unfinished item, by key: backlog, backlog_top or next_sprint",
    )
    next_sprint: Id | None = Field(
        default=None, description="The planned sprint carried work goes to (default: the next)"
    )
    review_notes: str | None = Field(default=None, max_length=100_000)
    retrospective_notes: str | None = Field(default=None, max_length=100_000)


class SprintProductGoalOut(Schema):
    id: int
    statement: str


class SprintOut(Schema):
    id: int
    team: str
    product: str
    name: str
    start_date: dt.date
    end_date: dt.date
    state: State
    goal: str
    product_goal: SprintProductGoalOut | None
    goal_met: bool | None
    review_notes: str
    review_notes_html: str
    retrospective_notes: str
    retrospective_notes_html: str
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    committed_points: Points | None
    completed_points: Points | None
    committed_items: int | None
    completed_items: int | None
    version: int

    @classmethod
    def of(cls, sprint: Sprint) -> SprintOut:
        goal = sprint.product_goal
        return cls(
            id=sprint.pk,
            team=sprint.team.slug,
            product=sprint.product.key,
            name=sprint.name,
            start_date=sprint.start_date,
            end_date=sprint.end_date,
            state=sprint.state,  # type: ignore[arg-type]
            goal=sprint.goal,
            product_goal=SprintProductGoalOut(id=goal.pk, statement=goal.statement)
            if goal
            else None,
            goal_met=sprint.goal_met,
            review_notes=sprint.review_notes,
            review_notes_html=sprint.review_notes_html,
            retrospective_notes=sprint.retrospective_notes,
            retrospective_notes_html=sprint.retrospective_notes_html,
            started_at=sprint.started_at,
            closed_at=sprint.closed_at,
            committed_points=_points(sprint.committed_points),
            completed_points=_points(sprint.completed_points),
            committed_items=sprint.committed_items,
            completed_items=sprint.completed_items,
            version=sprint.version,
        )


class SprintVelocityOut(Schema):
    average: Points | None
    low: Points | None
    high: Points | None
    sprints: int

    @classmethod
    def of(cls, velocity: Velocity) -> SprintVelocityOut:
        return cls(
            average=_points(velocity.average),
            low=_points(velocity.low),
            high=_points(velocity.high),
            sprints=velocity.sprints,
        )


class SprintPlanningOut(Schema):
    committed_points: Points
    committed_items: int
    unestimated_items: int
    capacity_days: Points | None
    capacity_points: Points | None
    velocity: SprintVelocityOut
    warnings: list[str]

    @classmethod
    def of(cls, planning: Planning) -> SprintPlanningOut:
        return cls(
            committed_points=float(planning.committed_points),
            committed_items=planning.committed_items,
            unestimated_items=planning.unestimated_items,
            capacity_days=_points(planning.capacity_days),
            capacity_points=_points(planning.capacity_points),
            velocity=SprintVelocityOut.of(planning.velocity),
            warnings=planning.warnings,
        )


class SprintCapacityOut(Schema):
    member: str
    name: str
    days: Points | None
    points: Points | None

    @classmethod
    def of(cls, row: SprintCapacity) -> SprintCapacityOut:
        return cls(
            member=row.member.user.email,
            name=row.member.user.display_name,
            days=_points(row.days),
            points=_points(row.points),
        )


class SprintGoalChangeOut(Schema):
    before: str
    after: str
    reason: str
    changed_by: str | None
    changed_at: dt.datetime


class SprintChanceOut(Schema):
    probability: float = Field(description="0 to 1: the chance the remaining items are done")
    remaining: int = Field(description="Committed items not done yet")
    working_days: int = Field(description="Working days left, today and the end date included")
    words: str


class SprintDetailOut(SprintOut):
    planning: SprintPlanningOut
    capacity: list[SprintCapacityOut]
    goal_changes: list[SprintGoalChangeOut]
    chance_of_finishing: SprintChanceOut | None = Field(
        None,
        description="An active sprint's chance of finishing its remaining committed items by "
        "its end, from the team's daily throughput (null otherwise, or without history)",
    )


class SprintItemOut(Schema):
    key: str
    title: str
    kind: str
    status: str
    estimate: Points | None
    assignee: str | None
    added_at: dt.datetime
    added_after_start: bool
    carried_from: int | None
    outcome: str

    @classmethod
    def of(cls, entry: SprintItem) -> SprintItemOut:
        item = entry.item
        return cls(
            key=item.key,
            title=item.title,
            kind=item.kind,
            status=item.status,
            estimate=_points(item.estimate),
            assignee=item.assignee.user.email if item.assignee else None,
            added_at=entry.added_at,
            added_after_start=entry.added_after_start,
            carried_from=entry.carried_from_id,
            outcome=entry.outcome,
        )


class SprintSnapshotOut(Schema):
    day: dt.date
    taken_at: dt.datetime
    scope_points: Points
    done_points: Points
    remaining_points: Points
    scope_items: int
    done_items: int
    remaining_items: int
    added_points: Points
    added_items: int
    carried_points: Points
    carried_items: int

    @classmethod
    def of(cls, row: SprintSnapshot) -> SprintSnapshotOut:
        return cls(
            day=row.day,
            taken_at=row.taken_at,
            scope_points=float(row.scope_points),
            done_points=float(row.done_points),
            remaining_points=float(row.remaining_points),
            scope_items=row.scope_items,
            done_items=row.done_items,
            remaining_items=row.remaining_items,
            added_points=float(row.added_points),
            added_items=row.added_items,
            carried_points=float(row.carried_points),
            carried_items=row.carried_items,
        )


class SprintBurndownDayOut(Schema):
    day: dt.date
    ideal_points: Points
    scope_points: Points | None
    done_points: Points | None
    remaining_points: Points | None
    scope_items: int | None
    remaining_items: int | None

    @classmethod
    def of(cls, day: BurndownDay) -> SprintBurndownDayOut:
        return cls(
            day=day.day,
            ideal_points=float(day.ideal_points),
            scope_points=_points(day.scope_points),
            done_points=_points(day.done_points),
            remaining_points=_points(day.remaining_points),
            scope_items=day.scope_items,
            remaining_items=day.remaining_items,
        )


class SprintBurndownOut(Schema):
    sprint: int
    start_date: dt.date
    end_date: dt.date
    days: list[SprintBurndownDayOut]


class FlowThroughputOut(Schema):
    start: dt.date
    count: int


class FlowCyclePercentileOut(Schema):
    percentile: int
    days: float


class FlowCycleTimesOut(Schema):
    count: int
    mean_days: float | None
    percentiles: list[FlowCyclePercentileOut]


class FlowWorkInProgressOut(Schema):
    key: str
    title: str
    assignee: str
    started_at: dt.datetime | None
    age_days: float | None


class FlowCumulativeOut(Schema):
    day: dt.date
    counts: dict[str, int]


class TeamFlowOut(Schema):
    team: str
    start: dt.date
    end: dt.date
    period: Literal["day", "week"]
    throughput: list[FlowThroughputOut]
    cycle_times: FlowCycleTimesOut
    work_in_progress: list[FlowWorkInProgressOut]
    cumulative_flow: list[FlowCumulativeOut]

    @classmethod
    def of(cls, team: str, flow: Flow) -> TeamFlowOut:
        return cls(
            team=team,
            start=flow.start,
            end=flow.end,
            period=flow.period,  # type: ignore[arg-type]
            throughput=[FlowThroughputOut(start=d, count=n) for d, n in flow.throughput],
            cycle_times=FlowCycleTimesOut(
                count=flow.cycle_times.count,
                mean_days=flow.cycle_times.mean_days,
                percentiles=[
                    FlowCyclePercentileOut(percentile=p.percentile, days=p.days)
                    for p in flow.cycle_times.percentiles
                ],
            ),
            work_in_progress=[
                FlowWorkInProgressOut(
                    key=w.key,
                    title=w.title,
                    assignee=w.assignee,
                    started_at=w.started_at,
                    age_days=w.age_days,
                )
                for w in flow.work_in_progress
            ],
            cumulative_flow=[
                FlowCumulativeOut(day=d.day, counts=d.counts) for d in flow.cumulative
            ],
        )
