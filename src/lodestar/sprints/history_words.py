"""A sprint's history in words, for the activity feed and the sprint's history."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry


def _keys(value: object) -> str:
    keys = [str(key) for key in value] if isinstance(value, list) else []
    return ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def describe(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a sprint's change: starting, closing, the goal, its items, its capacity."""
    sprint = f"“{entry.object_label}”"
    changes = entry.changes or {}
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    state = before_after(changes.get("state"))[1]
    if state == "active":
        return f"started sprint {sprint}"
    if state == "closed":
        met = "met" if changes.get("goal_met") else "did not meet"
        return f"closed sprint {sprint}; its goal was {met}"
    if "goal" in changes:
        reason = changes.get("goal_reason")
        after = before_after(changes["goal"])[1]
        because = f" because {reason}" if reason else ""
        return f"changed the goal of sprint {sprint} to “{after}”{because}"
    if "items_added" in changes:
        return f"added {_keys(changes['items_added'])} to sprint {sprint}"
    if "items_removed" in changes:
        return f"took {_keys(changes['items_removed'])} out of sprint {sprint}"
    if "capacity" in changes:
        return f"set the capacity of sprint {sprint}"
    return None
