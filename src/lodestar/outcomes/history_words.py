"""A metric's history in words, for the activity feed and the metric's page."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry

_NAMES = {
    "name": "the name",
    "unit": "the unit",
    "direction": "the direction",
    "aggregation": "the daily aggregation",
    "description": "the description",
    "time_zone": "the time zone",
}


def describe(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a metric's change: defined, renamed, its direction or aggregation."""
    metric = f"“{entry.object_label}”"
    changes = entry.changes or {}
    if entry.action == HistoryEntry.Action.CREATED:
        return f"defined metric {metric}"
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    if "direction" in changes:
        after = before_after(changes["direction"])[1]
        return f"set metric {metric} to {after} is better"
    if "aggregation" in changes:
        after = before_after(changes["aggregation"])[1]
        return f"set metric {metric} to aggregate each day by its {after}"
    if "name" in changes:
        before = before_after(changes["name"])[0]
        return f"renamed metric “{before}” to {metric}"
    changed = [label for field, label in _NAMES.items() if field in changes]
    if changed:
        return f"changed {' and '.join(changed)} of metric {metric}"
    return None
