"""Every read of the sprints context: a team's sprints, a sprint's items, planning against
capacity and velocity, snapshots, the burndown, velocity, and a team's flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from lodestar.backlog.flow.selectors import Flow, flow_metrics
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Invalid
from lodestar.core.points import format_points
from lodestar.people.models import Team
from lodestar.people.policy import Actor
from lodestar.sprints.errors import SprintErrorCode as Code
from lodestar.sprints.models import (
    BoardLimit,
    Sprint,
    SprintCapacity,
    SprintGoalChange,
    SprintItem,
    SprintSnapshot,
    SprintState,
)
from lodestar.sprints.services import Figures, sprint_figures
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_team_query, team_product

# Recent velocity: the average of the last closed sprints, with their range.
VELOCITY_SPRINTS = 3
FLOW_DAYS_MAX = 731


def sprint_list(*, actor: Actor, team: Team, state: str | None = None) -> QuerySet[Sprint]:
    """The team's sprints, newest first (the caller pages them)."""
    rows = Sprint.objects.filter(workspace_id=actor.workspace_id, team=team).select_related(
        "team", "product", "product_goal"
    )
    if state:
        if state not in SprintState.values:
            raise Invalid.field("state", f"must be one of {', '.join(SprintState.values)}")
        rows = rows.filter(state=state)
    return rows


def sprint_items(*, actor: Actor, sprint: Sprint) -> QuerySet[SprintItem]:
    """The sprint's items in backlog order, with what a board or a list shows of each."""
    return (
        SprintItem.objects.filter(workspace_id=actor.workspace_id, sprint=sprint)
        .select_related("item__assignee__user", "item__parent", "carried_from")
        .order_by("item__rank", "pk")
    )


def sprint_has_item(*, sprint: Sprint, item: BacklogItem) -> bool:
    return SprintItem.objects.filter(sprint=sprint, item=item).exists()


def sprint_goal_changes(*, sprint: Sprint) -> list[SprintGoalChange]:
    return list(sprint.goal_changes.select_related("changed_by"))


def sprint_capacity(*, sprint: Sprint) -> list[SprintCapacity]:
    return list(
        SprintCapacity.objects.filter(sprint=sprint)
        .select_related("member__user")
        .order_by("member__user__email")
    )


@dataclass(frozen=True)
class Velocity:
    """Points completed per sprint over the team's last closed sprints: their average and
    range, and how many sprints it is read from (0: no history yet)."""

    average: Decimal | None
    low: Decimal | None
    high: Decimal | None
    sprints: int


def team_velocity(team: Team | int, *, last: int = VELOCITY_SPRINTS) -> Velocity:
    """The team's recent velocity (one query)."""
    completed = [
        points or Decimal(0)
        for points in Sprint.objects.filter(team=team, state=SprintState.CLOSED)
        .order_by("-end_date", "-id")
        .values_list("completed_points", flat=True)[:last]
    ]
    if not completed:
        return Velocity(None, None, None, 0)
    average = (sum(completed, Decimal(0)) / len(completed)).quantize(Decimal("0.1"))
    return Velocity(average, min(completed), max(completed), len(completed))


def product_velocity(product: Product) -> Decimal | None:
    """What the product's teams finish per sprint together: the sum of each team's recent
    velocity (teams without closed sprints add nothing); None while none has any. The
    backlog's ``VELOCITY`` point asks it (the Definition of Ready's size check). One query."""
    recent: dict[int, list[Decimal]] = {}
    rows = (
        Sprint.objects.filter(
            team__in=product_team_query(product), product=product, state=SprintState.CLOSED
        )
        .order_by("team_id", "-end_date", "-id")
        .values_list("team_id", "completed_points")
    )
    for team_id, points in rows:
        done = recent.setdefault(team_id, [])
        if len(done) < VELOCITY_SPRINTS:
            done.append(points or Decimal(0))
    if not recent:
        return None
    averages = [sum(done, Decimal(0)) / len(done) for done in recent.values()]
    return sum(averages, Decimal(0)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Planning:
    """Committed work against capacity and recent velocity, with warnings in words."""

    committed_points: Decimal
    committed_items: int
    unestimated_items: int
    capacity_days: Decimal | None
    capacity_points: Decimal | None
    velocity: Velocity
    warnings: list[str]


def sprint_planning(*, sprint: Sprint) -> Planning:
    """How the sprint's commitment compares with its capacity and the team's velocity (three
    queries)."""
    figures = sprint_figures(sprint)
    unestimated = (
        SprintItem.objects.filter(sprint=sprint, item__estimate__isnull=True)
        .exclude(item__status="wont_do")
        .count()
    )
    capacity = SprintCapacity.objects.filter(sprint=sprint).aggregate(
        days=Sum("days"), points=Sum("points")
    )
    velocity = team_velocity(sprint.team_id)
    warnings: list[str] = []
    committed = figures.scope_points
    if capacity["points"] is not None and committed > capacity["points"]:
        warnings.append(
            f"The commitment ({format_points(committed)} points) exceeds the team's capacity "
            f"({format_points(capacity['points'])} points)."
        )
    if velocity.average is not None and committed > velocity.average:
        low, high = format_points(velocity.low or 0), format_points(velocity.high or 0)
        warnings.append(
            f"The commitment ({format_points(committed)} points) exceeds the team's recent "
            f"velocity ({format_points(velocity.average)} points a sprint over the last "
            f"{velocity.sprints}, from {low} to {high})."
        )
    if unestimated:
        warnings.append(
            f"{unestimated} committed item{'s are' if unestimated != 1 else ' is'} not estimated."
        )
    return Planning(
        committed_points=committed,
        committed_items=figures.scope_items,
        unestimated_items=unestimated,
        capacity_days=capacity["days"],
        capacity_points=capacity["points"],
        velocity=velocity,
        warnings=warnings,
    )


def sprint_snapshots(*, sprint: Sprint) -> QuerySet[SprintSnapshot]:
    return SprintSnapshot.objects.filter(sprint=sprint).order_by("day")


@dataclass(frozen=True)
class BurndownDay:
    """One day of the sprint: the ideal remaining points, and (from the day's snapshot, or
    the figures now for today) the scope, done and remaining points and items; None for days
    to come or without a snapshot."""

    day: dt.date
    ideal_points: Decimal
    scope_points: Decimal | None
    done_points: Decimal | None
    remaining_points: Decimal | None
    scope_items: int | None
    remaining_items: int | None


def sprint_burndown(*, sprint: Sprint, today: dt.date | None = None) -> list[BurndownDay]:
    """The burndown (and burnup) data, one entry per day of the sprint (two queries). The
    ideal line falls evenly from the scope at the start to zero on the last day.

    The days run from the start date to the end date, and beyond them where the sprint lived
    beyond them: from the day it started, if that came first, and to the day it closed (its
    last snapshot), or to today while an active sprint has overrun its end. The ideal line
    holds the starting scope before the start date and is zero after the end date."""
    today = today or timezone.localdate()
    snapshots: dict[dt.date, Any] = {s.day: s for s in sprint_snapshots(sprint=sprint)}
    live: Figures | None = None
    if sprint.state == SprintState.ACTIVE and sprint.start_date <= today:
        live = sprint_figures(sprint)
    days = (sprint.end_date - sprint.start_date).days
    first = snapshots.get(min(snapshots)) if snapshots else None
    start_scope = (
        first.scope_points if first is not None else (live.scope_points if live else Decimal(0))
    )
    begin = min([sprint.start_date, *snapshots])
    end = max([sprint.end_date, *snapshots, *([today] if live is not None else [])])
    entries: list[BurndownDay] = []
    for offset in range((end - begin).days + 1):
        day = begin + dt.timedelta(days=offset)
        into = min(max((day - sprint.start_date).days, 0), days)
        ideal = (start_scope * (days - into) / days if days else Decimal(0)).quantize(
            Decimal("0.1")
        )
        figures: Any = live if (live is not None and day == today) else snapshots.get(day)
        entries.append(
            BurndownDay(
                day=day,
                ideal_points=ideal,
                scope_points=figures.scope_points if figures else None,
                done_points=figures.done_points if figures else None,
                remaining_points=figures.remaining_points if figures else None,
                scope_items=figures.scope_items if figures else None,
                remaining_items=figures.remaining_items if figures else None,
            )
        )
    return entries


def team_flow_items(
    team: Team, product: Product, *, teams: Sequence[Team] | None = None
) -> QuerySet[Any] | None:
    """Which of the product's items a team's flow covers: all of them when the team is the
    product's only team; else those committed to the team's sprints. ``teams``: the
    product's teams, when the caller has read them (no query then)."""
    if teams is not None:
        shared = any(other.pk != team.pk for other in teams)
    else:
        shared = product_team_query(product).exclude(pk=team.pk).exists()
    if shared:
        return SprintItem.objects.filter(sprint__team=team).values("item_id")
    return None


def team_flow(
    *,
    team: Team,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: str = "week",
    days: int = 90,
) -> Flow:
    """The team's throughput, cycle times, work in progress and cumulative flow from ``start``
    to ``end`` (by default the last ``days`` days)."""
    product = team_product(team)
    if product is None:
        raise Invalid.field(
            "team", f"{team.name} works from no product yet", code=Code.SPRINT_TEAM_WITHOUT_PRODUCT
        )
    if period not in ("day", "week"):
        raise Invalid.field("period", 'must be "day" or "week"', code=Code.FLOW_WINDOW_INVALID)
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=days - 1)
    if end < start:
        raise Invalid.field("end", "must not be before start", code=Code.FLOW_WINDOW_INVALID)
    if (end - start).days + 1 > FLOW_DAYS_MAX:
        raise Invalid.field(
            "start", f"a window spans at most {FLOW_DAYS_MAX} days", code=Code.FLOW_WINDOW_INVALID
        )
    return flow_metrics(
        product_id=product.pk,
        start=start,
        end=end,
        period=period,
        items=team_flow_items(team, product),
    )


def item_open_sprints(item_ids: list[int]) -> dict[int, str]:
    """For items in a planned or active sprint: item id -> that sprint's name (one query)."""
    return dict(
        SprintItem.objects.filter(
            item_id__in=item_ids, sprint__state__in=[SprintState.PLANNED, SprintState.ACTIVE]
        ).values_list("item_id", "sprint__name")
    )


def backlog_items_of(sprint: Sprint) -> QuerySet[BacklogItem]:
    """The sprint's backlog items (a query, for counting)."""
    return BacklogItem.objects.filter(sprint_entries__sprint=sprint)


def sprint_counts(sprint_ids: list[int]) -> dict[int, int]:
    """Items per sprint, for a list (one query)."""
    return dict(
        SprintItem.objects.filter(sprint_id__in=sprint_ids)
        .values_list("sprint_id")
        .annotate(n=Count("id", filter=Q()))
        .order_by()
    )


def board_limits(team: Team) -> dict[str, int]:
    """The team's work-in-progress limit per board column (status) that has one."""
    return dict(BoardLimit.objects.filter(team=team).values_list("status", "limit"))
