"""Properties that hold for any history (hypothesis): percentiles in order, answers within
the bounds the history allows, probabilities in [0, 1] that grow with time."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lodestar.forecasting.engine import HORIZON, ForecastInput, forecast


def _within_horizon(history: list[int], items: int) -> bool:
    """Slower histories are refused (tested in test_errors.py)."""
    return math.ceil(items / (sum(history) / len(history))) <= HORIZON["week"]


histories = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=60).filter(any)
FEW = settings(max_examples=80, deadline=None)


@FEW
@given(history=histories, items=st.integers(min_value=1, max_value=200), seed=st.integers(0, 99))
def test_when_percentiles_rise_and_stay_within_bounds(
    history: list[int], items: int, seed: int
) -> None:
    assume(_within_horizon(history, items))
    answer = forecast(ForecastInput("when", history, items=items, trials=500, seed=seed))
    values = [p.value for p in answer.percentiles if p.value is not None]
    assert values == sorted(values)
    fastest = math.ceil(items / max(history))
    assert all(value >= fastest for value in values)
    slowest_pace = min(v for v in history if v > 0)
    if min(history) > 0:
        assert all(value <= math.ceil(items / slowest_pace) for value in values)
    assert sum(b.trials for b in answer.histogram) + answer.beyond == 500


@FEW
@given(history=histories, periods=st.integers(min_value=1, max_value=60), seed=st.integers(0, 9))
def test_how_many_percentiles_fall_and_stay_within_bounds(
    history: list[int], periods: int, seed: int
) -> None:
    answer = forecast(ForecastInput("how_many", history, periods=periods, trials=500, seed=seed))
    values = [p.value for p in answer.percentiles]
    assert all(v is not None for v in values)
    assert values == sorted(values, reverse=True)  # type: ignore[type-var]
    assert all(periods * min(history) <= v <= periods * max(history) for v in values)  # type: ignore[operator]


@FEW
@given(history=histories, items=st.integers(min_value=1, max_value=100), seed=st.integers(0, 9))
def test_odds_are_probabilities_that_grow_with_time(
    history: list[int], items: int, seed: int
) -> None:
    assume(_within_horizon(history, items))
    chances = [
        forecast(
            ForecastInput("odds", history, items=items, periods=p, trials=500, seed=seed)
        ).probability
        for p in (1, 5, 25)
    ]
    assert all(c is not None and 0.0 <= c <= 1.0 for c in chances)
    # The same seed draws the same futures: more periods can only finish more.
    assert chances == sorted(chances)  # type: ignore[type-var]
