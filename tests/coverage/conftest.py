"""Coverage fixtures: product ``ACME`` (team ``core`` works from it, ``po`` wears its hat) and
the clock the scenarios are read at (``NOW``). History entries are written by the services and
then dated with ``dated``: the services stamp them with the real time."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from lodestar.core.models import HistoryEntry
from tests.strategy.conftest import product

__all__ = ["product"]

NOW = dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)


def ago(days: float, *, microseconds: int = 0) -> dt.datetime:
    return NOW - dt.timedelta(days=days, microseconds=microseconds)


def dated(entries: QuerySet[HistoryEntry], when: dt.datetime) -> int:
    """Give ``entries`` the time ``when`` (as if they had been recorded then)."""
    return entries.update(created_at=when)


def newest(object_type: str, **filters: object) -> QuerySet[HistoryEntry]:
    """The newest history entry of ``object_type`` (one, as a query for ``dated``)."""
    entry = HistoryEntry.objects.filter(object_type=object_type, **filters).order_by("-id")[0]
    return HistoryEntry.objects.filter(pk=entry.pk)
