"""A release's history in words, for the activity feed and the release's history."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry

STATES = {
    "planned": "planned",
    "in_progress": "in progress",
    "live": "live",
    "cancelled": "cancelled",
}


def _keys(value: object) -> str:
    keys = [str(key) for key in value] if isinstance(value, list) else []
    return ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def describe(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a release's change: going live (forced or not), its state, its items, its
    notes, its checks."""
    release = f"“{entry.object_label}”"
    changes = entry.changes or {}
    if entry.action == HistoryEntry.Action.CREATED:
        return f"planned release {release}"
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    state = before_after(changes.get("state"))[1]
    if state == "live":
        if changes.get("forced"):
            return (
                f"forced release {release} live past unmet checks "
                f"({_keys(changes.get('unmet_checks'))}) because {changes.get('force_reason')}"
            )
        return f"took release {release} live"
    if state:
        return f"moved release {release} to {STATES.get(str(state), str(state))}"
    if "items_added" in changes:
        return f"added {_keys(changes['items_added'])} to release {release}"
    if "items_removed" in changes:
        return f"took {_keys(changes['items_removed'])} out of release {release}"
    if "items_dropped" in changes:
        because = f" because {changes['drop_reason']}" if changes.get("drop_reason") else ""
        return f"dropped {_keys(changes['items_dropped'])} from release {release}{because}"
    if "notes" in changes:
        return f"wrote the notes of release {release}"
    if "check_ticked" in changes:
        return f"ticked “{changes['check_ticked']}” on release {release}"
    if "check_unticked" in changes:
        return f"unticked “{changes['check_unticked']}” on release {release}"
    if "target_date" in changes:
        after = before_after(changes["target_date"])[1]
        return f"set the target date of release {release} to {after or 'none'}"
    if "name" in changes or "description" in changes:
        return f"edited release {release}"
    return None


def describe_check(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a product's own go-live check being added or removed."""
    label = f"“{entry.object_label}”"
    if entry.action == HistoryEntry.Action.CREATED:
        return f"added the go-live check {label}"
    if entry.action == HistoryEntry.Action.DELETED:
        return f"removed the go-live check {label}"
    return None


def describe_roadmap(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for the roadmap: an entry added, moved or taken off; a share link made or
    revoked (``object_label`` names the entry's object or the link)."""
    changes = entry.changes or {}
    label = f"“{entry.object_label}”"
    is_link = entry.object_type == "releases.roadmapshare"
    if entry.action == HistoryEntry.Action.CREATED:
        if is_link:
            return f"made the roadmap share link {label}"
        return f"put {label} in the {changes.get('lane', '')} lane".replace("  ", " ")
    if entry.action == HistoryEntry.Action.DELETED:
        return f"took {label} off the roadmap"
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    if changes.get("revoked"):
        return f"revoked the roadmap share link {label}"
    lane = before_after(changes.get("lane"))[1]
    if lane:
        return f"moved {label} to the {lane} lane"
    if "reordered" in changes:
        return f"reordered {label} in the {changes['reordered']} lane"
    return None
