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


def describe_criterion(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a success criterion: set or removed."""
    if entry.action == HistoryEntry.Action.CREATED:
        return f"set success criterion “{entry.object_label}”"
    if entry.action == HistoryEntry.Action.DELETED:
        return f"removed success criterion “{entry.object_label}”"
    return None


def describe_review(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for an outcome review: its verdict, learnings and follow-ups."""
    changes = entry.changes or {}
    outcome = f"“{entry.object_label}”"
    if "learnings" in changes or "follow_ups" in changes or "problem_status" in changes:
        parts = []
        if "learnings" in changes:
            parts.append("wrote learnings")
        if changes.get("follow_ups"):
            keys = ", ".join(str(key) for key in changes["follow_ups"])
            parts.append(f"made follow-up items {keys}")
        if "problem_status" in changes:
            parts.append(f"set the problem to {before_after(changes['problem_status'])[1]}")
        return f"{' and '.join(parts)} on outcome {outcome}"
    if "verdict" in changes:
        after = before_after(changes["verdict"])[1]
        if after == "pending":
            return f"evaluated outcome {outcome} so far (its window is still open)"
        return f"reviewed outcome {outcome}: {after}"
    if "marked" in changes:
        keys = ", ".join(str(key) for key in changes["marked"])
        return f"marked the open items of the problem behind outcome {outcome}: {keys}"
    if entry.action == HistoryEntry.Action.UPDATED:
        return f"evaluated outcome {outcome} again"
    return None
