"""A decision's history in words, for the activity feed and the decision's page."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry


def _list(value: object) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def describe(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """One line for a decision's change: recording, deciding, superseding, its links."""
    label = f"“{entry.object_label}”"
    changes = entry.changes or {}
    if entry.action == HistoryEntry.Action.CREATED:
        status = before_after(changes.get("status"))[1]
        verb = "recorded the decision" if status == "decided" else "proposed the decision"
        return f"{verb} {label}"
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    status = before_after(changes.get("status"))[1]
    if status == "decided":
        people = before_after(changes.get("deciders"))[1]
        who = (
            ", ".join(names.get(str(e), str(e)) for e in people) if isinstance(people, list) else ""
        )
        return f"marked {label} decided" + (f" (decided by {who})" if who else "")
    if status == "superseded":
        by = before_after(changes.get("superseded_by"))[1]
        return f"marked {label} superseded by {by}"
    if "supersedes" in changes:
        return f"recorded that {label} supersedes {changes['supersedes']}"
    if "links_added" in changes:
        return f"linked {_list(changes['links_added'])} to {label}"
    if "links_removed" in changes:
        return f"unlinked {_list(changes['links_removed'])} from {label}"
    if changes:
        fields = ", ".join(name.replace("_", " ") for name in changes)
        return f"changed the {fields} of {label}"
    return None
