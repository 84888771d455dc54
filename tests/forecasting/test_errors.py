"""Bad input: a ForecastError with a stable code, naming the field, and never a hang."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lodestar.core.errors import Invalid, error_sentence
from lodestar.forecasting.engine import MAX_TRIALS, ForecastInput, forecast
from lodestar.forecasting.errors import ForecastError, ForecastErrorCode

TODAY = dt.date(2026, 11, 30)
HISTORY = [3, 5, 2, 4]


def _refusal(**fields: Any) -> ForecastError:
    fields.setdefault("throughput", HISTORY)
    with pytest.raises(ForecastError) as caught:
        forecast(ForecastInput(**fields))
    return caught.value


CASES = [
    ({"question": "when", "items": 5, "throughput": []}, "throughput", "history_empty"),
    ({"question": "when", "items": 5, "throughput": [0, 0, 0]}, "throughput", "history_all_zero"),
    ({"question": "how_many", "periods": 3, "throughput": [0]}, "throughput", "history_all_zero"),
    ({"question": "when", "items": 5, "throughput": [2, 0, 0], "window": 2}, "throughput",
     "history_all_zero"),
    ({"question": "when", "items": 5, "throughput": [3, -1]}, "throughput", "negative"),
    ({"question": "when", "items": 5, "throughput": [3, 2.5]}, "throughput", "out_of_range"),
    ({"question": "when", "items": 5, "throughput": [True]}, "throughput", "out_of_range"),
    ({"question": "when", "items": 5, "throughput": [1] * 10_001}, "throughput",
     "history_too_long"),
    ({"question": "when", "items": 0}, "items", "out_of_range"),
    ({"question": "when", "items": -3}, "items", "negative"),
    ({"question": "when"}, "items", "missing"),
    ({"question": "when", "items": 5, "scope": (3, 8)}, "scope", "not_applicable"),
    ({"question": "when", "items": 5, "periods": 3}, "periods", "not_applicable"),
    ({"question": "how_many"}, "periods", "missing"),
    ({"question": "how_many", "periods": 3, "items": 4}, "items", "not_applicable"),
    ({"question": "how_many", "periods": 0}, "periods", "out_of_range"),
    ({"question": "how_many", "periods": 523}, "periods", "out_of_range"),
    ({"question": "odds", "items": 4, "periods": 2, "date": TODAY}, "date", "not_applicable"),
    ({"question": "odds", "items": 4, "date": dt.date(2026, 11, 1), "today": TODAY}, "date",
     "date_in_past"),
    ({"question": "odds", "items": 4, "date": TODAY, "today": TODAY, "period": "week"}, "date",
     "date_too_soon"),
    ({"question": "when", "items": 4, "start": dt.date(2020, 1, 1), "today": TODAY}, "start",
     "date_in_past"),
    ({"question": "odds", "items": 4, "date": TODAY}, "start", "missing"),
    ({"question": "when", "items": 4, "trials": MAX_TRIALS + 1}, "trials", "out_of_range"),
    ({"question": "when", "items": 4, "trials": 10**9}, "trials", "out_of_range"),
    ({"question": "when", "items": 4, "trials": 10}, "trials", "out_of_range"),
    ({"question": "when", "items": 4, "seed": -1}, "seed", "negative"),
    ({"question": "when", "items": 4, "window": 0}, "window", "out_of_range"),
    ({"question": "when", "items": 4, "split_rate": (0.5, 2.0)}, "split_rate", "range_invalid"),
    ({"question": "when", "items": 4, "split_rate": (3.0, 2.0)}, "split_rate", "range_invalid"),
    ({"question": "when", "scope": (9, 3)}, "scope", "range_invalid"),
    ({"question": "when", "scope": (-1, 3)}, "scope", "negative"),
    ({"question": "how_many", "periods": 2, "scope": (1, 3)}, "scope", "not_applicable"),
    ({"question": "when", "items": 1_000_000, "throughput": [1]}, "items", "beyond_horizon"),
    ({"question": "when", "items": 4, "period": "month"}, "period", "out_of_range"),
    ({"question": "later", "items": 4}, "question", "out_of_range"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "field", "code"), CASES)
def test_bad_input_names_the_field(fields: dict[str, Any], field: str, code: str) -> None:
    error = _refusal(**fields)
    assert error.field_name == field
    assert error.code == ForecastErrorCode(f"forecast_{code}")
    assert isinstance(error, Invalid)  # the API answers 422, the CLI one line
    assert error.errors[0].field == field
    assert error_sentence(error).startswith(field.replace("_", " ").capitalize())


def test_all_zero_history_says_nothing_can_finish() -> None:
    message = _refusal(question="when", items=5, throughput=[0] * 8).message
    assert "nothing" in message


def test_a_history_too_slow_for_the_horizon_is_refused_before_simulating() -> None:
    # One item in 100 weeks: 10 items take ~1,000 weeks, beyond the ten years looked at.
    error = _refusal(question="when", items=10, throughput=[1] + [0] * 99)
    assert error.code == ForecastErrorCode.BEYOND_HORIZON
    assert "522" in error.message
