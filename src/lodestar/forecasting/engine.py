"""Forecasts from throughput history: *when* will N items be done, *how many* items will be
done in P periods or by a date, and the *odds* of N items by a date.

``forecast(ForecastInput(...))`` checks the input (a ``ForecastError`` names the field to fix),
simulates ``trials`` futures (``simulation``), reads the percentiles, and, when asked,
calibrates them on the history's own backtests (``calibration``). Everything is in periods
until the end, where ``periods.Calendar`` turns them into dates. docs/FORECASTING.md states
every definition.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from lodestar.forecasting import calibration, simulation
from lodestar.forecasting.calibration import ForecastWarning, ForecastWarningCode, HitRate
from lodestar.forecasting.errors import ForecastError, ForecastErrorCode
from lodestar.forecasting.periods import LAST_START, Calendar, PeriodUnit

Question = Literal["when", "how_many", "odds"]
QUESTIONS: tuple[Question, ...] = ("when", "how_many", "odds")
PERCENTILES = (50, 70, 85, 95)
DEFAULT_TRIALS = 10_000
MIN_TRIALS = 100
MAX_TRIALS = 100_000
MAX_HISTORY = 10_000
MAX_THROUGHPUT = 100_000
MAX_ITEMS = 1_000_000
MAX_HOLIDAYS = 1_000
MAX_SEED = 2**63 - 1
MAX_SPLIT_RATE = 10.0
# How far a forecast looks: ten years of periods. A trial not done by then is "beyond".
HORIZON: dict[str, int] = {"day": 3653, "week": 522}
BACKTEST_TRIALS = 2_000
HISTOGRAM_BINS = 40


@dataclass(frozen=True)
class ForecastInput:
    """One question. ``throughput`` is the items finished in each past period, oldest first;
    ``today`` (given by the caller: this module reads no clock) bounds the dates."""

    question: Question
    throughput: Sequence[int]
    items: int | None = None
    periods: int | None = None
    date: dt.date | None = None
    period: PeriodUnit = "week"
    trials: int = DEFAULT_TRIALS
    seed: int | None = None
    window: int | None = None
    calibrate: bool = False
    start: dt.date | None = None
    working_days: bool = False
    holidays: Sequence[dt.date] = ()
    split_rate: tuple[float, float] | None = None
    scope: tuple[int, int] | None = None
    percentiles: Sequence[int] = PERCENTILES
    today: dt.date | None = None
    # Seeds the backtests alone (by default they follow ``seed``). Forecasts that share a
    # history, a question's kind and this seed share their backtests: computed once and kept
    # in a small cache, so many questions on one history (every release of a product) pay
    # for the backtests once.
    calibration_seed: int | None = None


@dataclass(frozen=True)
class PercentileAnswer:
    percentile: int
    # Periods (when, odds) or items (how many); None when beyond the horizon.
    value: int | None
    date: dt.date | None
    beyond: bool
    # The uncalibrated answer (the same as ``value`` when not calibrated).
    plain_value: int | None


@dataclass(frozen=True)
class HistogramBin:
    low: int
    high: int
    trials: int


@dataclass(frozen=True)
class Calibration:
    asked: bool
    calibrated: bool
    backtests: int
    hit_rates: tuple[HitRate, ...]
    reason: str | None
    warnings: tuple[ForecastWarning, ...]

    @property
    def sentence(self) -> str:
        """The record in words: "plain 85% forecasts came true 72% of the time over 40
        backtests; this one is adjusted"."""
        rate = next((h for h in self.hit_rates if h.percentile == 85), None)
        if rate is None or not self.backtests:
            return f"Not calibrated: {self.reason}"
        said = (
            f"Plain 85% forecasts came true {round(rate.came_true * 100)}% of the time over "
            f"{self.backtests} backtest{'s' if self.backtests != 1 else ''}"
        )
        if self.calibrated:
            return f"{said}; this one is adjusted."
        return f"{said}; this one is not adjusted: {self.reason}"


@dataclass(frozen=True)
class Inputs:
    """The input as used: defaults filled in, the seed drawn, the window as applied."""

    question: Question
    throughput: tuple[int, ...]
    items: int | None
    periods: int | None
    date: dt.date | None
    period: PeriodUnit
    trials: int
    seed: int
    window: int | None
    history_used: int
    calibrate: bool
    start: dt.date | None
    working_days: bool
    holidays: tuple[dt.date, ...]
    split_rate: tuple[float, float] | None
    scope: tuple[int, int] | None
    horizon: int


@dataclass(frozen=True)
class Forecast:
    question: Question
    unit: Literal["periods", "items"]
    percentiles: tuple[PercentileAnswer, ...]
    probability: float | None
    plain_probability: float | None
    histogram: tuple[HistogramBin, ...]
    beyond: int  # trials not done within the horizon
    calibration: Calibration
    inputs: Inputs
    outcomes: NDArray[np.int64] = field(repr=False, compare=False)
    # The backtests' randomized ranks calibration used (None when not calibrated).
    pits: NDArray[np.float64] | None = field(default=None, repr=False, compare=False)


# -- checking the input --------------------------------------------------------------------------


def _fail(name: str, message: str, code: ForecastErrorCode) -> ForecastError:
    return ForecastError(name, message, code=code)


def _whole(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _count(name: str, value: int | None, *, low: int, high: int, unit: str) -> None:
    if value is None:
        return
    if not _whole(value):
        raise _fail(name, "must be a whole number", ForecastErrorCode.OUT_OF_RANGE)
    if value < 0:
        raise _fail(name, f"must not be negative ({value})", ForecastErrorCode.NEGATIVE)
    if not low <= value <= high:
        raise _fail(
            name, f"must be {low:,} to {high:,} {unit} ({value:,})", ForecastErrorCode.OUT_OF_RANGE
        )


def _history(throughput: Sequence[int]) -> NDArray[np.int64]:
    if len(throughput) == 0:
        raise _fail(
            "throughput",
            "is empty: give the number of items finished in each past period, oldest first",
            ForecastErrorCode.HISTORY_EMPTY,
        )
    if len(throughput) > MAX_HISTORY:
        raise _fail(
            "throughput",
            f"has {len(throughput):,} periods; at most {MAX_HISTORY:,} are taken",
            ForecastErrorCode.HISTORY_TOO_LONG,
        )
    for position, value in enumerate(throughput, start=1):
        if not _whole(value):
            raise _fail(
                "throughput",
                f"period {position} is {value!r}; counts are whole numbers",
                ForecastErrorCode.OUT_OF_RANGE,
            )
        if value < 0:
            raise _fail(
                "throughput",
                f"period {position} is {value}; counts cannot be negative",
                ForecastErrorCode.NEGATIVE,
            )
        if value > MAX_THROUGHPUT:
            raise _fail(
                "throughput",
                f"period {position} is {value:,}; at most {MAX_THROUGHPUT:,} a period are taken",
                ForecastErrorCode.OUT_OF_RANGE,
            )
    return np.asarray(throughput, dtype=np.int64)


def _pair(name: str, pair: tuple[float, float], *, low: float, high: float) -> None:
    if len(pair) != 2:
        raise _fail(name, "must be two numbers, [low, high]", ForecastErrorCode.RANGE_INVALID)
    first, second = pair
    if min(first, second) < 0:
        raise _fail(name, "must not be negative", ForecastErrorCode.NEGATIVE)
    if not (math.isfinite(first) and math.isfinite(second)) or not (low <= first <= second <= high):
        raise _fail(
            name,
            f"must be [low, high] with {low:g} <= low <= high <= {high:g}",
            ForecastErrorCode.RANGE_INVALID,
        )


def _not_for(name: str, value: object, question: Question, *, applies: str) -> None:
    if value is not None:
        raise _fail(
            name,
            f"does not apply to a {question} forecast (only to {applies}); leave it out",
            ForecastErrorCode.NOT_APPLICABLE,
        )


def _check_dates(data: ForecastInput) -> None:
    for name, day in (("start", data.start), ("date", data.date)):
        if day is None:
            continue
        if day >= LAST_START:
            raise _fail(name, f"must be before {LAST_START}", ForecastErrorCode.OUT_OF_RANGE)
        if data.today is not None and day < data.today:
            raise _fail(
                name,
                f"{day} is in the past (today is {data.today}); give today or a later day",
                ForecastErrorCode.DATE_IN_PAST,
            )
    if data.start is not None and data.date is not None and data.date < data.start:
        raise _fail(
            "date", f"{data.date} is before the start, {data.start}", ForecastErrorCode.DATE_IN_PAST
        )
    if len(data.holidays) > MAX_HOLIDAYS:
        raise _fail(
            "holidays", f"at most {MAX_HOLIDAYS:,} are taken", ForecastErrorCode.OUT_OF_RANGE
        )


def _check(data: ForecastInput) -> NDArray[np.int64]:
    if data.question not in QUESTIONS:
        raise _fail("question", "must be when, how_many or odds", ForecastErrorCode.OUT_OF_RANGE)
    if data.period not in HORIZON:
        raise _fail("period", "must be day or week", ForecastErrorCode.OUT_OF_RANGE)
    history = _history(data.throughput)
    horizon = HORIZON[data.period]
    _count("trials", data.trials, low=MIN_TRIALS, high=MAX_TRIALS, unit="trials")
    _count("seed", data.seed, low=0, high=MAX_SEED, unit="")
    _count("window", data.window, low=1, high=MAX_HISTORY, unit="periods")
    _count("items", data.items, low=1, high=MAX_ITEMS, unit="items")
    _count("periods", data.periods, low=1, high=horizon, unit=f"{data.period}s")
    for percentile in data.percentiles:
        _count("percentiles", percentile, low=1, high=99, unit="")
    _check_dates(data)
    if data.question == "how_many":
        _not_for("items", data.items, data.question, applies="when and odds")
        _not_for("scope", data.scope, data.question, applies="when and odds")
        _not_for("split_rate", data.split_rate, data.question, applies="when and odds")
    else:
        if data.items is None and data.scope is None:
            raise _fail(
                "items",
                "is required: how many items are left to do (or give scope as [low, high])",
                ForecastErrorCode.MISSING,
            )
        if data.items is not None and data.scope is not None:
            raise _fail(
                "scope",
                "replaces items with a range; give items or scope, not both",
                ForecastErrorCode.NOT_APPLICABLE,
            )
    if data.question == "when":
        _not_for("periods", data.periods, data.question, applies="how_many and odds")
        _not_for("date", data.date, data.question, applies="how_many and odds")
    elif data.periods is None and data.date is None:
        raise _fail(
            "periods",
            "is required: the number of periods ahead, or give a date instead",
            ForecastErrorCode.MISSING,
        )
    elif data.periods is not None and data.date is not None:
        raise _fail("date", "give periods or a date, not both", ForecastErrorCode.NOT_APPLICABLE)
    if data.scope is not None:
        _pair("scope", data.scope, low=1, high=MAX_ITEMS)
        if not all(_whole(value) for value in data.scope):
            raise _fail("scope", "must be whole numbers of items", ForecastErrorCode.RANGE_INVALID)
    if data.split_rate is not None:
        _pair("split_rate", data.split_rate, low=1.0, high=MAX_SPLIT_RATE)
    return history


# -- answering -----------------------------------------------------------------------------------


def _targets(data: ForecastInput, rng: np.random.Generator, trials: int) -> NDArray[np.int64]:
    """Items each trial must finish: ``items``, or drawn uniformly from the scope range, then
    multiplied by a split rate drawn uniformly from its range (rounded up)."""
    if data.scope is not None:
        low, high = data.scope
        counts = rng.integers(int(low), int(high) + 1, size=trials, dtype=np.int64)
    else:
        counts = np.full(trials, int(data.items or 0), dtype=np.int64)
    if data.split_rate is not None:
        low_rate, high_rate = data.split_rate
        rates = rng.uniform(float(low_rate), float(high_rate), size=trials)
        # Round before ceil so a rate of exactly 1.0 never turns 3 items into 4.
        counts = np.ceil(np.round(counts * rates, 9)).astype(np.int64)
    return counts


def _when_at(ordered: NDArray[np.int64], percentile: int) -> int:
    """``min{t : P(T <= t) >= p}``: the ``ceil(p n / 100)``-th smallest outcome."""
    m = -(-percentile * ordered.size // 100)
    return int(ordered[m - 1])


def _how_many_at(ordered: NDArray[np.int64], percentile: int) -> int:
    """``max{c : P(X >= c) >= p}``: the ``ceil(p n / 100)``-th largest outcome."""
    m = -(-percentile * ordered.size // 100)
    return int(ordered[ordered.size - m])


def _when_at_level(ordered: NDArray[np.int64], level: float) -> int:
    """``min{t : P(T <= t) >= level}`` for a calibrated level in [0, 1]."""
    m = max(1, math.ceil(level * ordered.size))
    return int(ordered[min(m, ordered.size) - 1])


def _how_many_at_level(ordered: NDArray[np.int64], level: float) -> int:
    """``max{c : P(X >= c) >= level}`` for a calibrated level in [0, 1]."""
    m = max(1, math.ceil(level * ordered.size))
    return int(ordered[ordered.size - min(m, ordered.size)])


def _histogram(outcomes: NDArray[np.int64], horizon: int | None) -> tuple[HistogramBin, ...]:
    inside = outcomes if horizon is None else outcomes[outcomes <= horizon]
    if inside.size == 0:
        return ()
    low, high = int(inside.min()), int(inside.max())
    width = max(1, -(-(high - low + 1) // HISTOGRAM_BINS))
    counts = np.bincount((inside - low) // width)
    return tuple(
        HistogramBin(
            low=low + index * width,
            high=min(high, low + (index + 1) * width - 1),
            trials=int(count),
        )
        for index, count in enumerate(counts)
    )


def _when_histogram(counts: NDArray[np.int64], horizon: int) -> tuple[HistogramBin, ...]:
    """``_histogram`` of *when* outcomes given as their counts (``counts[t]``: the trials done
    in period ``t``), without the outcomes themselves."""
    inside = counts[: horizon + 1]
    seen = np.flatnonzero(inside)
    if seen.size == 0:
        return ()
    low, high = int(seen[0]), int(seen[-1])
    width = max(1, -(-(high - low + 1) // HISTOGRAM_BINS))
    values = inside[low : high + 1]
    bins = -(-values.size // width)
    grouped = np.zeros(bins * width, dtype=np.int64)
    grouped[: values.size] = values
    return tuple(
        HistogramBin(
            low=low + index * width,
            high=min(high, low + (index + 1) * width - 1),
            trials=count,
        )
        for index, count in enumerate(grouped.reshape(bins, width).sum(axis=1).tolist())
    )


def _seed(seed: int | None) -> int:
    return seed if seed is not None else secrets.randbits(63)


@functools.lru_cache(maxsize=32)
def _shared_backtests(
    history: bytes,
    kind: calibration.Kind,
    window: int | None,
    work_periods: int,
    trials: int,
    stride: int,
    seed: int,
) -> tuple[calibration.Backtest, ...]:
    """The backtests of a history (its int64 bytes) seeded by ``seed`` alone: the same
    arguments give the same backtests, so they are computed once (``calibration_seed``)."""
    return tuple(
        calibration.backtest(
            np.frombuffer(history, dtype=np.int64),
            kind=kind,
            rng=np.random.default_rng(np.random.SeedSequence(seed)),
            window=window,
            work_periods=work_periods,
            trials=trials,
            stride=stride,
        )
    )


@functools.lru_cache(maxsize=64)
def _calendar_of(
    start: dt.date, period: PeriodUnit, working_days: bool, holidays: frozenset[dt.date]
) -> Calendar:
    """A calendar, kept: it remembers the weeks it has counted, which every forecast from the
    same start (a product's releases, asked on the same day) then shares."""
    return Calendar(start, period, working_days, holidays)


def _calendar(data: ForecastInput) -> Calendar | None:
    start = data.start or data.today
    if start is None:
        return None
    return _calendar_of(start, data.period, data.working_days, frozenset(data.holidays))


def _periods_to(day: dt.date, calendar: Calendar | None, data: ForecastInput) -> int:
    """The whole periods from the start to ``day`` (the *how many* and *odds* questions'
    ``date``), refused when the day is too soon or beyond the horizon."""
    horizon = HORIZON[data.period]
    if calendar is None:
        raise _fail(
            "start", "is required to count the periods until a date", ForecastErrorCode.MISSING
        )
    periods = calendar.periods_by(day)
    if periods < 1:
        raise _fail(
            "date",
            f"{day} is before the end of the first {data.period} from {calendar.start}; "
            "give a later date",
            ForecastErrorCode.DATE_TOO_SOON,
        )
    if periods > horizon:
        raise _fail(
            "date",
            f"is {periods:,} {data.period}s away; a forecast looks at most {horizon:,} ahead",
            ForecastErrorCode.OUT_OF_RANGE,
        )
    return periods


def _used(data: ForecastInput, history: NDArray[np.int64]) -> NDArray[np.int64]:
    sample = history if data.window is None else history[-data.window :]
    if not sample.any():
        raise _fail(
            "throughput",
            f"finished nothing in the {sample.size} periods used, so at that pace no work "
            "is ever done: there is nothing to forecast from",
            ForecastErrorCode.HISTORY_ALL_ZERO,
        )
    return sample


def _beyond(data: ForecastInput, items: int, pace: float) -> ForecastError | None:
    """The refusal of a *when* for ``items`` that the history's pace takes past the horizon."""
    horizon = HORIZON[data.period]
    expected = math.ceil(items / pace)
    if expected <= horizon:
        return None
    return _fail(
        "items" if data.scope is None else "scope",
        f"at the pace of the history used ({pace:.2f} a {data.period}), "
        f"{items:,} items take about {expected:,} {data.period}s, beyond "
        f"the {horizon:,} a forecast looks ahead",
        ForecastErrorCode.BEYOND_HORIZON,
    )


@dataclass(frozen=True)
class _Record:
    """A history's backtests and what calibration takes from them."""

    backtests: list[calibration.Backtest]
    pits: NDArray[np.float64] | None
    reason: str | None

    @functools.cached_property
    def hit_rates(self) -> tuple[HitRate, ...]:
        ranks = np.asarray([b.rank for b in self.backtests])
        return tuple(calibration.hit_rates(ranks)) if self.backtests else ()


def _record(
    data: ForecastInput,
    history: NDArray[np.int64],
    kind: calibration.Kind,
    stream: np.random.SeedSequence,
) -> _Record:
    if not data.calibrate:
        return _Record(
            [], None, "calibrate was not asked (ask for it to backtest this history and adjust)"
        )
    work_periods = calibration.work_periods_for(data.period)
    trials = min(data.trials, BACKTEST_TRIALS)
    backtests: list[calibration.Backtest]
    if data.calibration_seed is not None:
        backtests = list(
            _shared_backtests(
                history.tobytes(),
                kind,
                data.window,
                work_periods,
                trials,
                calibration.stride_for(data.period),
                data.calibration_seed,
            )
        )
    else:
        backtests = calibration.backtest(
            history,
            kind=kind,
            rng=np.random.default_rng(stream),
            window=data.window,
            work_periods=work_periods,
            trials=trials,
            stride=calibration.stride_for(data.period),
        )
    if len(backtests) >= calibration.MINIMUM:
        return _Record(backtests, np.asarray([b.pit for b in backtests]), None)
    return _Record(
        backtests,
        None,
        f"only {len(backtests)} backtest{'s' if len(backtests) != 1 else ''} had a "
        f"known outcome; at least {calibration.MINIMUM} are needed (a longer history "
        "helps)",
    )


def _answer(
    data: ForecastInput,
    *,
    history: NDArray[np.int64],
    sample: NDArray[np.int64],
    outcomes: NDArray[np.int64],
    ordered: NDArray[np.int64],
    record: _Record,
    calendar: Calendar | None,
    periods: int | None,
    seed: int,
    warnings: list[ForecastWarning] | None = None,
    histogram: tuple[HistogramBin, ...] | None = None,
) -> Forecast:
    """The answer to ``data`` from its simulated ``outcomes`` (``ordered``: sorted).
    ``warnings`` (about the history) and ``histogram``: when the caller has them already."""
    horizon = HORIZON[data.period]
    ahead = periods or 0
    kind: calibration.Kind = "how_many" if data.question == "how_many" else "when"
    if warnings is None:
        work_periods = calibration.work_periods_for(data.period)
        warnings = calibration.history_warnings(
            sample, period=data.period, work_periods=work_periods
        )
    else:
        warnings = list(warnings)
    pits = record.pits
    answers = []
    edge = False
    for percentile in data.percentiles:
        if kind == "when":
            plain = _when_at(ordered, percentile)
            value = plain
            if pits is not None:
                level = calibration.calibrated_level(pits, percentile)
                edge = edge or level >= 1.0
                value = _when_at_level(ordered, level)
        else:
            plain = _how_many_at(ordered, percentile)
            value = plain
            if pits is not None:
                level = calibration.calibrated_level(pits, percentile)
                edge = edge or level >= 1.0
                value = _how_many_at_level(ordered, level)
        beyond = kind == "when" and value > horizon
        shown = None if beyond else value
        if calendar is None or shown is None:
            day = None
        else:
            day = calendar.date_of(shown if kind == "when" else ahead)
        answers.append(
            PercentileAnswer(
                percentile=int(percentile),
                value=shown,
                date=day,
                beyond=beyond,
                plain_value=None if kind == "when" and plain > horizon else plain,
            )
        )
    if edge:
        warnings.append(
            ForecastWarning(
                ForecastWarningCode.CALIBRATION_EDGE,
                "In some backtests the real outcome was worse than every simulated future; "
                "the calibrated answer is the most cautious one simulated and may still be "
                "optimistic.",
            )
        )
    probability = plain_probability = None
    if data.question == "odds":
        plain_probability = float(np.mean(outcomes <= ahead))
        probability = (
            plain_probability
            if pits is None
            else calibration.calibrated_probability(pits, plain_probability)
        )
    backtests = record.backtests
    report = Calibration(
        asked=data.calibrate,
        calibrated=pits is not None,
        backtests=len(backtests),
        hit_rates=record.hit_rates,
        reason=record.reason,
        warnings=tuple(warnings),
    )
    inputs = Inputs(
        question=data.question,
        throughput=tuple(int(v) for v in history),
        items=data.items,
        periods=periods,
        date=data.date,
        period=data.period,
        trials=data.trials,
        seed=seed,
        window=data.window,
        history_used=sample.size,
        calibrate=data.calibrate,
        start=calendar.start if calendar is not None else None,
        working_days=data.working_days,
        holidays=tuple(sorted(data.holidays)),
        split_rate=data.split_rate,
        scope=data.scope,
        horizon=horizon,
    )
    return Forecast(
        question=data.question,
        unit="items" if kind == "how_many" else "periods",
        percentiles=tuple(answers),
        probability=probability,
        plain_probability=plain_probability,
        histogram=(
            histogram
            if histogram is not None
            else _histogram(outcomes, horizon if kind == "when" else None)
        ),
        beyond=int(np.count_nonzero(outcomes > horizon)) if kind == "when" else 0,
        calibration=report,
        inputs=inputs,
        outcomes=outcomes,
        pits=pits,
    )


def forecast(data: ForecastInput) -> Forecast:
    """Answer ``data``'s question; a ``ForecastError`` names the input to fix."""
    history = _check(data)
    horizon = HORIZON[data.period]
    sample = _used(data, history)
    seed = _seed(data.seed)
    main_stream, backtest_stream = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(main_stream)
    calendar = _calendar(data)
    periods = data.periods
    if data.date is not None:
        periods = _periods_to(data.date, calendar, data)
    ahead = periods or 0
    # Counts of at most MAX_THROUGHPUT a period add up within 32 bits over the horizon.
    counts = history.astype(np.int32)
    trials = data.trials
    window = sample.size
    lows = np.full(trials, history.size - window, dtype=np.int64)
    lengths = np.full(trials, window, dtype=np.int64)
    pace = float(sample.mean())
    if data.question == "how_many":
        # _check made sure how_many has periods or a date, so ``ahead`` is at least 1.
        outcomes = simulation.sums(
            rng, counts, lows, lengths, np.full(trials, ahead, dtype=np.int64)
        )
    else:
        targets = _targets(data, rng, trials)
        refusal = _beyond(data, int(targets.max()), pace)
        if refusal is not None:
            raise refusal
        guess = math.ceil(1.5 * math.ceil(int(targets.max()) / pace)) + 4
        outcomes = simulation.completion_periods(
            rng, counts, lows, lengths, targets, horizon, guess
        )
    kind: calibration.Kind = "how_many" if data.question == "how_many" else "when"
    return _answer(
        data,
        history=history,
        sample=sample,
        outcomes=outcomes,
        ordered=np.sort(outcomes),
        record=_record(data, history, kind, backtest_stream),
        calendar=calendar,
        periods=periods,
        seed=seed,
    )


def forecast_many(data: ForecastInput, items: Sequence[int]) -> list[Forecast | ForecastError]:
    """*When* for each count in ``items``, all from the same trials: each trial is one future of
    the history's throughput, and a count's outcome is the first period at which that trial's
    throughput adds up to it. So the answers agree with each other (a larger count is never
    done sooner, trial by trial), and work done in order reads as cumulative counts (the
    second of two milestones of 3 and 2 items is the count 5). ``data`` is a *when* question
    without ``items``, ``scope`` or ``split_rate``; its seed gives every answer the same
    trials, and with one count the answer is ``forecast``'s for that count. A count the
    history's pace takes past the horizon gets its ``ForecastError`` in its place."""
    if data.question != "when":
        raise _fail(
            "question", "must be when to answer many counts", ForecastErrorCode.OUT_OF_RANGE
        )
    for name, value in (
        ("items", data.items),
        ("scope", data.scope),
        ("split_rate", data.split_rate),
    ):
        if value is not None:
            raise _fail(
                name,
                "does not apply to many counts at once (give the counts); leave it out",
                ForecastErrorCode.NOT_APPLICABLE,
            )
    if not items:
        return []
    for count in items:
        _count("items", count, low=1, high=MAX_ITEMS, unit="items")
    history = _check(replace(data, items=max(items)))
    horizon = HORIZON[data.period]
    sample = _used(data, history)
    seed = _seed(data.seed)
    main_stream, backtest_stream = np.random.SeedSequence(seed).spawn(2)
    pace = float(sample.mean())
    refusals = {count: _beyond(data, count, pace) for count in set(items)}
    wanted = np.asarray(sorted(c for c, refusal in refusals.items() if refusal is None), np.int64)
    row_of: dict[int, int] = {}
    found = np.zeros((0, horizon + 2), dtype=np.int64)
    if wanted.size:
        trials = data.trials
        window = sample.size
        guess = math.ceil(1.5 * math.ceil(int(wanted[-1]) / pace)) + 4
        found = simulation.completion_counts_many(
            np.random.default_rng(main_stream),
            history.astype(np.int32),
            np.full(trials, history.size - window, dtype=np.int64),
            np.full(trials, window, dtype=np.int64),
            wanted,
            horizon,
            guess,
        )
        row_of = {int(count): row for row, count in enumerate(wanted)}
    record = _record(data, history, "when", backtest_stream)
    calendar = _calendar(data)
    warnings = calibration.history_warnings(
        sample, period=data.period, work_periods=calibration.work_periods_for(data.period)
    )
    answers: list[Forecast | ForecastError] = []
    for count in items:
        refusal = refusals[count]
        if refusal is not None:
            answers.append(refusal)
            continue
        counts = found[row_of[count]]
        # The trials' outcomes in order (which trial had which is not kept).
        ordered = np.repeat(np.arange(horizon + 2, dtype=np.int64), counts)
        answers.append(
            _answer(
                replace(data, items=count),
                history=history,
                sample=sample,
                outcomes=ordered,
                ordered=ordered,
                record=record,
                calendar=calendar,
                periods=None,
                seed=seed,
                warnings=warnings,
                histogram=_when_histogram(counts, horizon),
            )
        )
    return answers


def chance_by(answer: Forecast, date: dt.date) -> tuple[float, float]:
    """The probability that ``answer``'s items (a *when* forecast) are done by ``date``,
    calibrated as ``answer`` was, and plain: the *odds* question's answer for the same input,
    read from the same trials. A ``ForecastError`` names ``date`` when it is too soon (before
    the end of the first period) or beyond the horizon."""
    used = answer.inputs
    if answer.question != "when" or used.start is None:
        raise _fail("question", "must be a when forecast with a start", ForecastErrorCode.MISSING)
    calendar = _calendar_of(used.start, used.period, used.working_days, frozenset(used.holidays))
    periods = _periods_to(
        date, calendar, ForecastInput(question="odds", throughput=(1,), period=used.period)
    )
    plain = float(np.mean(answer.outcomes <= periods))
    if answer.pits is None:
        return plain, plain
    return calibration.calibrated_probability(answer.pits, plain), plain


def as_dict(answer: Forecast) -> dict[str, Any]:
    """``answer`` as the API and ``lodestar forecast --json`` give it (dates as ``date``)."""
    report = answer.calibration
    used = answer.inputs
    return {
        "question": answer.question,
        "unit": answer.unit,
        "percentiles": [asdict(p) for p in answer.percentiles],
        "probability": answer.probability,
        "plain_probability": answer.plain_probability,
        "histogram": [asdict(b) for b in answer.histogram],
        "beyond": answer.beyond,
        "calibration": {
            "asked": report.asked,
            "calibrated": report.calibrated,
            "backtests": report.backtests,
            "hit_rates": [asdict(h) for h in report.hit_rates],
            "reason": report.reason,
            "sentence": report.sentence,
            "warnings": [{"code": str(w.code), "message": w.message} for w in report.warnings],
        },
        "inputs": {
            # The backtests' own seed is a caller's economy, not part of the question.
            **{name: value for name, value in asdict(used).items() if name != "calibration_seed"},
            "throughput": list(used.throughput),
            "holidays": list(used.holidays),
            "split_rate": list(used.split_rate) if used.split_rate else None,
            "scope": list(used.scope) if used.scope else None,
        },
    }
