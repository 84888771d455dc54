"""A release's forecast: when its remaining items are done (50/85/95%), and the chance of
making its target date, from the throughput of the teams that work from the product.

Each team's weekly history comes from ``sprints.forecasts.team_history`` (its own flow: all
the product's items when it is the only team, else the items of its sprints). Several teams'
histories are added week by week, aligned on the last whole week; a team's weeks before its
first completion count as zero, so the sum is what the product's teams together finished each
week. The sum is handed to the pure engine (``lodestar.forecasting``) with calibration asked,
so the answer carries its record (how often such forecasts came true in backtests). Seeded by
the release, so a page reads the same twice. docs/RELEASES.md states every choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils import timezone

from lodestar.backlog.models import ItemStatus
from lodestar.forecasting import engine
from lodestar.forecasting.engine import Forecast, ForecastInput
from lodestar.forecasting.errors import ForecastError
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from lodestar.sprints.forecasts import team_history
from lodestar.strategy.selectors import product_teams

OPEN = (ItemStatus.NEW, ItemStatus.READY, ItemStatus.IN_PROGRESS)
TRIALS = 10_000


@dataclass(frozen=True)
class ReleaseForecast:
    """``remaining``: open items left. ``teams``: the teams whose history was used.
    ``when``: the completion forecast (None when there is nothing to forecast or no history,
    ``reason`` says why). ``chance``: the probability of the remaining items being done by the
    target date (None without a target date or a forecast)."""

    remaining: int
    total: int
    done: int
    teams: list[str]
    history: list[int]
    when: Forecast | None
    chance: float | None
    reason: str

    def date_at(self, percentile: int) -> dt.date | None:
        if self.when is None:
            return None
        found = next((p for p in self.when.percentiles if p.percentile == percentile), None)
        return found.date if found is not None else None


def combined_history(release: Release, *, today: dt.date) -> tuple[list[str], list[int]]:
    """The product's teams that have a history, and their weekly throughput added up."""
    names: list[str] = []
    histories: list[list[int]] = []
    for team in product_teams(release.product):
        history = team_history(team, period="week", today=today)
        if history:
            names.append(team.name)
            histories.append(history)
    if not histories:
        return names, []
    length = max(len(history) for history in histories)
    total = [0] * length
    for history in histories:
        for offset, count in enumerate(history, start=length - len(history)):
            total[offset] += count
    return names, total


def counts(release: Release) -> tuple[int, int, int]:
    """The release's items (not dropped), those done, and those still open."""
    statuses = list(
        ReleaseItem.objects.filter(
            release=release, dropped_at__isnull=True, item__deleted_at__isnull=True
        ).values_list("item__status", flat=True)
    )
    done = sum(1 for status in statuses if status == ItemStatus.DONE)
    remaining = sum(1 for status in statuses if status in OPEN)
    return len(statuses), done, remaining


def release_forecast(
    release: Release,
    *,
    today: dt.date | None = None,
    combined: tuple[list[str], list[int]] | None = None,
    chance: bool = True,
) -> ReleaseForecast:
    """The forecast of ``release`` (see the module's docstring). ``combined``: the product's
    ``combined_history`` when the caller has it already (a list of the product's releases reads
    it once). ``chance``: False when only the dates are wanted (the roadmap's timeline), which
    spares the second simulation; the forecast's ``chance`` is then None."""
    today = today or timezone.localdate()
    total, done, remaining = counts(release)

    def answer(
        reason: str,
        *,
        teams: list[str] | None = None,
        chance: float | None = None,
        history: list[int] | None = None,
        when: Forecast | None = None,
    ) -> ReleaseForecast:
        return ReleaseForecast(
            remaining, total, done, teams or [], history or [], when, chance, reason
        )

    if release.state in (ReleaseState.LIVE, ReleaseState.CANCELLED):
        return answer(f"The release is {release.get_state_display().lower()}; nothing to forecast.")
    if remaining == 0:
        reason = "Every item is done." if total else "The release holds no items yet."
        return answer(reason, chance=1.0 if total else None)
    teams, history = combined or combined_history(release, today=today)
    if not any(history):
        return answer(
            f"No team working from {release.product.key} has finished anything yet to "
            "forecast from.",
            teams=teams,
        )
    # Both questions alike: the same history, trials and seed, weeks of working days from
    # today, calibrated on the history's backtests.
    common = ForecastInput(
        question="when",
        throughput=history,
        items=remaining,
        period="week",
        today=today,
        start=today,
        calibrate=True,
        working_days=True,
        trials=TRIALS,
        seed=release.pk,
        # Every release of the product forecasts from the same history: one set of backtests
        # serves them all (the roadmap's timeline asks for each open release).
        calibration_seed=release.product_id,
        percentiles=(50, 85, 95),
    )
    try:
        when = engine.forecast(common)
    except ForecastError as error:
        return answer(f"No forecast: {error.message}.", teams=teams, history=history)
    probability: float | None = None
    reason = ""
    if release.target_date is not None and chance:
        if release.target_date <= today:
            probability = 0.0
            reason = "The target date has passed with items still open."
        else:
            try:
                odds = engine.forecast(replace(common, question="odds", date=release.target_date))
                probability = odds.probability
            except ForecastError as error:
                # A target inside the first week: too soon to count whole weeks to it.
                reason = f"No chance computed: the target date {error.message}."
    return answer(reason, teams=teams, history=history, when=when, chance=probability)
