"""The forecast engine against answers known exactly: constant throughput, and distributions
whose percentiles convolution gives (weekly throughput uniform on 1..6)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from lodestar.forecasting import engine
from lodestar.forecasting.engine import ForecastInput, forecast
from tests.forecasting import exact

UNIFORM = [1, 2, 3, 4, 5, 6]
TRIALS = 20_000
# Four standard errors of a share estimated from TRIALS trials, at its widest (p = 1/2).
TOLERANCE = 4 * math.sqrt(0.25 / TRIALS)


def _cdf_matches(outcomes: np.ndarray, exact_cdf: dict[int, float]) -> None:
    for t, probability in exact_cdf.items():
        simulated = float(np.mean(outcomes <= t))
        assert abs(simulated - probability) < TOLERANCE, (t, simulated, probability)


def _percentile_is_consistent(value: int, percentile: int, cdf: dict[int, float]) -> None:
    """``value`` is min{t : F(t) >= p} for some F within sampling tolerance of the exact one."""
    p = percentile / 100
    assert cdf[value] >= p - TOLERANCE, (percentile, value, cdf[value])
    assert cdf.get(value - 1, 0.0) < p + TOLERANCE, (percentile, value, cdf.get(value - 1))


@pytest.mark.parametrize(("throughput", "items"), [(3, 30), (3, 31), (7, 1), (1, 12)])
def test_constant_throughput_gives_one_answer(throughput: int, items: int) -> None:
    answer = forecast(ForecastInput("when", [throughput] * 20, items=items, seed=1))
    expected = math.ceil(items / throughput)
    assert [p.value for p in answer.percentiles] == [expected] * 4
    assert answer.histogram == (engine.HistogramBin(expected, expected, 10_000),)
    assert answer.beyond == 0


def test_constant_throughput_how_many_and_odds() -> None:
    answer = forecast(ForecastInput("how_many", [4] * 10, periods=5, seed=1))
    assert [p.value for p in answer.percentiles] == [20] * 4
    assert answer.unit == "items"
    assert forecast(ForecastInput("odds", [4] * 10, items=20, periods=5)).probability == 1.0
    assert forecast(ForecastInput("odds", [4] * 10, items=21, periods=5)).probability == 0.0


@pytest.mark.parametrize("items", [10, 21, 35, 60])
def test_when_matches_the_exact_distribution_of_uniform_throughput(items: int) -> None:
    answer = forecast(ForecastInput("when", UNIFORM, items=items, trials=TRIALS, seed=7))
    cdf = {t: exact.done_by(UNIFORM, items, t) for t in range(1, items + 2)}
    _cdf_matches(answer.outcomes, cdf)
    for p in answer.percentiles:
        assert p.value is not None
        _percentile_is_consistent(p.value, p.percentile, cdf)
        # And, away from a step, exactly the exact percentile.
        exact_value = exact.when_percentile(UNIFORM, items, p.percentile)
        if abs(cdf[exact_value] - p.percentile / 100) > TOLERANCE and (
            abs(cdf.get(exact_value - 1, 0) - p.percentile / 100) > TOLERANCE
        ):
            assert p.value == exact_value


@pytest.mark.parametrize("periods", [1, 4, 6, 13])
def test_how_many_matches_the_exact_distribution(periods: int) -> None:
    answer = forecast(ForecastInput("how_many", UNIFORM, periods=periods, trials=TRIALS, seed=3))
    pmf = exact.sum_pmf(UNIFORM, periods)
    at_least = {c: float(pmf[c:].sum()) for c in range(len(pmf))}
    for c, probability in at_least.items():
        assert abs(float(np.mean(answer.outcomes >= c)) - probability) < TOLERANCE
    for p in answer.percentiles:
        assert p.value is not None
        share = p.percentile / 100
        # value = max{c : P(X >= c) >= p}, within sampling tolerance of the exact P.
        assert at_least[p.value] >= share - TOLERANCE
        assert at_least.get(p.value + 1, 0.0) < share + TOLERANCE
        exact_value = exact.how_many_percentile(UNIFORM, periods, p.percentile)
        if min(abs(at_least[exact_value] - share), abs(at_least[exact_value + 1] - share)) > (
            TOLERANCE
        ):
            assert p.value == exact_value
    values = [p.value for p in answer.percentiles]
    assert values == sorted(values, reverse=True)  # P85 <= P50: reached in more trials


@pytest.mark.parametrize(("items", "periods"), [(21, 6), (30, 8), (12, 3)])
def test_odds_match_the_exact_probability(items: int, periods: int) -> None:
    answer = forecast(
        ForecastInput("odds", UNIFORM, items=items, periods=periods, trials=TRIALS, seed=5)
    )
    assert answer.probability is not None
    assert abs(answer.probability - exact.done_by(UNIFORM, items, periods)) < TOLERANCE


def test_a_seed_repeats_and_another_differs() -> None:
    data = ForecastInput("when", UNIFORM, items=40, seed=12345)
    first, again = forecast(data), forecast(data)
    assert np.array_equal(first.outcomes, again.outcomes)
    assert first.percentiles == again.percentiles
    assert first.inputs.seed == 12345
    other = forecast(ForecastInput("when", UNIFORM, items=40, seed=54321))
    assert not np.array_equal(first.outcomes, other.outcomes)


def test_without_a_seed_the_one_drawn_is_given_back_and_repeats_the_answer() -> None:
    first = forecast(ForecastInput("how_many", UNIFORM, periods=5))
    again = forecast(ForecastInput("how_many", UNIFORM, periods=5, seed=first.inputs.seed))
    assert np.array_equal(first.outcomes, again.outcomes)


def test_calibrating_does_not_change_the_plain_answer() -> None:
    history = list(np.random.default_rng(2).integers(0, 9, 200))
    plain = forecast(ForecastInput("when", history, items=30, seed=9))
    calibrated = forecast(ForecastInput("when", history, items=30, seed=9, calibrate=True))
    assert calibrated.calibration.calibrated
    assert [p.plain_value for p in calibrated.percentiles] == [p.value for p in plain.percentiles]


def test_the_window_draws_from_the_last_periods_only() -> None:
    answer = forecast(ForecastInput("when", [1] * 30 + [5] * 4, items=20, window=4, seed=1))
    assert [p.value for p in answer.percentiles] == [4] * 4
    assert answer.inputs.history_used == 4
    longer = forecast(ForecastInput("when", [1, 5], items=20, window=50, seed=1))
    assert longer.inputs.history_used == 2  # a window longer than the history takes it all


def test_scope_range_is_drawn_uniformly() -> None:
    # Constant throughput 1: T = the items drawn, uniform on 10..19.
    answer = forecast(ForecastInput("when", [1] * 5, scope=(10, 19), trials=TRIALS, seed=4))
    assert answer.outcomes.min() == 10
    assert answer.outcomes.max() == 19
    for p in answer.percentiles:
        # min{t : P(T <= t) >= p} with P(T <= t) = (t - 9) / 10.
        expected = 9 + math.ceil(p.percentile / 10)
        assert p.value in {expected, expected + 1} if p.percentile % 10 == 0 else {expected}


def test_split_rate_multiplies_the_items() -> None:
    answer = forecast(ForecastInput("when", [1] * 5, items=10, split_rate=(2.0, 2.0), seed=1))
    assert [p.value for p in answer.percentiles] == [20] * 4
    unchanged = forecast(ForecastInput("when", [1] * 5, items=3, split_rate=(1.0, 1.0), seed=1))
    assert [p.value for p in unchanged.percentiles] == [3] * 4
    ranged = forecast(
        ForecastInput("when", [1] * 5, items=10, split_rate=(1.0, 3.0), trials=TRIALS, seed=1)
    )
    assert ranged.outcomes.min() >= 10
    assert ranged.outcomes.max() <= 30
    # ceil(10 * U[1, 3]): the median is 20.
    assert ranged.percentiles[0].value in {20, 21}


def test_trials_beyond_the_horizon_are_reported_not_simulated_forever() -> None:
    # 1,000 items a week once in 200 weeks: five a week on average, so within the horizon on
    # average, but P(no such week in 522) = 0.995 ** 522 = 7.3%.
    history = [0] * 199 + [1000]
    answer = forecast(ForecastInput("when", history, items=1000, trials=TRIALS, seed=2))
    horizon = engine.HORIZON["week"]
    share = answer.beyond / TRIALS
    assert abs(share - 0.995**horizon) < TOLERANCE
    p95 = answer.percentiles[-1]
    assert p95.beyond
    assert (p95.value, p95.date) == (None, None)
    assert answer.percentiles[0].value is not None
    assert all(b.high <= horizon for b in answer.histogram)


def test_dates_follow_the_calendar() -> None:
    monday = dt.date(2027, 1, 4)
    answer = forecast(ForecastInput("when", [2] * 5, items=10, start=monday, period="day"))
    assert [p.date for p in answer.percentiles] == [dt.date(2027, 1, 8)] * 4
    working = forecast(
        ForecastInput(
            "when",
            [2] * 5,
            items=12,
            start=monday,
            period="day",
            working_days=True,
            holidays=[dt.date(2027, 1, 6)],
        )
    )
    # Six working days from Monday, without the Wednesday off: Tuesday of the next week.
    assert working.percentiles[0].date == dt.date(2027, 1, 12)
    weekly = forecast(ForecastInput("how_many", [2] * 5, date=dt.date(2027, 1, 23), start=monday))
    assert weekly.inputs.periods == 2  # the third week ends on Sunday the 24th
    assert weekly.percentiles[0].date == dt.date(2027, 1, 17)
    assert weekly.percentiles[0].value == 4


def test_the_inputs_are_echoed() -> None:
    answer = forecast(
        ForecastInput("odds", [3, 4], items=7, periods=2, seed=3, window=2, calibrate=True)
    )
    used = answer.inputs
    assert (used.question, used.items, used.periods, used.seed, used.window) == (
        "odds",
        7,
        2,
        3,
        2,
    )
    assert used.throughput == (3, 4)
    assert used.trials == engine.DEFAULT_TRIALS
    assert used.horizon == engine.HORIZON["week"]
    assert engine.as_dict(answer)["inputs"]["throughput"] == [3, 4]
