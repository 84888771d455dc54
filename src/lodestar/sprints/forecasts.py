"""Forecasts for a team, from its own flow: the throughput history read from the status
changes of the team's items (``team_flow_items``), handed to the pure engine
(``lodestar.forecasting``). A team's forecast is calibrated by default, starts today and counts
working days. Also: the rest of an epic (its open children), and the chance that the active
sprint's remaining committed items are done by its end.

docs/FORECASTING.md (*Team forecasts*) states every choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.flow.selectors import DONE, throughput, week_of
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.core.errors import Invalid
from lodestar.forecasting import engine
from lodestar.forecasting.engine import Forecast, ForecastInput, Question
from lodestar.forecasting.errors import ForecastError
from lodestar.people.models import Team
from lodestar.sprints.errors import SprintErrorCode as Code
from lodestar.sprints.models import Sprint, SprintItem, SprintState
from lodestar.sprints.selectors import team_flow_items
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import team_product

# How far back a team's history goes: two years at most (the flow window's own limit).
HISTORY_DAYS = 728
OPEN = (ItemStatus.NEW, ItemStatus.READY, ItemStatus.IN_PROGRESS)
# The sprint's chance is read often (every sprint page): fewer trials, no backtests.
CHANCE_TRIALS = 5_000


def _product(team: Team) -> Product:
    product = team_product(team)
    if product is None:
        raise Invalid.field(
            "team", f"{team.name} works from no product yet", code=Code.FORECAST_TEAM_INVALID
        )
    return product


def team_history(
    team: Team,
    *,
    period: str = "week",
    today: dt.date | None = None,
    weekdays: bool = False,
    product: Product | None = None,
    teams: Sequence[Team] | None = None,
) -> list[int]:
    """Items the team finished in each whole past period, oldest first: from the period of its
    first completion (at most two years ago) to the last period that has ended (yesterday, or
    last week). Empty when it has finished nothing. ``weekdays``: days only, Monday to Friday,
    a weekend's completions counted on its Friday (so a day's draw matches a working day).
    ``product`` and ``teams``: the team's product and every team working from it, when the
    caller has read them (a product's history reads each of its teams'): one query then."""
    product = product or _product(team)
    today = today or timezone.localdate()
    items = team_flow_items(team, product, teams=teams)
    end = today - dt.timedelta(days=1) if period == "day" else week_of(today) - dt.timedelta(days=1)
    start = today - dt.timedelta(days=HISTORY_DAYS)
    if start > end:
        return []
    counts = throughput(product_id=product.pk, start=start, end=end, period=period, items=items)
    # From the period of the first completion: the periods before it are not the team's yet.
    first = next((n for n, (_, count) in enumerate(counts) if count), None)
    if first is None:
        return []
    counts = counts[first:]
    if not weekdays:
        return [count for _, count in counts]
    working: list[int] = []
    for day, count in counts:
        if day.weekday() < 5 or not working:
            working.append(count)
        else:
            working[-1] += count
    return working


def epic_remaining(epic: BacklogItem) -> int:
    """The open (new, ready, in progress) live children of ``epic``: what is left of it."""
    return BacklogItem.objects.filter(parent=epic, status__in=OPEN).count()


def remaining_of(epic: BacklogItem, *, field: str = "epic") -> int:
    """``epic_remaining``, refused (naming ``field``) when there is nothing to forecast."""
    if epic.kind != ItemKind.EPIC:
        raise Invalid.field(
            field, f"{epic.key} is a {epic.kind}, not an epic", code=Code.FORECAST_EPIC_INVALID
        )
    left = epic_remaining(epic)
    if not left:
        raise Invalid.field(
            field,
            f"{epic.key} has no open child items left: break it down, or give items instead",
            code=Code.FORECAST_EPIC_INVALID,
        )
    return left


def team_forecast(
    team: Team,
    *,
    question: Question,
    period: str = "week",
    today: dt.date | None = None,
    start: dt.date | None = None,
    calibrate: bool = True,
    working_days: bool = True,
    **options: object,
) -> Forecast:
    """A forecast from the team's own history. A refusal about the history (none, or nothing
    finished in the window) names ``team``: it is the team's record that falls short."""
    today = today or timezone.localdate()
    history = team_history(team, period=period, today=today)
    if not history:
        raise Invalid.field(
            "team",
            f"{team.name} has finished nothing yet to forecast from; forecasts need its "
            "throughput history",
            code=Code.FORECAST_TEAM_INVALID,
        )
    try:
        return engine.forecast(
            ForecastInput(
                question=question,
                throughput=history,
                period="day" if period == "day" else "week",
                today=today,
                start=start or today,
                calibrate=calibrate,
                working_days=working_days,
                **options,  # type: ignore[arg-type]
            )
        )
    except ForecastError as exc:
        if exc.field_name != "throughput":
            raise
        raise ForecastError(
            "team",
            f"{team.name}'s history {exc.message}",
            code=exc.code,  # type: ignore[arg-type]
        ) from exc


def product_open_epics(product: Product) -> list[BacklogItem]:
    """The product's open epics in backlog order."""
    return list(
        BacklogItem.objects.filter(product=product, kind=ItemKind.EPIC, status__in=OPEN).order_by(
            "rank"
        )
    )


@dataclass(frozen=True)
class Chance:
    """The chance that the sprint's remaining committed items are done by its end."""

    probability: float
    remaining: int
    working_days: int
    words: str


def sprint_chance(sprint: Sprint, *, today: dt.date | None = None) -> Chance | None:
    """For an active sprint: the probability, from the team's daily throughput on working days
    (``CHANCE_TRIALS`` trials, seeded by the sprint so a page reads the same twice), that its
    remaining committed items are done by its end date. None for a sprint that is not active,
    or a team with no history to draw from."""
    if sprint.state != SprintState.ACTIVE:
        return None
    today = today or timezone.localdate()
    remaining = (
        SprintItem.objects.filter(sprint=sprint, item__status__in=OPEN)
        .exclude(item__deleted_at__isnull=False)
        .count()
    )
    days = sum(
        1
        for n in range((sprint.end_date - today).days + 1)
        if (today + dt.timedelta(days=n)).weekday() < 5
    )
    if remaining == 0:
        return Chance(1.0, 0, days, "Every committed item is done.")
    if days == 0:
        words = f"{remaining} committed item{'s' if remaining != 1 else ''} left and no working day"
        return Chance(0.0, remaining, 0, words + " before the end.")
    history = team_history(sprint.team, period="day", today=today, weekdays=True)
    if not any(history):
        return None
    answer = engine.forecast(
        ForecastInput(
            question="odds",
            throughput=history,
            items=remaining,
            periods=days,
            period="day",
            trials=CHANCE_TRIALS,
            seed=sprint.pk,
            today=today,
        )
    )
    probability = answer.probability or 0.0
    items = f"{remaining} remaining item{'s' if remaining != 1 else ''}"
    left = f"{days} working day{'s' if days != 1 else ''}"
    words = (
        f"{round(probability * 100)}% chance of finishing the {items} in the {left} left, "
        "at the team's pace so far."
    )
    return Chance(probability, remaining, days, words)


# The cycle-time scatterplot draws at most this many dots: beyond it a chart is a smear that
# costs the page its speed (12,000 dots took half a second to read and draw). The percentiles
# are still computed from every completion.
SCATTER_POINTS = 1_000
# A sample always keeps the slowest items: they are what a reader of the chart looks for.
SCATTER_SLOWEST = 50


@dataclass(frozen=True)
class Completion:
    """A finished item of the team's flow: its key and title, the day, its cycle time."""

    key: str
    title: str
    day: dt.date
    days: float


@dataclass(frozen=True)
class Completions:
    """The completions of a period: ``days``, every one's cycle time (for the percentiles);
    ``shown``, the ones to draw, by day: all of them, or when there are more than the limit an
    even sample across the period plus the slowest."""

    shown: list[Completion]
    days: list[float]

    @property
    def total(self) -> int:
        return len(self.days)

    @property
    def sampled(self) -> bool:
        return len(self.shown) < len(self.days)


def _sample(count: int, cycle: list[int], limit: int) -> list[int]:
    """The positions to draw out of ``count`` completions ordered by day: every one up to
    ``limit``; beyond it, the ``SCATTER_SLOWEST`` slowest and an even spread of the rest."""
    if count <= limit:
        return list(range(count))
    keep = min(SCATTER_SLOWEST, limit // 2)
    slowest = set(sorted(range(count), key=lambda i: cycle[i], reverse=True)[:keep])
    rest = [i for i in range(count) if i not in slowest]
    step = len(rest) / (limit - keep)
    return sorted(slowest | {rest[int(k * step)] for k in range(limit - keep)})


def team_completions(
    team: Team, *, start: dt.date, end: dt.date, limit: int = SCATTER_POINTS
) -> Completions:
    """The completions with a cycle time from ``start`` to ``end``, for the cycle-time
    scatterplot: two queries, the cycle times from the covering index, then the key and title
    of the ones drawn (at most ``limit``)."""
    product = _product(team)
    items = team_flow_items(team, product)
    rows = ItemStatusChange.objects.filter(
        product_id=product.pk,
        to_status=DONE,
        day__gte=start,
        day__lte=end,
        cycle_seconds__isnull=False,
    )
    if items is not None:
        rows = rows.filter(item_id__in=items)
    found = list(rows.order_by("day", "id").values_list("id", "day", "cycle_seconds"))
    cycle = [seconds or 0 for _, _, seconds in found]
    chosen = [found[i] for i in _sample(len(found), cycle, limit)]
    labels = {
        pk: (key, title)
        for pk, key, title in ItemStatusChange.objects.filter(
            pk__in=[pk for pk, _, _ in chosen]
        ).values_list("id", "item__key", "item__title")
    }
    return Completions(
        shown=[
            Completion(*labels[pk], day, round((seconds or 0) / 86400, 2))
            for pk, day, seconds in chosen
        ],
        days=[round(seconds / 86400, 2) for seconds in cycle],
    )


def closed_sprints(team: Team, *, last: int = 8) -> list[Sprint]:
    """The team's last closed sprints, oldest first (for the velocity chart)."""
    rows = Sprint.objects.filter(team=team, state=SprintState.CLOSED).order_by("-end_date", "-id")
    return list(reversed(rows[:last]))
