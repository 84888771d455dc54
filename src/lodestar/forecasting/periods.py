"""Periods as calendar dates: which day a number of periods ends on, and how many periods end
by a date.

Work starts on ``start``, which is the first day of period 1.

- ``day``: period ``k`` is the ``k``-th day counted from ``start`` (``start`` included). With
  ``working_days``, only working days count: not Saturday or Sunday, not a holiday given.
- ``week``: period ``k`` is the seven days from ``start + 7(k - 1)``, and ends on its last day.
  With ``working_days``, a week ends on its last working day, and a week with no working day at
  all (a shutdown between two holidays) does not count as a period.

``periods_by(date)`` is the number of periods whose end is on or before ``date``: the inverse
of ``date_of``, so a forecast "by" a date counts only the periods finished by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

PeriodUnit = Literal["day", "week"]
# Monday to Friday: numpy's weekmask, Monday first.
WEEKMASK = "1111100"
# The last day the calendar can name (a forecast looks at most ten years ahead of its start).
LAST_START = dt.date(9000, 1, 1)


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    period: PeriodUnit = "week"
    working_days: bool = False
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    # The working weeks' ends found so far and the weeks looked at, kept (a calendar answers
    # many dates of one forecast, and of several forecasts from the same start). Replaced
    # whole, never changed in place, so threads sharing a calendar read a consistent pair.
    _found: list[tuple[tuple[dt.date, ...], int]] = field(
        default_factory=lambda: [((), 0)], init=False, repr=False, compare=False
    )

    def _holidays(self) -> list[dt.date]:
        return sorted(self.holidays)

    def is_working(self, day: dt.date) -> bool:
        return not self.working_days or (day.weekday() < 5 and day not in self.holidays)

    def _working_week_ends(self, count: int) -> list[dt.date]:
        """The ends of the first ``count`` weeks that have a working day."""
        known, week = self._found[0]
        if len(known) >= count:
            return list(known[:count])
        ends = list(known)
        # Holidays are finite, so at most len(holidays) // 5 weeks can be skipped.
        while len(ends) < count and week <= count + len(self.holidays):
            first = self.start + dt.timedelta(days=7 * week)
            days = [first + dt.timedelta(days=offset) for offset in range(7)]
            working = [day for day in days if self.is_working(day)]
            if working:
                ends.append(working[-1])
            week += 1
        self._found[0] = (tuple(ends), week)
        return ends

    def date_of(self, periods: int) -> dt.date:
        """The last day of period ``periods`` (1 or more)."""
        return self.dates_of([periods])[0]

    def dates_of(self, periods: Iterable[int]) -> list[dt.date]:
        """The last day of each period number given (each 1 or more)."""
        wanted = [int(p) for p in periods]
        if not wanted:
            return []
        if min(wanted) < 1:
            raise ValueError("periods are counted from 1")
        if self.period == "day":
            if not self.working_days:
                return [self.start + dt.timedelta(days=p - 1) for p in wanted]
            found = np.busday_offset(
                np.datetime64(self.start, "D"),
                np.asarray(wanted, dtype=np.int64) - 1,
                roll="forward",
                weekmask=WEEKMASK,
                holidays=self._holidays(),
            )
            return [day.astype(dt.date) for day in found]
        if not self.working_days:
            return [self.start + dt.timedelta(days=7 * p - 1) for p in wanted]
        ends = self._working_week_ends(max(wanted))
        return [ends[p - 1] for p in wanted]

    def periods_by(self, date: dt.date) -> int:
        """How many periods end on or before ``date`` (0 when ``date`` is before ``start``)."""
        if date < self.start:
            return 0
        days = (date - self.start).days + 1
        if self.period == "day":
            if not self.working_days:
                return days
            return int(
                np.busday_count(
                    np.datetime64(self.start, "D"),
                    np.datetime64(date + dt.timedelta(days=1), "D"),
                    weekmask=WEEKMASK,
                    holidays=self._holidays(),
                )
            )
        if not self.working_days:
            return days // 7
        ends = self._working_week_ends(days // 7 + 1)
        return sum(1 for end in ends if end <= date)
