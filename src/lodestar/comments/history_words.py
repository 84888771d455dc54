"""A comment's history in words, for the activity feed."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.models import HistoryEntry


def describe(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a comment's change: written, replied, edited, deleted, reacted to."""
    changes = entry.changes or {}
    # The label is "comment on <kind> <ref>"; the line names what was commented on.
    on = entry.object_label.removeprefix("comment on ")
    if entry.action == HistoryEntry.Action.CREATED:
        return f"replied on {on}" if changes.get("parent") else f"commented on {on}"
    if entry.action == HistoryEntry.Action.DELETED:
        return f"deleted a comment on {on}"
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    if "reaction_added" in changes:
        return f"reacted to a comment on {on}"
    if "reaction_removed" in changes:
        return f"took back a reaction to a comment on {on}"
    if "body" in changes:
        return f"edited a comment on {on}"
    if "internal" in changes:
        public = changes["internal"][1] is False if isinstance(changes["internal"], list) else False
        return f"made a comment on {on} {'public' if public else 'internal'}"
    return None
