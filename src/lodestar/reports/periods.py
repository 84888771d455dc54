"""The period a report covers: two days, both included, read once from what a person typed
(the API's and the page's ``since``/``until``, the CLI's ``--since``/``--until``), and the
quarter presets the page offers.

Left out, ``until`` is today and ``since`` the day that makes the last 90 days. A period runs
forward (``since`` on or before ``until``) and spans at most ``MAX_DAYS`` days, so no report
reads years of history at once; docs/REPORTS.md states both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lodestar.core.errors import FieldError, Invalid
from lodestar.reports.errors import ReportErrorCode as Code

DEFAULT_DAYS = 90
MAX_DAYS = 366
# Dates outside these years are typing mistakes, not periods anyone reports on.
FIRST_YEAR, LAST_YEAR = 2000, 2100
DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def label(self) -> str:
        """``1 Oct to 31 Dec 2026`` (with an en dash; the year once when both days share it)."""
        if self.since.year == self.until.year:
            return f"{self.since:%-d %b} {DASH} {self.until:%-d %b %Y}"
        return f"{self.since:%-d %b %Y} {DASH} {self.until:%-d %b %Y}"

    @property
    def slug(self) -> str:
        """For file names: ``2026-10-01-to-2026-12-31``."""
        return f"{self.since.isoformat()}-to-{self.until.isoformat()}"


@dataclass(frozen=True)
class Preset:
    label: str
    period: Period


def _day(value: str | dt.date | None, field: str, errors: list[FieldError]) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        shown = text[:40]
        errors.append(FieldError(field, f"must be a date like 2026-10-01, not '{shown}'"))
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.append(
            FieldError(field, f"must be a date between {FIRST_YEAR} and {LAST_YEAR}, not {day}")
        )
        return None
    return day


def period_of(
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    *,
    today: dt.date,
    fields: tuple[str, str] = ("since", "until"),
) -> Period:
    """The period from ``since`` to ``until`` (ISO dates; empty or None for the defaults), or
    ``Invalid`` naming the field to fix (``fields`` names them as the caller's input does,
    such as ``--since``)."""
    errors: list[FieldError] = []
    first = _day(since, fields[0], errors)
    last = _day(until, fields[1], errors)
    if errors:
        raise Invalid.fields(errors, code=Code.REPORT_PERIOD_INVALID)
    last = last or today
    if first is None:
        first = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid.field(
            fields[0],
            f"must be on or before {fields[1]} ({first} is after {last})",
            code=Code.REPORT_PERIOD_INVALID,
        )
    period = Period(first, last)
    if period.days > MAX_DAYS:
        raise Invalid.field(
            fields[0],
            f"the period spans {period.days} days; a report covers at most {MAX_DAYS} "
            f"(from {first} to {last})",
            code=Code.REPORT_PERIOD_INVALID,
        )
    return period


def quarter_of(day: dt.date) -> Period:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end_month = start.month + 2
    following = (
        dt.date(start.year + 1, 1, 1) if end_month == 12 else dt.date(start.year, end_month + 1, 1)
    )
    return Period(start, following - dt.timedelta(days=1))


def presets(today: dt.date, *, count: int = 4) -> list[Preset]:
    """The last 90 days, then this quarter and the ``count - 1`` before it, newest first."""
    found = [Preset(f"Last {DEFAULT_DAYS} days", period_of(today=today))]
    quarter = quarter_of(today)
    for _ in range(count):
        number = (quarter.since.month - 1) // 3 + 1
        found.append(Preset(f"Q{number} {quarter.since.year}", quarter))
        quarter = quarter_of(quarter.since - dt.timedelta(days=1))
    return found
