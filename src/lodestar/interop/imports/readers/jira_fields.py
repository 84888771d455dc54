"""What Jira's CSV and XML exports mean alike: issue types as our kinds, status categories,
story points, people, the sprints an issue went through and the rank order. No Django."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lodestar.interop.imports.bundle import (
    Category,
    Kind,
    SourceItem,
    SourcePerson,
    SourceRelease,
    SourceSprint,
)

# Issue types (lower case, as English, German, French and Spanish Jira name them) -> our kinds.
KINDS: dict[str, Kind] = {
    "epic": "epic",
    "story": "story",
    "user story": "story",
    "histoire": "story",
    "historia": "story",
    "task": "task",
    "sub-task": "task",
    "subtask": "task",
    "aufgabe": "task",
    "unteraufgabe": "task",
    "sub-aufgabe": "task",
    "tâche": "task",
    "sous-tâche": "task",
    "tarea": "task",
    "subtarea": "task",
    "bug": "bug",
    "fehler": "bug",
    "bogue": "bug",
    "error": "bug",
    "defect": "bug",
    "spike": "spike",
}

# Status categories, as the CSV names them in the user's language and as the XML keys them.
CATEGORIES: dict[str, Category] = {
    "to do": "todo",
    "new": "todo",
    "zu erledigen": "todo",
    "à faire": "todo",
    "por hacer": "todo",
    "in progress": "in_progress",
    "indeterminate": "in_progress",
    "in arbeit": "in_progress",
    "en cours": "in_progress",
    "en curso": "in_progress",
    "done": "done",
    "fertig": "done",
    "erledigt": "done",
    "terminé": "done",
    "terminée": "done",
    "listo": "done",
    "hecho": "done",
}

_POINTS_NAME = re.compile(r"story[\s_-]*points?|story point estimate", re.IGNORECASE)


def is_points_name(name: str) -> bool:
    """Whether a column or custom field's name says it holds story points."""
    return bool(_POINTS_NAME.search(name))


def kind_of(issue_type: str, unknown: Counter[str]) -> Kind:
    """Our kind for a Jira issue type; an unknown type is a story, counted in ``unknown``."""
    kind = KINDS.get(issue_type.strip().lower())
    if kind is None:
        unknown[issue_type.strip() or "(none)"] += 1
        return "story"
    return kind


def category_of(name: str) -> Category | None:
    return CATEGORIES.get(name.strip().lower()) if name else None


def points(text: str) -> Decimal | None:
    """Story points from a cell (``5``, ``3.0``, ``0,5``); ValueError when not a number."""
    cell = text.strip()
    if not cell:
        return None
    if "," in cell and "." not in cell:
        cell = cell.replace(",", ".")
    try:
        value = Decimal(cell)
    except InvalidOperation:
        raise ValueError(f"the story points {text.strip()[:40]!r} are not a number") from None
    if not value.is_finite() or value < 0 or value > 10_000:
        raise ValueError(f"the story points {text.strip()[:40]!r} must be between 0 and 10000")
    return value.normalize() if value == value.to_integral() else value


@dataclass
class People:
    """Everyone the file names, by key (an account id, else a name), in first-seen order."""

    by_key: dict[str, SourcePerson] = field(default_factory=dict)

    def add(self, name: str, account: str) -> str | None:
        name, account = name.strip(), account.strip()
        key = account or name
        if not key:
            return None
        known = self.by_key.get(key)
        if known is None or (not known.name and name):
            self.by_key[key] = SourcePerson(key=key, name=name)
        return key

    def all(self) -> list[SourcePerson]:
        return list(self.by_key.values())


def ordered(items: list[tuple[str | None, SourceItem]]) -> list[SourceItem]:
    """Items by their lexorank (``0|i0001b:``, compared as text, as Jira does); those without
    one after, in file order."""
    return [item for _, item in sorted(items, key=lambda pair: (pair[0] is None, pair[0] or ""))]


def sprints_of(
    items: Iterable[SourceItem], resolved: set[str], where: dict[str, str]
) -> list[SourceSprint]:
    """The sprints the items name, first-seen order: ``active`` when it is the last sprint of an
    unresolved issue (the export says no sprint's state), else ``closed``."""
    names: dict[str, str] = {}
    active: set[str] = set()
    for item in items:
        for name in item.sprints:
            names.setdefault(name, where.get(name, item.where))
        if item.sprints and item.external_id not in resolved:
            active.add(item.sprints[-1])
    return [
        SourceSprint(
            external_id=name,
            where=f"sprint {name!r} ({first})",
            name=name,
            state="active" if name in active else "closed",
        )
        for name, first in names.items()
    ]


def releases_of(items: Iterable[SourceItem], all_versions: Iterable[str]) -> list[SourceRelease]:
    """Every fix version the file names (an item's release is its last one)."""
    seen = dict.fromkeys(version for version in all_versions if version)
    for item in items:
        if item.release:
            seen.setdefault(item.release)
    return [
        SourceRelease(external_id=name, where=f"fix version {name!r}", name=name) for name in seen
    ]


def unknown_types_note(unknown: Counter[str]) -> list[str]:
    if not unknown:
        return []
    named = ", ".join(f"{name} ({count})" for name, count in unknown.most_common())
    return [f"issue types read as stories, having no kind of their own: {named}"]
