"""A release's forecast: when its remaining items are done (50/85/95%), and the chance of
making its target date, from the throughput of the teams that work from the product.

Each team's weekly history comes from ``sprints.forecasts.team_history`` (its own flow: all
the product's items when it is the only team, else the items of its sprints). Several teams'
histories are added week by week, aligned on the last whole week; a team's weeks before its
first completion count as zero, so the sum is what the product's teams together finished each
week. The sum is handed to the pure engine (``lodestar.forecasting``) with calibration asked,
so the answer carries its record (how often such forecasts came true in backtests).

**A product's open releases are worked in order**, the same teams doing them one after the
other: by target date, undated ones last, the older first on a tie. A release is done when the
teams have finished its open items and those of every open release before it, so all of them
are answered at once from one simulation of the teams' throughput (``engine.forecast_many``,
seeded by the product): the roadmap's timeline and each release's own page read the same
trials and say the same. docs/RELEASES.md states every choice.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from lodestar.backlog.models import ItemStatus
from lodestar.forecasting import engine
from lodestar.forecasting.engine import Forecast, ForecastInput
from lodestar.forecasting.errors import ForecastError
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from lodestar.sprints.forecasts import team_history
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_teams

OPEN = (ItemStatus.NEW, ItemStatus.READY, ItemStatus.IN_PROGRESS)
TRIALS = 10_000
# The states of a release still to be done: each has a forecast.
OPEN_STATES = (ReleaseState.PLANNED, ReleaseState.IN_PROGRESS)


@dataclass(frozen=True)
class ReleaseForecast:
    """``remaining``: open items left. ``teams``: the teams whose history was used.
    ``when``: the completion forecast, of ``ahead + remaining`` items (None when there is
    nothing to forecast or no history, ``reason`` says why). ``chance``: the probability of the
    remaining items being done by the target date (None without a target date or a
    forecast)."""

    remaining: int
    total: int
    done: int
    teams: list[str]
    history: list[int]
    when: Forecast | None
    chance: float | None
    reason: str
    # The open items of the releases worked before this one (counted before its own), and
    # those releases' names, in order.
    ahead: int = 0
    after: list[str] = field(default_factory=list)

    def date_at(self, percentile: int) -> dt.date | None:
        if self.when is None:
            return None
        found = next((p for p in self.when.percentiles if p.percentile == percentile), None)
        return found.date if found is not None else None


def product_history(product: Product, *, today: dt.date) -> tuple[list[str], list[int]]:
    """The product's teams that have a history, and their weekly throughput added up."""
    names: list[str] = []
    histories: list[list[int]] = []
    teams = product_teams(product)
    for team in teams:
        history = team_history(team, period="week", today=today, product=product, teams=teams)
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


def combined_history(release: Release, *, today: dt.date) -> tuple[list[str], list[int]]:
    """``product_history`` of the release's product."""
    return product_history(release.product, today=today)


def counts(release: Release) -> tuple[int, int, int]:
    """The release's items (not dropped), those done, and those still open."""
    return product_counts(release.product_id, [release.pk]).get(release.pk, (0, 0, 0))


def product_counts(product_id: int, releases: list[int]) -> dict[int, tuple[int, int, int]]:
    """``counts`` of each of ``releases`` (ids, of the product), in one query."""
    found: dict[int, list[int]] = {pk: [0, 0, 0] for pk in releases}
    # Items in the trash are left out by the count, not the filter: filtered, SQLite walked
    # every live backlog item by its deleted_at index (24 ms for 1,000 items, not 1).
    rows = (
        ReleaseItem.objects.filter(release_id__in=releases, dropped_at__isnull=True)
        .values_list("release_id", "item__status")
        .annotate(n=Count("id", filter=Q(item__deleted_at__isnull=True)))
        .order_by()
    )
    for release_id, status, n in rows:
        entry = found[release_id]
        entry[0] += n
        if status == ItemStatus.DONE:
            entry[1] += n
        elif status in OPEN:
            entry[2] += n
    return {pk: (total, done, remaining) for pk, (total, done, remaining) in found.items()}


def in_order(releases: list[Release]) -> list[Release]:
    """``releases`` in the order they are worked: by target date, undated ones last, the
    older (lower id) first on a tie."""
    return sorted(
        releases, key=lambda r: (r.target_date is None, r.target_date or dt.date.max, r.pk)
    )


def _ahead_words(ahead: int, before: list[str]) -> str:
    if not before:
        return ""
    names = ", ".join(before[-3:])
    more = f"{len(before) - 3} more and " if len(before) > 3 else ""
    return (
        f"Worked after the releases due before it ({more}{names}): their {ahead} open "
        f"item{'s' if ahead != 1 else ''} come first."
    )


def product_forecasts(
    product: Product,
    *,
    today: dt.date | None = None,
    combined: tuple[list[str], list[int]] | None = None,
    releases: list[Release] | None = None,
    chance: bool = True,
) -> dict[int, ReleaseForecast]:
    """The forecast of each open (planned or in progress) release of ``product``, by id, from
    one simulation (see the module's docstring). ``combined``: the product's
    ``product_history`` when the caller has it already; ``releases``: the product's open
    releases when the caller has read them. ``chance``: False when only the dates are wanted
    (the roadmap's timeline); each forecast's ``chance`` is then None."""
    today = today or timezone.localdate()
    if releases is None:
        releases = list(Release.objects.filter(product=product, state__in=OPEN_STATES))
    releases = in_order([r for r in releases if r.state in OPEN_STATES])
    numbers = product_counts(product.pk, [r.pk for r in releases])
    answers: dict[int, ReleaseForecast] = {}
    waiting: list[tuple[Release, int, list[str]]] = []
    ahead = 0
    before: list[str] = []
    for release in releases:
        total, done, remaining = numbers[release.pk]
        if remaining == 0:
            reason = "Every item is done." if total else "The release holds no items yet."
            answers[release.pk] = ReleaseForecast(
                remaining, total, done, [], [], None, 1.0 if total else None, reason
            )
            continue
        waiting.append((release, ahead, list(before)))
        ahead += remaining
        before.append(release.name)
    if not waiting:
        return answers
    teams, history = combined or product_history(product, today=today)

    def answer(
        release: Release,
        reason: str,
        *,
        history: list[int] | None = None,
        when: Forecast | None = None,
        chance: float | None = None,
        ahead: int = 0,
        after: list[str] | None = None,
    ) -> ReleaseForecast:
        total, done, remaining = numbers[release.pk]
        return ReleaseForecast(
            remaining, total, done, teams, history or [], when, chance, reason, ahead, after or []
        )

    if not any(history):
        for release, _, _ in waiting:
            answers[release.pk] = answer(
                release,
                f"No team working from {product.key} has finished anything yet to forecast from.",
            )
        return answers
    cumulative = tuple(ahead + numbers[release.pk][2] for release, ahead, _ in waiting)
    found = simulated(product.pk, today, tuple(history), cumulative)
    for (release, ahead, before), when in zip(waiting, found, strict=True):
        words = _ahead_words(ahead, before)
        if isinstance(when, ForecastError):
            answers[release.pk] = answer(
                release,
                " ".join(filter(None, [f"No forecast: {when.message}.", words])),
                history=history,
                ahead=ahead,
                after=before,
            )
            continue
        probability: float | None = None
        reason = ""
        if release.target_date is not None and chance:
            if release.target_date <= today:
                probability = 0.0
                reason = "The target date has passed with items still open."
            else:
                try:
                    probability, _ = engine.chance_by(when, release.target_date)
                except ForecastError as error:
                    # A target inside the first week: too soon to count whole weeks to it.
                    reason = f"No chance computed: the target date {error.message}."
        answers[release.pk] = answer(
            release,
            " ".join(filter(None, [words, reason])),
            history=history,
            when=when,
            chance=probability,
            ahead=ahead,
            after=before,
        )
    return answers


@functools.lru_cache(maxsize=8)
def simulated(
    product_id: int, today: dt.date, history: tuple[int, ...], counts: tuple[int, ...]
) -> tuple[Forecast | ForecastError, ...]:
    """The *when* of each of ``counts`` items from one simulation of ``history`` (a product's
    open releases' cumulative counts), kept for the next page: the answer depends on these
    arguments alone, so a change to a release's items, their order or the teams' history
    asks again, and a new day too. Eight products' worth (a forecast keeps its trials'
    outcomes, 80 KB a release)."""
    common = ForecastInput(
        question="when",
        throughput=history,
        period="week",
        today=today,
        start=today,
        calibrate=True,
        working_days=True,
        trials=TRIALS,
        # One set of trials for the product: every release reads its own count from them.
        seed=product_id,
        calibration_seed=product_id,
        percentiles=(50, 85, 95),
    )
    try:
        return tuple(engine.forecast_many(common, counts))
    except ForecastError as error:
        return (error,) * len(counts)


def release_forecast(
    release: Release,
    *,
    today: dt.date | None = None,
    combined: tuple[list[str], list[int]] | None = None,
    chance: bool = True,
) -> ReleaseForecast:
    """The forecast of ``release`` (see the module's docstring): the one
    ``product_forecasts`` gives it. ``combined``: the product's ``product_history`` when the
    caller has it already. ``chance``: False when only the dates are wanted; the forecast's
    ``chance`` is then None."""
    if release.state not in OPEN_STATES:
        total, done, remaining = counts(release)
        return ReleaseForecast(
            remaining,
            total,
            done,
            [],
            [],
            None,
            None,
            f"The release is {release.get_state_display().lower()}; nothing to forecast.",
        )
    # The product's other open releases as stored, this one as given.
    others = Release.objects.filter(product_id=release.product_id, state__in=OPEN_STATES)
    releases = [release, *others.exclude(pk=release.pk)]
    return product_forecasts(
        release.product, today=today, combined=combined, releases=releases, chance=chance
    )[release.pk]
