"""Backtests, calibration and the warnings a forecast carries.

**Backtest.** Walk forward through the history: at each past point (the *origin*, ``i``
periods known) forecast from the window known then, and record where the real outcome fell in
that forecast's distribution, as its *rank*:

- a *when* backtest asks for the items the window's pace finishes in ``work_periods`` periods
  (six weeks: 6 weekly or 42 daily periods), ``N = max(1, round(mean * work_periods))``; its
  outcome is the real number of periods, ``t*``, until ``N`` items were done, and its rank
  ``P(T < t*)`` over the simulated completion times ``T``;
- a *how many* backtest asks how many items ``work_periods`` periods finish; its outcome is the
  real count ``x*`` and its rank ``P(X > x*)``.

Either way the plain ``p``% forecast of that backtest came true exactly when ``rank < p/100``
(for *when*: ``t* <= min{t : P(T <= t) >= p}``; for *how many*: ``x* >= max{c : P(X >= c) >=
p}``); that is how the record of plain forecasts is counted. An outcome is *known* at
``origin + t*`` (or ``origin + work_periods``); a backtest whose outcome the history does not
reach yet is left out.

Outcomes are whole numbers, so the rank alone is lumpy (a few possible values when forecasts
span five or six weeks). Calibration uses the *randomized* rank (the randomized probability
integral transform): ``pit = rank + u * P(T = t*)`` (or ``P(X = x*)``) with ``u`` uniform on
[0, 1), which is exactly uniform on [0, 1] when the forecasts are right, whatever the steps.

**Calibrate.** With the ``pit`` of the last ``LIMIT`` (156) backtests whose outcome was known,
and at least ``MINIMUM`` (20) of them, the ``p``% answer is the plain forecast at level
``L = pit_(k)``, the ``k``-th smallest with ``k = ceil(p * m / 100)``: a past forecast made at
level ``L`` came true in ``k`` of the ``m`` backtests, that is in at least ``p``% of them.
This is probabilistic recalibration: the forecast's distribution ``F`` is replaced by
``H(F)``, ``H`` the distribution of past ``pit``. A calibrated probability (*odds*) is
``H(q)``, the share of backtests whose ``pit`` is below the plain probability ``q``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from lodestar.forecasting import simulation

Kind = Literal["when", "how_many"]
LIMIT = 156
MINIMUM = 20
# Plain percentiles whose record every forecast reports.
REPORTED = (50, 85, 95)
# The process-change test: each half of the window needs this many periods, and the change
# must be this unlikely under an unchanged process.
HALF_MINIMUM = 8
CHANGE_P_VALUE = 0.01


class ForecastWarningCode(StrEnum):
    HISTORY_SHORT = "history_short"
    RECENT_ZEROS = "recent_zeros"
    PROCESS_CHANGED = "process_changed"
    CALIBRATION_EDGE = "calibration_edge"


@dataclass(frozen=True)
class ForecastWarning:
    code: ForecastWarningCode
    message: str


@dataclass(frozen=True)
class Backtest:
    origin: int  # periods of history known when the forecast was made
    target: int  # items asked for (when) or periods looked ahead (how many)
    outcome: int  # real periods taken (when) or real items done (how many)
    known_at: int  # the period at whose end the outcome was known
    rank: float  # the plain p% forecast came true when rank < p / 100
    pit: float  # the randomized rank, which calibration uses


@dataclass(frozen=True)
class HitRate:
    percentile: int
    came_true: float  # share of backtests in which the plain forecast came true


def work_periods_for(period: str) -> int:
    """About six weeks of work, in periods."""
    return 6 if period == "week" else 42


def stride_for(period: str) -> int:
    """Periods between two backtests: one a week. Daily backtests a day apart would share
    almost all of their window and of their outcome, so 156 of them would say little more
    than a few; a week apart, 156 span three years whatever the period."""
    return 1 if period == "week" else 7


def first_origin(window: int | None, work_periods: int) -> int:
    """The first point a backtest starts from: the whole window known, or (without a window)
    twice the span of a forecast."""
    return window if window is not None else 2 * work_periods


def backtest(
    history: NDArray[np.int64],
    *,
    kind: Kind,
    rng: np.random.Generator,
    window: int | None,
    work_periods: int,
    trials: int,
    stride: int = 1,
    as_of: int | None = None,
    limit: int | None = LIMIT,
) -> list[Backtest]:
    """The last ``limit`` backtests (every one with None) whose outcome was known after
    ``as_of`` periods (all of the history by default), oldest first; their origins are
    ``stride`` periods apart, the last one as late as possible."""
    known = len(history) if as_of is None else as_of
    start = max(1, first_origin(window, work_periods))
    origins = np.arange(known - 1, start - 1, -stride, dtype=np.int64)[::-1].copy()
    if origins.size == 0:
        return []
    cumulative = np.concatenate(([0], np.cumsum(history, dtype=np.int64)))
    lows = np.zeros_like(origins) if window is None else np.maximum(0, origins - window)
    lengths = origins - lows
    pace = (cumulative[origins] - cumulative[lows]) / lengths
    if kind == "when":
        targets = np.maximum(1, np.rint(pace * work_periods)).astype(np.int64)
        ends = np.searchsorted(cumulative, cumulative[origins] + targets, side="left")
        outcomes = ends - origins
        known_at = ends
    else:
        targets = np.full_like(origins, work_periods)
        known_at = origins + work_periods
        ends = np.minimum(known_at, len(history))
        outcomes = cumulative[ends] - cumulative[origins]
    usable = (pace > 0) & (known_at <= known)
    chosen = np.flatnonzero(usable)
    if limit is not None:
        chosen = chosen[len(chosen) - min(limit, len(chosen)) :]
    if chosen.size == 0:
        return []
    ranks, pits = _ranks(
        rng,
        history.astype(np.int32),
        kind=kind,
        lows=lows[chosen],
        lengths=lengths[chosen],
        targets=targets[chosen],
        outcomes=outcomes[chosen],
        trials=trials,
    )
    return [
        Backtest(
            origin=int(origins[c]),
            target=int(targets[c]),
            outcome=int(outcomes[c]),
            known_at=int(known_at[c]),
            rank=float(rank),
            pit=float(pit),
        )
        for c, rank, pit in zip(chosen, ranks, pits, strict=True)
    ]


def _ranks(
    rng: np.random.Generator,
    history: NDArray[np.int32],
    *,
    kind: Kind,
    lows: NDArray[np.int64],
    lengths: NDArray[np.int64],
    targets: NDArray[np.int64],
    outcomes: NDArray[np.int64],
    trials: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each backtest's rank and randomized rank, from ``trials`` simulated futures of its own
    window.

    *When*: ``P(T < t*)`` is the share of futures whose first ``t* - 1`` periods already
    finish the target, ``P(T = t*)`` the share that finish it in period ``t*`` exactly.
    *How many*: ``P(X > x*)`` and ``P(X = x*)`` over ``work_periods`` periods. Both need only
    sums over a known number of periods, so no completion loop is run."""
    count = lows.shape[0]
    periods = outcomes - 1 if kind == "when" else targets
    ranks = np.zeros(count, dtype=np.float64)
    ties = np.zeros(count, dtype=np.float64)
    # Backtests are simulated in batches that fit the simulation's memory budget.
    longest = max(1, int(periods.max()))
    batch = max(1, simulation.BUDGET // (trials * longest))
    for first in range(0, count, batch):
        part = slice(first, min(count, first + batch))
        part_lows = np.repeat(lows[part], trials)
        part_lengths = np.repeat(lengths[part], trials)
        totals = simulation.sums(
            rng, history, part_lows, part_lengths, np.repeat(periods[part], trials)
        )
        if kind == "when":
            target = np.repeat(targets[part], trials)
            earlier = totals >= target
            # One period more: the futures that finish in period t* exactly.
            then = totals + simulation.draw(rng, history, part_lows, part_lengths, 1)[0]
            tied = ~earlier & (then >= target)
        else:
            outcome = np.repeat(outcomes[part], trials)
            earlier = totals > outcome
            tied = totals == outcome
        ranks[part] = earlier.reshape(-1, trials).mean(axis=1)
        ties[part] = tied.reshape(-1, trials).mean(axis=1)
    pits = ranks + rng.random(count) * ties
    return ranks, pits


def hit_rates(ranks: NDArray[np.float64], percentiles: tuple[int, ...] = REPORTED) -> list[HitRate]:
    return [HitRate(p, float(np.mean(ranks < p / 100))) for p in percentiles]


def calibrated_level(pits: NDArray[np.float64], percentile: int) -> float:
    """``pit_(k)``, ``k = ceil(percentile * m / 100)``: the level at which past forecasts
    came true in ``percentile``% of the backtests."""
    ordered = np.sort(pits)
    k = -(-percentile * ordered.size // 100)
    return float(ordered[max(1, k) - 1])


def calibrated_probability(pits: NDArray[np.float64], plain: float) -> float:
    """``H(plain)``: how often, in the backtests, a forecast at level ``plain`` came true."""
    return float(np.mean(pits < plain))


@dataclass(frozen=True)
class Replay:
    percentile: int
    forecasts: int  # forecasts replayed (those with enough earlier backtests to calibrate)
    plain: float  # share of them whose plain answer came true
    calibrated: float  # share whose calibrated answer came true


def replay(backtests: list[Backtest], percentile: int, *, limit: int = LIMIT) -> Replay:
    """Walk forward through ``backtests`` (all of a history's, oldest first) as if each were
    the forecast of its day: calibrated with the last ``limit`` backtests whose outcome was
    known by its origin (at least ``MINIMUM``), and checked against what then happened.

    The calibrated answer at level ``L`` came true exactly when ``rank < L``, as the plain
    one at ``p`` when ``rank < p / 100``, so no simulation is run again."""
    plain_hits = calibrated_hits = count = 0
    known_at = np.asarray([b.known_at for b in backtests])
    pits = np.asarray([b.pit for b in backtests])
    for index, current in enumerate(backtests):
        earlier = np.flatnonzero(known_at[:index] <= current.origin)[-limit:]
        if earlier.size < MINIMUM:
            continue
        level = calibrated_level(pits[earlier], percentile)
        count += 1
        plain_hits += current.rank < percentile / 100
        calibrated_hits += current.rank < level
    return Replay(
        percentile=percentile,
        forecasts=count,
        plain=plain_hits / count if count else 0.0,
        calibrated=calibrated_hits / count if count else 0.0,
    )


# -- warnings ------------------------------------------------------------------------------------


def mann_whitney_p(older: NDArray[np.int64], recent: NDArray[np.int64]) -> float:
    """Two-sided p-value of the Mann-Whitney U test (normal approximation with the tie
    correction and a continuity correction of 1/2): how likely halves this different are
    when both come from one unchanged process. 1.0 when every value is the same."""
    n1, n2 = older.size, recent.size
    both = np.concatenate((older, recent))
    n = n1 + n2
    values, inverse, counts = np.unique(both, return_inverse=True, return_counts=True)
    # The average rank of each distinct value (ranks from 1).
    ends = np.cumsum(counts)
    average = ends - (counts - 1) / 2
    ranks = average[inverse]
    u = float(ranks[:n1].sum()) - n1 * (n1 + 1) / 2
    ties = float((counts.astype(np.float64) ** 3 - counts).sum())
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0 or values.size == 1:
        return 1.0
    z = max(0.0, abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return math.erfc(z / math.sqrt(2))


def history_warnings(
    sample: NDArray[np.int64], *, period: str, work_periods: int
) -> list[ForecastWarning]:
    """What a reader of the forecast should know about the history it was drawn from."""
    unit = "weeks" if period == "week" else "days"
    found: list[ForecastWarning] = []
    if sample.size < 2 * work_periods:
        found.append(
            ForecastWarning(
                ForecastWarningCode.HISTORY_SHORT,
                f"The forecast draws from only {sample.size} {unit} of history; with fewer "
                f"than {2 * work_periods} it is rough, and calibration needs far more.",
            )
        )
    recent = sample[-work_periods:]
    if sample.size > work_periods and not recent.any() and sample.any():
        found.append(
            ForecastWarning(
                ForecastWarningCode.RECENT_ZEROS,
                f"Nothing was finished in the last {recent.size} {unit}; the forecast assumes "
                "the earlier pace comes back.",
            )
        )
    half = sample.size // 2
    if half >= HALF_MINIMUM:
        older, newer = sample[: sample.size - half], sample[-half:]
        p_value = mann_whitney_p(older, newer)
        if p_value < CHANGE_P_VALUE:
            found.append(
                ForecastWarning(
                    ForecastWarningCode.PROCESS_CHANGED,
                    f"The process seems to have changed: the recent {half} {unit} finished "
                    f"{newer.mean():.1f} a period on average against {older.mean():.1f} "
                    f"before (Mann-Whitney p = {p_value:.3f}). Consider a window of the "
                    "recent periods only.",
                )
            )
    return found
