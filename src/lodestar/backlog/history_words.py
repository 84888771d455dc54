"""A backlog item's recorded changes in words: for its own history section ("renamed it to
…") and for the workspace's activity feed (declared on the ``item`` object type)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.prioritization.frameworks import Framework
from lodestar.backlog.views._common import compact
from lodestar.core.history import before_after, history_for
from lodestar.core.models import HistoryEntry
from lodestar.people.models import User
from lodestar.people.policy import Actor

SHOWN = 30
_LABELS = {
    **{value: label.lower() for value, label in ItemStatus.choices},
    **{value: label.lower() for value, label in ItemKind.choices},
}
_TEXT_FIELDS = {"description": "description", "acceptance_criteria": "acceptance criteria"}
_REFERENCES = {"assignee": "assignee", "goal": "goal", "parent": "parent"}
Action = HistoryEntry.Action


@dataclass(frozen=True)
class HistoryLine:
    entry: HistoryEntry
    who: User | None
    text: str


def _value(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _LABELS.get(str(value), str(value))


def _score(field: str, value: Any) -> str:
    name = field.removeprefix("score_")
    try:
        label = Framework(name).display_name
    except ValueError:
        label = name
    _, after = before_after(value)
    if isinstance(after, dict) and "value" in after:
        return f"scored it {label} {compact(float(after['value']))}"
    return f"removed its {label} score"


def _change(field: str, value: Any) -> str | None:
    if field.startswith("score_"):
        return _score(field, value)
    before, after = before_after(value)
    if field == "split_into":
        return "split it into " + ", ".join(str(k) for k in (after or []))
    if field in _TEXT_FIELDS:
        return f"edited the {_TEXT_FIELDS[field]}"
    if field in _REFERENCES:
        return f"changed the {_REFERENCES[field]}" if after is not None else f"cleared the {field}"
    if field == "labels":
        return "set the labels to " + (", ".join(after) if after else "none")
    if field == "placement" and isinstance(value, str):
        return f"moved it {value}"
    if field in {"estimate_unknown", "rank", "placement", "deleted_at"}:
        return None
    if field == "title":
        return f"renamed it to “{after}”"
    return f"changed the {field.replace('_', ' ')} from {_value(before)} to {_value(after)}"


def describe(entry: HistoryEntry) -> str:
    """What one entry did to the item, in a line."""
    changes = entry.changes or {}
    if entry.action == Action.CREATED:
        if "split_from" in changes:
            return f"created it by splitting {changes['split_from']}"
        if "duplicate_of" in changes:
            return f"created it as a copy of {changes['duplicate_of']}"
        return f"created this {_value(changes.get('kind', 'item'))}"
    if entry.action == Action.MOVED:
        return f"moved it {changes.get('placement', '')}".strip()
    if entry.action == Action.DELETED:
        return "moved it to the trash"
    if entry.action == Action.RESTORED:
        return "restored it from the trash"
    parts = [line for field, value in changes.items() if (line := _change(field, value))]
    return "; ".join(parts) or "updated it"


def history_lines(actor: Actor, item: BacklogItem) -> list[HistoryLine]:
    """The latest changes of ``item``, newest first."""
    entries = history_for(workspace_id=actor.workspace_id, obj=item)[:SHOWN]
    return [HistoryLine(e, e.actor, describe(e)) for e in entries]


def describe_for_feed(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """The activity feed's line: the item named, with what changed (the feed shows who)."""
    subject = f"backlog item “{entry.object_label}”"
    changes = entry.changes or {}
    if entry.action == Action.UPDATED:
        details = [line for field, value in changes.items() if (line := _change(field, value))]
        return f"updated {subject}: " + "; ".join(details) if details else None
    if entry.action == Action.MOVED and changes.get("placement"):
        return f"moved {subject} {changes['placement']}"
    return None
