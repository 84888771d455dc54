"""The report's period: the defaults, the quarter presets, and every way it is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.core.errors import Invalid
from lodestar.reports.periods import MAX_DAYS, Period, period_of, presets, quarter_of

TODAY = dt.date(2026, 11, 30)


def test_left_out_it_is_the_last_90_days_to_today() -> None:
    period = period_of(today=TODAY)
    assert period == Period(dt.date(2026, 9, 2), TODAY)
    assert period.days == 90
    assert period_of("", " ", today=TODAY) == period
    # Only ``since``: up to today.
    assert period_of("2026-10-01", today=TODAY) == Period(dt.date(2026, 10, 1), TODAY)
    # Only ``until``: the 90 days that end then.
    assert period_of(None, "2026-06-30", today=TODAY).since == dt.date(2026, 4, 2)


def test_a_period_of_one_day_and_one_of_the_limit() -> None:
    assert period_of("2026-10-01", "2026-10-01", today=TODAY).days == 1
    year = period_of("2024-01-01", "2024-12-31", today=TODAY)  # a leap year: 366 days
    assert year.days == MAX_DAYS


def test_quarters() -> None:
    assert quarter_of(dt.date(2026, 11, 30)) == Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert quarter_of(dt.date(2026, 2, 1)) == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter_of(dt.date(2026, 6, 30)) == Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    found = presets(TODAY)
    assert [p.label for p in found] == ["Last 90 days", "Q4 2026", "Q3 2026", "Q2 2026", "Q1 2026"]
    assert found[2].period == Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def test_labels_and_file_names() -> None:
    assert (
        Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)).label == "1 Oct \N{EN DASH} 31 Dec 2026"
    )
    assert Period(dt.date(2025, 12, 1), dt.date(2026, 1, 31)).label == (
        "1 Dec 2025 \N{EN DASH} 31 Jan 2026"
    )
    assert Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)).slug == "2026-10-01-to-2026-12-31"


@pytest.mark.parametrize(
    ("since", "until", "fields", "words"),
    [
        ("2026-02-30", None, ["since"], "must be a date like 2026-10-01, not '2026-02-30'"),
        ("next week", "someday", ["since", "until"], "must be a date like"),
        ("1999-12-31", None, ["since"], "between 2000 and 2100"),
        ("2026-12-01", "2026-10-01", ["since"], "must be on or before until"),
        ("2025-01-01", "2026-01-02", ["since"], "spans 367 days; a report covers at most 366"),
        ("2026-12-01", None, ["since"], "on or before until (2026-12-01 is after 2026-11-30)"),
    ],
)
def test_refusals_name_the_field(
    since: str, until: str | None, fields: list[str], words: str
) -> None:
    with pytest.raises(Invalid) as caught:
        period_of(since, until, today=TODAY)
    assert caught.value.code == "report_period_invalid"
    assert [e.field for e in caught.value.errors] == fields
    assert words in caught.value.errors[0].message


def test_the_command_line_names_its_options() -> None:
    with pytest.raises(Invalid) as caught:
        period_of("2026-12-01", "2026-10-01", today=TODAY, fields=("--since", "--until"))
    assert caught.value.errors[0].field == "--since"
    assert "before --until" in caught.value.errors[0].message
