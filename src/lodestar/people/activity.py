"""The people context's history in words (teams and their hats, members, invitations), declared
on its object types in ``people/plugin.py``; ``core.history.describe`` does the rest."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry
from lodestar.people.models import Role, TeamRole

_HATS = {value: label.lower() for value, label in TeamRole.choices}
_ROLES = {value: label.lower() for value, label in Role.choices}


def _member_label(label: str) -> str:
    # A membership's label reads "<person> in <workspace>"; the feed is already in the workspace.
    return label.rsplit(" in ", 1)[0]


def describe_workspace(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    if "allow_external_images" not in entry.changes:
        return None
    _, allowed = before_after(entry.changes["allow_external_images"])
    if allowed:
        return "allowed images from other hosts on the workspace's pages"
    return "stopped images from other hosts on the workspace's pages"


def describe_team(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    for hat, label in _HATS.items():
        if hat not in entry.changes:
            continue
        before, after = (names.get(v, v) if v else v for v in before_after(entry.changes[hat]))
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


def describe_membership(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    who = _member_label(entry.object_label)
    if entry.action == HistoryEntry.Action.CREATED:
        role = _ROLES.get(str(entry.changes.get("role", "")), "member")
        return f"added {who} as {role}"
    if entry.action == HistoryEntry.Action.DELETED:
        return f"removed {who} from the workspace"
    parts = []
    if "role" in entry.changes:
        before, after = before_after(entry.changes["role"])
        parts.append(f"role from {_ROLES.get(before, before)} to {_ROLES.get(after, after)}")
    if "job_title" in entry.changes:
        _, after = before_after(entry.changes["job_title"])
        parts.append(f"job title to “{after}”" if after else "job title to none")
    return f"changed {who}'s {' and '.join(parts)}" if parts else None


def describe_invitation(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    email = entry.changes.get("email")
    if entry.action == HistoryEntry.Action.CREATED and email:
        return f"invited {email}"
    if "accepted_at" in entry.changes:
        return "accepted an invitation"
    if "revoked_at" in entry.changes:
        return "withdrew an invitation"
    if "declined_at" in entry.changes:
        return "declined an invitation"
    return None
