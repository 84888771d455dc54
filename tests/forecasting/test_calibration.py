"""Backtests, calibration and warnings: independent throughput comes true near the nominal
rates; a history whose forecasts were over-confident moves the calibrated answer the way it
should (later, fewer items, lower odds)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from numpy.typing import NDArray

from lodestar.forecasting import calibration
from lodestar.forecasting.calibration import ForecastWarningCode, backtest, replay
from lodestar.forecasting.engine import ForecastInput, forecast
from lodestar.forecasting.periods import Calendar

NOMINAL = (50, 85, 95)


def _iid(weeks: int, seed: int = 11) -> NDArray[np.int64]:
    return np.random.default_rng(seed).poisson(6, weeks).astype(np.int64)


def _regimes(seed: int = 5) -> NDArray[np.int64]:
    """Thirty weeks at about 8 a week, thirty at about 3, and again: forecasts from the last 26
    weeks are over-confident whenever the regime turns."""
    pace = np.repeat(np.tile([8, 3], 10), 30)
    return np.random.default_rng(seed).poisson(pace).astype(np.int64)


def _declining(seed: int = 5) -> NDArray[np.int64]:
    """A pace falling from 10 to 3 a week over six years: every forecast from the whole history
    expects more than the next weeks bring."""
    return np.random.default_rng(seed).poisson(np.linspace(10, 3, 300)).astype(np.int64)


def _all(
    history: NDArray[np.int64], kind: calibration.Kind, window: int | None
) -> list[calibration.Backtest]:
    return backtest(
        history,
        kind=kind,
        rng=np.random.default_rng(1),
        window=window,
        work_periods=6,
        trials=1000,
        limit=None,
    )


@pytest.mark.parametrize("kind", ["when", "how_many"])
def test_independent_throughput_comes_true_near_the_nominal_rates(
    kind: calibration.Kind,
) -> None:
    backtests = _all(_iid(1200), kind, 26)
    assert len(backtests) > 1100
    ranks = np.asarray([b.rank for b in backtests])
    pits = np.asarray([b.pit for b in backtests])
    for p in NOMINAL:
        share = p / 100
        # The randomized rank is uniform when forecasts are right (a 26-week window
        # underestimates the spread a little, hence the tolerance).
        assert abs(float(np.mean(pits < share)) - share) < 0.05, (p, np.mean(pits < share))
        # Plain answers are whole periods or items, so they come true at least as often.
        plain = float(np.mean(ranks < share))
        assert share - 0.05 < plain < share + 0.08, (p, plain)


def test_a_backtest_records_where_the_real_outcome_fell() -> None:
    # Constant throughput 2 and a jump: a window of [2, 2] asks for 12 items in six weeks,
    # and the real history finishes them in three (2 + 5 + 5).
    history = np.asarray([2, 2, 5, 5, 5, 5, 5, 5, 5], dtype=np.int64)
    (first, *_) = backtest(
        history,
        kind="when",
        rng=np.random.default_rng(1),
        window=2,
        work_periods=6,
        trials=500,
    )
    assert (first.origin, first.target, first.outcome, first.known_at) == (2, 12, 3, 5)
    # Every simulated future (2 a week) takes six weeks: all later than three.
    assert first.rank == 0.0
    assert first.pit == 0.0


def test_outcomes_not_known_yet_are_left_out() -> None:
    history = np.asarray([4] * 30, dtype=np.int64)
    backtests = backtest(
        history, kind="when", rng=np.random.default_rng(1), window=10, work_periods=6, trials=200
    )
    assert backtests  # origins 10..24 finish their 24 items within the history
    assert all(b.known_at <= 30 for b in backtests)
    assert max(b.origin for b in backtests) == 24
    as_of = backtest(
        history,
        kind="when",
        rng=np.random.default_rng(1),
        window=10,
        work_periods=6,
        trials=200,
        as_of=20,
    )
    assert max(b.known_at for b in as_of) <= 20


def test_the_engine_reports_the_record_of_plain_forecasts() -> None:
    answer = forecast(
        ForecastInput("when", list(_iid(400)), items=40, window=26, calibrate=True, seed=3)
    )
    report = answer.calibration
    assert report.calibrated
    assert report.asked
    assert report.backtests == calibration.LIMIT
    assert [h.percentile for h in report.hit_rates] == list(NOMINAL)
    for hit in report.hit_rates:
        assert abs(hit.came_true - hit.percentile / 100) < 0.12
    assert "backtests; this one is adjusted." in report.sentence
    for p in answer.percentiles:
        assert p.value is not None
        assert p.plain_value is not None
        assert abs(p.value - p.plain_value) <= 1


def test_an_over_confident_history_makes_the_answer_later() -> None:
    history = list(_regimes())
    answer = forecast(ForecastInput("when", history, items=30, window=26, calibrate=True, seed=3))
    record = {h.percentile: h.came_true for h in answer.calibration.hit_rates}
    assert record[85] < 0.75  # plain 85% forecasts came true far less often
    assert answer.calibration.calibrated
    by = {p.percentile: p for p in answer.percentiles}
    for percentile in (85, 95):
        assert by[percentile].value is not None
        assert by[percentile].plain_value is not None
        assert by[percentile].value > by[percentile].plain_value
    # The dates move with the periods.
    monday = dt.date(2027, 1, 4)
    dated = forecast(
        ForecastInput("when", history, items=30, window=26, calibrate=True, seed=3, start=monday)
    )
    p85 = dated.percentiles[2]
    assert p85.value is not None
    assert p85.plain_value is not None
    assert p85.date == Calendar(monday).date_of(p85.value)
    assert p85.date > Calendar(monday).date_of(p85.plain_value)


def test_a_falling_pace_makes_every_answer_more_cautious() -> None:
    history = list(_declining())
    when = forecast(ForecastInput("when", history, items=30, calibrate=True, seed=3))
    assert all(
        p.value is not None and p.plain_value is not None and p.value > p.plain_value
        for p in when.percentiles
    )
    how_many = forecast(ForecastInput("how_many", history, periods=6, calibrate=True, seed=3))
    assert all(
        p.value is not None and p.plain_value is not None and p.value < p.plain_value
        for p in how_many.percentiles
    )
    odds = forecast(ForecastInput("odds", history, items=30, periods=6, calibrate=True, seed=3))
    assert odds.probability is not None
    assert odds.plain_probability is not None
    assert odds.probability < odds.plain_probability


@pytest.mark.parametrize("percentile", [85, 95])
def test_replayed_calibrated_forecasts_come_true_nearer_the_nominal_rate(percentile: int) -> None:
    result = replay(_all(_regimes(), "when", 26), percentile)
    assert result.forecasts > 400
    share = percentile / 100
    assert result.plain < share - 0.15
    assert abs(result.calibrated - share) < abs(result.plain - share) - 0.1


def test_too_few_backtests_leave_the_answer_plain_and_say_why() -> None:
    answer = forecast(
        ForecastInput("when", [3, 5, 2, 4, 6, 1] * 5, items=20, calibrate=True, seed=1)
    )
    report = answer.calibration
    assert report.asked
    assert not report.calibrated
    assert 0 < report.backtests < calibration.MINIMUM
    assert report.reason is not None
    assert "at least 20" in report.reason
    assert "this one is not adjusted" in report.sentence
    assert all(p.value == p.plain_value for p in answer.percentiles)
    unasked = forecast(ForecastInput("when", [3, 5], items=20, seed=1)).calibration
    assert not unasked.asked
    assert unasked.backtests == 0
    assert unasked.hit_rates == ()
    assert unasked.sentence.startswith("Not calibrated: calibrate was not asked")


def test_calibrated_level_is_the_kth_smallest() -> None:
    pits = np.asarray([0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.05])
    # k = ceil(85 * 10 / 100) = 9: the 9th smallest of the ten.
    assert calibration.calibrated_level(pits, 85) == 0.8
    assert calibration.calibrated_level(pits, 50) == 0.4
    assert calibration.calibrated_probability(pits, 0.45) == 0.5


# -- warnings ------------------------------------------------------------------------------------


def _codes(history: list[int], period: str = "week") -> set[ForecastWarningCode]:
    answer = forecast(ForecastInput("how_many", history, periods=4, period=period, seed=1))  # type: ignore[arg-type]
    return {w.code for w in answer.calibration.warnings}


def test_a_change_of_pace_is_told() -> None:
    rng = np.random.default_rng(3)
    changed = list(rng.poisson(8, 20)) + list(rng.poisson(3, 20))
    assert ForecastWarningCode.PROCESS_CHANGED in _codes(changed)
    steady = list(rng.poisson(6, 40))
    assert ForecastWarningCode.PROCESS_CHANGED not in _codes(steady)


def test_short_histories_and_recent_zeros_are_told() -> None:
    assert ForecastWarningCode.HISTORY_SHORT in _codes([3, 4, 5])
    assert ForecastWarningCode.HISTORY_SHORT not in _codes([3, 4, 5] * 5)
    assert ForecastWarningCode.RECENT_ZEROS in _codes([3, 4, 5] * 5 + [0] * 6)
    assert ForecastWarningCode.RECENT_ZEROS not in _codes([3, 4, 5] * 5 + [0] * 5 + [1])


def test_mann_whitney_p_value() -> None:
    same = np.asarray([3, 3, 3, 3], dtype=np.int64)
    assert calibration.mann_whitney_p(same, same) == 1.0
    older = np.arange(1, 9, dtype=np.int64)
    newer = np.arange(9, 17, dtype=np.int64)
    # No ties: U = 0, z = (32 - 0.5) / sqrt(8 * 8 * 17 / 12), p = erfc(z / sqrt 2) = 0.00094.
    assert calibration.mann_whitney_p(older, newer) == pytest.approx(0.000939, abs=2e-6)
    assert calibration.mann_whitney_p(newer, older) == calibration.mann_whitney_p(older, newer)
    interleaved = np.asarray([1, 3, 5, 7], dtype=np.int64), np.asarray([2, 4, 6, 8])
    assert calibration.mann_whitney_p(*interleaved) > 0.5


def test_a_calibration_seed_shares_the_backtests_between_questions() -> None:
    from lodestar.forecasting import engine

    history = list(np.random.default_rng(7).poisson(4, 45))
    base = ForecastInput(
        question="when", throughput=history, items=12, calibrate=True, calibration_seed=3
    )
    engine._shared_backtests.cache_clear()
    first = forecast(ForecastInput(**{**base.__dict__, "seed": 1}))
    other = forecast(ForecastInput(**{**base.__dict__, "seed": 2, "items": 30}))
    # Computed once for both questions, whatever each question's own seed.
    assert engine._shared_backtests.cache_info().misses == 1
    assert engine._shared_backtests.cache_info().hits == 1
    assert first.calibration.backtests == other.calibration.backtests >= calibration.MINIMUM
    assert first.calibration.hit_rates == other.calibration.hit_rates
    # The same answer as backtests seeded this way without the cache.
    engine._shared_backtests.cache_clear()
    again = forecast(ForecastInput(**{**base.__dict__, "seed": 1}))
    assert [p.value for p in again.percentiles] == [p.value for p in first.percentiles]
    # Without it, the backtests follow the question's seed, as before.
    plain = forecast(ForecastInput(**{**base.__dict__, "seed": 1, "calibration_seed": None}))
    assert plain.calibration.backtests == first.calibration.backtests
    assert "calibration_seed" not in engine.as_dict(first)["inputs"]
