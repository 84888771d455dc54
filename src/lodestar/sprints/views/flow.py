"""The team's flow page: velocity, throughput, cycle times, aging work in progress, cumulative
flow, and forecasts for the open epics of the team's product with their record. Any member
of the workspace may read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lodestar.backlog.models import BacklogItem
from lodestar.core.charts import flow as flow_charts
from lodestar.core.charts import forecast as forecast_charts
from lodestar.core.charts import sprint as sprint_charts
from lodestar.core.charts.base import Chart
from lodestar.core.errors import Invalid
from lodestar.forecasting.engine import Forecast
from lodestar.people.access import access_team
from lodestar.people.models import Team
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.sprints import forecasts, selectors
from lodestar.strategy.selectors import team_product

PERIODS = (30, 90, 180)
DEFAULT_DAYS = 90
# Forecasts on one page: the first open epics in backlog order.
EPICS_SHOWN = 6
PAGE_TRIALS = 5_000
CFD_STATUSES = ("done", "in_progress", "ready", "new")
STATUS_LABELS = {"done": "Done", "in_progress": "In progress", "ready": "Ready", "new": "New"}


@dataclass(frozen=True)
class EpicForecast:
    epic: BacklogItem
    remaining: int
    forecast: Forecast | None
    refusal: str

    def at(self, percentile: int) -> Any:
        if self.forecast is None:
            return None
        return next((p for p in self.forecast.percentiles if p.percentile == percentile), None)

    @property
    def p50(self) -> Any:
        return self.at(50)

    @property
    def p85(self) -> Any:
        return self.at(85)

    @property
    def p95(self) -> Any:
        return self.at(95)


def _days(request: WorkspaceRequest) -> tuple[int, str]:
    text = request.GET.get("days", "")
    if not text:
        return DEFAULT_DAYS, ""
    if text.isdigit() and int(text) in PERIODS:
        return int(text), ""
    return DEFAULT_DAYS, (
        f"There is no {text[:20]!r}-day view: showing {DEFAULT_DAYS} days "
        f"(choose {', '.join(str(p) for p in PERIODS)})."
    )


def _epic_forecasts(team: Team, epics: list[BacklogItem], today: dt.date) -> list[EpicForecast]:
    answers = []
    for epic in epics:
        remaining = forecasts.epic_remaining(epic)
        if not remaining:
            continue
        try:
            answer = forecasts.team_forecast(
                team,
                question="when",
                items=remaining,
                trials=PAGE_TRIALS,
                seed=epic.pk,
                today=today,
            )
        except Invalid as error:
            answers.append(EpicForecast(epic, remaining, None, error.detail))
            continue
        answers.append(EpicForecast(epic, remaining, answer, ""))
        if len(answers) >= EPICS_SHOWN:
            break
    return answers


def _histogram(answer: EpicForecast, forecast: Forecast) -> Chart:
    return forecast_charts.forecast_histogram(
        [((b.low + b.high) / 2, b.trials) for b in forecast.histogram],
        [(p.percentile, p.value) for p in forecast.percentiles if p.value is not None],
        unit="weeks",
        id="forecast",
        title=f"{answer.epic.key}: weeks until its {answer.remaining} open items are done",
    )


def _charts(team: Team, days: int, today: dt.date) -> dict[str, Chart]:
    start = today - dt.timedelta(days=days - 1)
    flow = selectors.team_flow(team=team, start=start, end=today, period="week")
    sprints = forecasts.closed_sprints(team)
    completions = forecasts.team_completions(team, start=start, end=today)
    history = completions.days
    return {
        "velocity": sprint_charts.velocity(
            [
                sprint_charts.SprintVelocity(
                    s.name, float(s.completed_points or 0), float(s.committed_points or 0)
                )
                for s in sprints
            ],
            title="Completed points per sprint",
        ),
        "throughput": flow_charts.throughput(
            [flow_charts.PeriodCount(week, count) for week, count in flow.throughput],
            period="week",
            title="Items finished per week",
        ),
        "cycle_time": flow_charts.cycle_time_scatter(
            [flow_charts.CycleItem(f"{c.key} {c.title}", c.day, c.days) for c in completions.shown],
            every=completions.days,
            title="Days each finished item took",
        ),
        "aging": flow_charts.aging_wip(
            ["In progress"],
            [
                flow_charts.AgingItem(f"{w.key} {w.title}", "In progress", w.age_days or 0.0)
                for w in flow.work_in_progress
            ],
            history=history,
            title="Age of the items in progress",
        ),
        "cumulative": flow_charts.cumulative_flow(
            [
                flow_charts.FlowDay(
                    d.day, {STATUS_LABELS[s]: d.counts.get(s, 0) for s in CFD_STATUSES}
                )
                for d in flow.cumulative
            ],
            [STATUS_LABELS[s] for s in CFD_STATUSES],
            title="Items in each status, day by day",
        ),
    }


@require_GET
@workspace_view
def team_flow_page(request: WorkspaceRequest, team_slug: str) -> HttpResponse:
    actor = request.actor
    team = access_team(actor, team_slug)
    days, days_note = _days(request)
    today = timezone.localdate()
    product = team_product(team)
    context: dict[str, Any] = {
        "team": team,
        "product": product,
        "days": days,
        "periods": PERIODS,
        "days_note": days_note,
    }
    if product is None:
        return render(request, "sprints/flow.html", context)
    epics = forecasts.product_open_epics(product)
    chosen_key = request.GET.get("epic", "").strip().upper()
    chosen = [epic for epic in epics if epic.key == chosen_key]
    epic_note = ""
    if chosen_key and not chosen:
        epic_note = f"{chosen_key[:40]} is not an open epic of {product.key}: showing them all."
    answers = _epic_forecasts(team, chosen or epics, today)
    shown = next((a for a in answers if a.forecast is not None), None)
    context |= {
        "charts": _charts(team, days, today),
        "velocity": selectors.team_velocity(team),
        "epics": epics,
        "chosen": chosen[0] if chosen else None,
        "epic_note": epic_note,
        "answers": answers,
        "shown": shown,
        "histogram": _histogram(shown, shown.forecast) if shown and shown.forecast else None,
    }
    return render(request, "sprints/flow.html", context)
