"""Dates as spreadsheets write them: ISO 8601 (``2026-11-30``, ``2026-11-30T09:15:00Z``),
``2026/11/30``, ``30.11.2026``, and ``30/11/2026`` or ``11/30/2026``, day or month first as the
column shows (a day over 12 settles it) or as the person importing says (``dd/mm/yyyy``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from lodestar.core.errors import Invalid
from lodestar.discovery.errors import DiscoveryErrorCode as Code

DAY_FIRST = "dd/mm/yyyy"
MONTH_FIRST = "mm/dd/yyyy"
FORMATS = {
    "dd/mm/yyyy": DAY_FIRST,
    "dmy": DAY_FIRST,
    "day-first": DAY_FIRST,
    "mm/dd/yyyy": MONTH_FIRST,
    "mdy": MONTH_FIRST,
    "month-first": MONTH_FIRST,
}
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YEAR_FIRST = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
EXPECTED = "a date such as 2026-11-30, 2026-11-30T09:15, 30/11/2026 or 11/30/2026"


def clean_format(value: str | None) -> str | None:
    """The order named by ``--date-format`` (None: find it from the column)."""
    if value is None or not value.strip():
        return None
    order = FORMATS.get(value.strip().lower())
    if order is None:
        raise Invalid.field(
            "date_format",
            f"“{value}” is not a date format; give dd/mm/yyyy or mm/dd/yyyy",
            code=Code.IMPORT_DATE_FORMAT_INVALID,
        )
    return order


def column_order(values: Iterable[tuple[int, str]], given: str | None, column: str) -> str | None:
    """Day or month first for a column's ``(line, value)`` dates: ``given`` when said, else
    what the values show. Refuses a column that shows both, or neither while some date could
    be read either way."""
    if given is not None:
        return given
    day_first: int | None = None
    month_first: int | None = None
    either: tuple[int, str] | None = None
    for line, value in values:
        match = _NUMERIC.fullmatch(value.strip())
        if match is None or match.group(2) == ".":  # 30.11.2026 is always day first
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12 >= second:
            day_first = day_first or line
        elif second > 12 >= first:
            month_first = month_first or line
        elif first != second and either is None:
            either = (line, value.strip())
    if day_first and month_first:
        raise Invalid.field(
            "date_format",
            f"column “{column}” has dates day first (line {day_first}) and month first "
            f"(line {month_first}); make them alike",
            code=Code.IMPORT_DATE_FORMAT_INVALID,
        )
    if day_first:
        return DAY_FIRST
    if month_first:
        return MONTH_FIRST
    if either is not None:
        raise Invalid.field(
            "date_format",
            f"dates such as “{either[1]}” (line {either[0]}) could be day first or month "
            f"first; say which: date format {DAY_FIRST} or {MONTH_FIRST}",
            code=Code.IMPORT_DATE_FORMAT_INVALID,
        )
    return None


def parse_date(value: str, order: str | None) -> dt.datetime | dt.date:
    """``value`` as a date or a datetime; ValueError with what was expected when it is none."""
    text = value.strip()
    match = _NUMERIC.fullmatch(text)
    try:
        if match is not None:
            first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
            if match.group(2) == "." or order == DAY_FIRST or (order is None and first == second):
                day, month = first, second
            else:
                month, day = first, second
            if match.group(5) is None:
                return dt.date(year, month, day)
            seconds = int(match.group(7) or 0)
            return dt.datetime(  # noqa: DTZ001 - naive: the server's zone, as clean_received_at says
                year, month, day, int(match.group(5)), int(match.group(6)), seconds
            )
        slashed = _YEAR_FIRST.fullmatch(text)
        if slashed is not None:
            return dt.date(*(int(part) for part in slashed.groups()))
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not {EXPECTED}") from None
