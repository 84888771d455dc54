"""HTTP API of the forecasts (``forecasting``): one route that answers *when*, *how many* and
*odds* from a throughput history given in the body.

The history is either given (``throughput``) or read from a team's flow (``team``: the items
it finished in each past period, ``sprints.forecasts``); any member may ask either. ``epic``
stands for ``items``: the epic's open children.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS, InSchema
from lodestar.backlog.refs import item_ref
from lodestar.core.errors import Invalid, NotFound
from lodestar.forecasting import engine
from lodestar.forecasting.engine import Forecast, ForecastInput
from lodestar.people.access import access_team
from lodestar.sprints import forecasts as team_forecasts
from lodestar.sprints.errors import SprintErrorCode

router = Router(tags=["forecasts"])

Count = Annotated[int, Field(ge=0, le=engine.MAX_THROUGHPUT)]
SplitRate = Annotated[float, Field(ge=1, le=engine.MAX_SPLIT_RATE)]
ScopeCount = Annotated[int, Field(ge=1, le=engine.MAX_ITEMS)]
# A day is in the past once it has ended everywhere: UTC-12 is the last time zone to leave it.
LAST_TIME_ZONE = dt.timedelta(hours=12)


class ForecastIn(InSchema):
    question: Literal["when", "how_many", "odds"] = Field(
        description="when: periods until `items` are done; how_many: items done within "
        "`periods` or by `date`; odds: the probability that `items` are done within `periods` "
        "or by `date`"
    )
    throughput: list[Count] | None = Field(
        None,
        min_length=1,
        max_length=engine.MAX_HISTORY,
        description="Items finished in each past period, oldest first (not all zero); "
        "or give `team`",
    )
    team: str | None = Field(
        None,
        max_length=100,
        description="Instead of `throughput`: a team's slug; its history is the items it "
        "finished in each past period (calibrated, working days, by default)",
    )
    items: int | None = Field(
        None, ge=1, le=engine.MAX_ITEMS, description="Items left to do (when, odds)"
    )
    epic: str | None = Field(
        None,
        max_length=40,
        description="Instead of `items` (when, odds): an epic's key; the items left are its "
        "open children",
    )
    periods: int | None = Field(
        None,
        ge=1,
        le=max(engine.HORIZON.values()),
        description="Periods ahead (how_many, odds); at most ten years of them",
    )
    date: dt.date | None = Field(
        None, description="Instead of periods (how_many, odds): the periods ending by this day"
    )
    period: Literal["day", "week"] = Field("week", description="What one throughput count covers")
    trials: int = Field(
        engine.DEFAULT_TRIALS, ge=engine.MIN_TRIALS, le=engine.MAX_TRIALS, description="Futures"
    )
    seed: int | None = Field(
        None, ge=0, le=engine.MAX_SEED, description="The same seed gives the same answer"
    )
    window: int | None = Field(
        None,
        ge=1,
        le=engine.MAX_HISTORY,
        description="Draw from the last this many periods only (default: all of them)",
    )
    calibrate: bool | None = Field(
        None,
        description="Backtest the history and adjust the percentiles to its record "
        "(default: true for a team, false for a throughput list)",
    )
    start: dt.date | None = Field(
        None, description="The first day of the first period (default: today, UTC)"
    )
    working_days: bool | None = Field(
        None,
        description="Count only Monday to Friday, without `holidays`, in the dates "
        "(default: true for a team, false for a throughput list)",
    )
    holidays: list[dt.date] = Field(default_factory=list, max_length=engine.MAX_HOLIDAYS)
    split_rate: tuple[SplitRate, SplitRate] | None = Field(
        None, description="[low, high]: each item may become this many once broken down"
    )
    scope: tuple[ScopeCount, ScopeCount] | None = Field(
        None, description="[low, high] items left to do, instead of items (when, odds)"
    )


class ForecastPercentileOut(Schema):
    percentile: int
    value: int | None = Field(
        description="Periods (when, odds) or items (how_many); null when beyond the horizon"
    )
    date: dt.date | None = Field(
        description="The last day of that period (how_many: of the periods asked)"
    )
    beyond: bool = Field(description="Not done within the horizon at this percentile")
    plain_value: int | None = Field(description="The answer before calibration")


class ForecastBinOut(Schema):
    low: int
    high: int
    trials: int


class ForecastHitRateOut(Schema):
    percentile: int
    came_true: float = Field(description="Share of backtests in which the plain forecast held")


class ForecastWarningOut(Schema):
    code: str
    message: str


class ForecastCalibrationOut(Schema):
    asked: bool
    calibrated: bool
    backtests: int
    hit_rates: list[ForecastHitRateOut]
    reason: str | None = Field(description="Why the answer is not calibrated")
    sentence: str = Field(description="The record in words")
    warnings: list[ForecastWarningOut]


class ForecastInputsOut(Schema):
    question: str
    throughput: list[int]
    items: int | None
    periods: int | None
    date: dt.date | None
    period: str
    trials: int
    seed: int
    window: int | None
    history_used: int
    calibrate: bool
    start: dt.date | None
    working_days: bool
    holidays: list[dt.date]
    split_rate: list[float] | None
    scope: list[int] | None
    horizon: int


class ForecastOut(Schema):
    question: str
    unit: Literal["periods", "items"]
    percentiles: list[ForecastPercentileOut]
    probability: float | None = Field(description="odds: the chance of being done in time")
    plain_probability: float | None
    histogram: list[ForecastBinOut]
    beyond: int = Field(description="Trials not done within the horizon")
    calibration: ForecastCalibrationOut
    inputs: ForecastInputsOut

    @classmethod
    def of(cls, forecast: Forecast) -> ForecastOut:
        return cls.model_validate(engine.as_dict(forecast))


@router.post(
    "/{workspace_slug}/forecasts",
    response={200: ForecastOut, **ERRORS},
    operation_id="forecast_create",
)
def create_forecast(request: HttpRequest, workspace_slug: str, payload: ForecastIn) -> ForecastOut:
    """A Monte Carlo forecast from the throughput history in the body: percentiles 50, 70, 85
    and 95 with their dates, the histogram, the record of past forecasts (calibration) and
    the inputs used. Every bad input is a 422 naming its field."""
    actor = request_actor(request, workspace_slug)
    now = dt.datetime.now(dt.UTC)
    if (payload.team is None) == (payload.throughput is None):
        raise Invalid.field(
            "team",
            "give a team or a throughput list, not both"
            if payload.team
            else "give a team (its history is read) or a throughput list",
            code=SprintErrorCode.FORECAST_TEAM_INVALID,
        )
    items = payload.items
    if payload.epic is not None:
        if items is not None or payload.scope is not None:
            raise Invalid.field(
                "epic",
                "stands for items: give items, scope or epic, only one",
                code=SprintErrorCode.FORECAST_EPIC_INVALID,
            )
        items = team_forecasts.remaining_of(item_ref(actor, payload.epic, field="epic"))
    options = payload.model_dump(
        exclude={"start", "holidays", "team", "throughput", "epic", "items"},
        exclude_none=True,
    )
    options["items"] = items
    start = payload.start or now.date()
    today = (now - LAST_TIME_ZONE).date()
    if payload.team is not None:
        try:
            team = access_team(actor, payload.team)
        except NotFound:
            raise Invalid.field(
                "team",
                f"no team '{payload.team}' in this workspace",
                code=SprintErrorCode.FORECAST_TEAM_INVALID,
            ) from None
        return ForecastOut.of(
            team_forecasts.team_forecast(
                team,
                start=start,
                holidays=tuple(payload.holidays),
                **{"today": today, "calibrate": True, "working_days": True, **options},
            )
        )
    forecast = engine.forecast(
        ForecastInput(
            **options,
            throughput=payload.throughput or (),
            start=start,
            holidays=tuple(payload.holidays),
            today=today,
        )
    )
    return ForecastOut.of(forecast)
