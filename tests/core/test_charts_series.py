"""The daily series chart: its summary in words, the table behind it, and bad data refused."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from lodestar.core import charts
from lodestar.core.charts import DayValue

START = dt.date(2026, 3, 1)


def _days(values: list[float]) -> list[DayValue]:
    return [DayValue(START + dt.timedelta(days=n), v) for n, v in enumerate(values)]


def test_summary_and_table() -> None:
    chart = charts.daily_series(
        _days([3.0] * 7 + [3.5] * 7), id="conv", title="Conversion", unit="%"
    )
    assert chart.summary == (
        "3.5% on 14 Mar 2026; 14 days from 3 to 3.5%, mean 3.25; up 0.5% from the first week "
        "to the last (better)."
    )
    assert chart.table is not None
    assert len(chart.table.rows) == 14
    assert chart.table.columns == ("Day", "Value (%)")
    assert chart.svg is not None
    assert 'aria-labelledby="conv-title conv-summary"' in chart.svg


def test_lower_is_better_reads_a_rise_as_worse() -> None:
    chart = charts.daily_series(
        _days([800.0] * 7 + [900.0] * 7),
        id="load",
        title="Load",
        unit="ms",
        higher_is_better=False,
    )
    assert "up 100 ms from the first week to the last (worse)" in chart.summary


def test_no_days_says_so() -> None:
    chart = charts.daily_series([], id="none", title="Nothing")
    assert chart.empty
    assert chart.summary == "No samples yet: push or upload some."


def test_bad_data_is_a_bug_to_see() -> None:
    with pytest.raises(ValueError, match="finite"):
        charts.daily_series(_days([1.0, math.nan]), id="bad", title="Bad")
    with pytest.raises(ValueError, match="once"):
        charts.daily_series([DayValue(START, 1), DayValue(START, 2)], id="twice", title="T")
