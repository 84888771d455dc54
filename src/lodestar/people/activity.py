"""History entries in words, for the workspace's activity feed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lodestar.core.models import HistoryEntry
from lodestar.people.models import Role, TeamRole

_KINDS = {
    "people.membership": "member",
    "people.apitoken": "API token",
    "people.workspace": "workspace",
    "people.team": "team",
    "people.invitation": "invitation",
    "strategy.product": "product",
    "strategy.productgoal": "Product Goal",
    "backlog.backlogitem": "backlog item",
}
_VERBS: dict[str, str] = {
    HistoryEntry.Action.CREATED.value: "created",
    HistoryEntry.Action.UPDATED.value: "updated",
    HistoryEntry.Action.DELETED.value: "deleted",
    HistoryEntry.Action.RESTORED.value: "restored",
    HistoryEntry.Action.MOVED.value: "moved",
    HistoryEntry.Action.PURGED.value: "purged",
}
_HATS = {value: label.lower() for value, label in TeamRole.choices}
_ROLES = {value: label.lower() for value, label in Role.choices}


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None, value


def _member_label(label: str) -> str:
    # A membership's label reads "<person> in <workspace>"; the feed is already in the workspace.
    return label.rsplit(" in ", 1)[0]


def _team(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    for hat, label in _HATS.items():
        if hat not in entry.changes:
            continue
        before, after = (names.get(v, v) if v else v for v in _pair(entry.changes[hat]))
        team = entry.object_label
        if hat == TeamRole.PRODUCT_OWNER:
            if before and after:
                return f"moved the product owner hat of {team} from {before} to {after}"
            if after:
                return f"gave the product owner hat of {team} to {after}"
            return f"left the product owner hat of {team} vacant (was {before})"
        if after:
            return f"made {after} {label} in {team}"
        return f"took the {label} hat in {team} off {before}"
    return None


def _membership(entry: HistoryEntry) -> str | None:
    who = _member_label(entry.object_label)
    if entry.action == HistoryEntry.Action.CREATED:
        role = _ROLES.get(str(entry.changes.get("role", "")), "member")
        return f"added {who} as {role}"
    if entry.action == HistoryEntry.Action.DELETED:
        return f"removed {who} from the workspace"
    parts = []
    if "role" in entry.changes:
        before, after = _pair(entry.changes["role"])
        parts.append(f"role from {_ROLES.get(before, before)} to {_ROLES.get(after, after)}")
    if "job_title" in entry.changes:
        _, after = _pair(entry.changes["job_title"])
        parts.append(f"job title to “{after}”" if after else "job title to none")
    return f"changed {who}'s {' and '.join(parts)}" if parts else None


def _invitation(entry: HistoryEntry) -> str | None:
    email = entry.changes.get("email")
    if entry.action == HistoryEntry.Action.CREATED and email:
        return f"invited {email}"
    if "accepted_at" in entry.changes:
        return "accepted an invitation"
    if "revoked_at" in entry.changes:
        return "withdrew an invitation"
    return None


def describe(entry: HistoryEntry, names: Mapping[str, str] | None = None) -> str:
    """One line saying what happened, without the actor (the page shows who).

    ``names`` maps email addresses (as history records people) to the names to show.
    """
    special = None
    if entry.object_type == "people.team":
        special = _team(entry, names or {})
    elif entry.object_type == "people.membership":
        special = _membership(entry)
    elif entry.object_type == "people.invitation":
        special = _invitation(entry)
    if special:
        return special
    verb = _VERBS.get(entry.action, entry.action)
    kind = _KINDS.get(entry.object_type, entry.object_type.rsplit(".", 1)[-1])
    label = f"“{entry.object_label}”" if entry.object_label else ""
    return f"{verb} {kind} {label}".strip()
