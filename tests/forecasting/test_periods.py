"""Periods as dates: days, working days with holidays, weeks, and the inverse."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.forecasting.periods import Calendar

MONDAY = dt.date(2027, 1, 4)
FRIDAY = dt.date(2027, 1, 8)


def test_days_count_from_the_start() -> None:
    days = Calendar(MONDAY, "day")
    assert days.dates_of([1, 2, 7]) == [MONDAY, dt.date(2027, 1, 5), dt.date(2027, 1, 10)]
    assert days.periods_by(MONDAY) == 1
    assert days.periods_by(MONDAY - dt.timedelta(days=1)) == 0


def test_working_days_skip_weekends_and_holidays() -> None:
    days = Calendar(FRIDAY, "day", working_days=True, holidays=frozenset({dt.date(2027, 1, 11)}))
    # Friday, then Tuesday (Saturday, Sunday and the Monday off skipped).
    assert days.dates_of([1, 2, 3]) == [FRIDAY, dt.date(2027, 1, 12), dt.date(2027, 1, 13)]
    assert days.periods_by(dt.date(2027, 1, 11)) == 1
    assert days.periods_by(dt.date(2027, 1, 12)) == 2
    # A start on a Saturday: the first period is the Monday.
    weekend = Calendar(dt.date(2027, 1, 9), "day", working_days=True)
    assert weekend.date_of(1) == dt.date(2027, 1, 11)


def test_weeks_end_on_their_last_day_or_last_working_day() -> None:
    weeks = Calendar(MONDAY, "week")
    assert weeks.dates_of([1, 2]) == [dt.date(2027, 1, 10), dt.date(2027, 1, 17)]
    assert weeks.periods_by(dt.date(2027, 1, 16)) == 1
    working = Calendar(MONDAY, "week", working_days=True)
    assert working.dates_of([1, 2]) == [FRIDAY, dt.date(2027, 1, 15)]
    assert working.periods_by(FRIDAY) == 1


def test_a_week_without_working_days_does_not_count() -> None:
    shutdown = frozenset(dt.date(2027, 1, 11) + dt.timedelta(days=d) for d in range(5))
    weeks = Calendar(MONDAY, "week", working_days=True, holidays=shutdown)
    assert weeks.dates_of([1, 2]) == [FRIDAY, dt.date(2027, 1, 22)]
    assert weeks.periods_by(dt.date(2027, 1, 21)) == 1


@settings(deadline=None)
@given(
    start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 1, 1)),
    period=st.sampled_from(["day", "week"]),
    working_days=st.booleans(),
    count=st.integers(min_value=1, max_value=120),
)
def test_periods_by_is_the_inverse_of_date_of(
    start: dt.date, period: str, working_days: bool, count: int
) -> None:
    calendar = Calendar(start, period, working_days)  # type: ignore[arg-type]
    end = calendar.date_of(count)
    assert calendar.periods_by(end) == count
    assert calendar.periods_by(end - dt.timedelta(days=1)) == count - 1
    assert calendar.is_working(end)
