"""Many counts from the same trials (``engine.forecast_many``, ``simulation.
completion_counts_many``): each count's answer is ``forecast``'s for that count alone, a larger
count is never done sooner, and the chance by a date (``engine.chance_by``) is the *odds*
question's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.forecasting import engine, simulation
from lodestar.forecasting.engine import ForecastInput, forecast, forecast_many
from lodestar.forecasting.errors import ForecastError, ForecastErrorCode

TODAY = dt.date(2026, 11, 30)
HISTORY = [3, 0, 5, 2, 7, 1, 4, 0, 0, 6, 2, 3] * 4
BASE = ForecastInput(
    question="when",
    throughput=HISTORY,
    today=TODAY,
    start=TODAY,
    calibrate=True,
    working_days=True,
    seed=11,
    calibration_seed=4,
)


@pytest.mark.parametrize("items", [1, 17, 90, 400])
def test_one_count_answers_as_forecast_does(items: int) -> None:
    alone = forecast(dataclasses.replace(BASE, items=items))
    (many,) = forecast_many(BASE, [items])
    assert isinstance(many, engine.Forecast)
    assert many.percentiles == alone.percentiles
    assert many.histogram == alone.histogram
    assert many.calibration == alone.calibration
    assert many.inputs == alone.inputs
    assert (many.outcomes == np.sort(alone.outcomes)).all()


def test_the_chance_by_a_date_is_the_odds_questions() -> None:
    for items, day in ((17, dt.date(2027, 2, 1)), (60, dt.date(2027, 3, 15))):
        (many,) = forecast_many(BASE, [items])
        assert isinstance(many, engine.Forecast)
        odds = forecast(dataclasses.replace(BASE, question="odds", items=items, date=day))
        assert engine.chance_by(many, day) == (odds.probability, odds.plain_probability)
    with pytest.raises(ForecastError) as refused:
        engine.chance_by(many, TODAY + dt.timedelta(days=2))
    assert refused.value.code == ForecastErrorCode.DATE_TOO_SOON


def test_a_larger_count_is_never_done_sooner_trial_by_trial() -> None:
    history = np.asarray(HISTORY, dtype=np.int32)
    rows = 2_000
    lows = np.zeros(rows, dtype=np.int64)
    lengths = np.full(rows, history.size, dtype=np.int64)
    targets = np.asarray([2, 4, 10, 30, 60, 61], dtype=np.int64)
    counts = simulation.completion_counts_many(
        np.random.default_rng(3), history, lows, lengths, targets, 522, 5
    )
    assert (counts.sum(axis=1) == rows).all()
    # The share of trials done by each period never grows with the count.
    done_by = np.cumsum(counts, axis=1)
    assert (np.diff(done_by, axis=0) <= 0).all()
    answers = forecast_many(BASE, [int(t) for t in targets])
    for earlier, later in itertools.pairwise(answers):
        assert isinstance(earlier, engine.Forecast)
        assert isinstance(later, engine.Forecast)
        for first, second in zip(earlier.percentiles, later.percentiles, strict=True):
            assert first.value is not None
            assert second.value is not None
            assert first.value <= second.value


@settings(max_examples=40, deadline=None)
@given(
    pace=st.integers(min_value=1, max_value=9),
    counts=st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=8),
)
def test_constant_throughput_gives_each_count_its_one_answer(pace: int, counts: list[int]) -> None:
    answers = forecast_many(
        ForecastInput("when", [pace] * 10, seed=1, trials=200, percentiles=(50, 95)), counts
    )
    for count, answer in zip(counts, answers, strict=True):
        assert isinstance(answer, engine.Forecast)
        assert [p.value for p in answer.percentiles] == [math.ceil(count / pace)] * 2
        assert answer.inputs.items == count


@settings(max_examples=25, deadline=None)
@given(
    history=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=12).filter(any),
    target=st.integers(min_value=1, max_value=80),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_one_target_counts_the_outcomes_of_completion_periods(
    history: list[int], target: int, seed: int
) -> None:
    counts = np.asarray(history, dtype=np.int32)
    rows = 300
    lows = np.zeros(rows, dtype=np.int64)
    lengths = np.full(rows, len(history), dtype=np.int64)
    alone = simulation.completion_periods(
        np.random.default_rng(seed), counts, lows, lengths, np.full(rows, target), 522, 7
    )
    many = simulation.completion_counts_many(
        np.random.default_rng(seed), counts, lows, lengths, np.asarray([target]), 522, 7
    )
    assert (many[0] == np.bincount(alone, minlength=524)).all()


def test_a_count_beyond_the_horizon_is_refused_in_its_place() -> None:
    answers = forecast_many(ForecastInput("when", [1, 0, 0, 0], seed=1), [3, 5_000, 4])
    assert isinstance(answers[0], engine.Forecast)
    assert isinstance(answers[1], ForecastError)
    assert answers[1].code == ForecastErrorCode.BEYOND_HORIZON
    assert isinstance(answers[2], engine.Forecast)
    assert forecast_many(BASE, []) == []


@pytest.mark.parametrize(
    ("data", "counts", "field"),
    [
        (dataclasses.replace(BASE, question="odds", date=dt.date(2027, 1, 4)), [3], "question"),
        (dataclasses.replace(BASE, items=3), [3], "items"),
        (dataclasses.replace(BASE, scope=(1, 4)), [3], "scope"),
        (BASE, [0], "items"),
        (BASE, [3, -1], "items"),
        (dataclasses.replace(BASE, throughput=[]), [3], "throughput"),
        (dataclasses.replace(BASE, throughput=[0, 0]), [3], "throughput"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    data: ForecastInput, counts: list[int], field: str
) -> None:
    with pytest.raises(ForecastError) as refused:
        forecast_many(data, counts)
    assert refused.value.field_name == field
