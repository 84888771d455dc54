"""What a file from another tool says, read into one shape: the bundle every reader
(``jira_csv``, ``jira_xml``, ``taiga``, ``trello``, ``github``, ``linear``) writes and the one
importer (``apply``) takes. Plain data, no Django: a reader only reads, the importer decides
what becomes what in a workspace.

Every record carries its ``external_id`` (the id the source tool gives it: ``PROJ-12``, a
Trello card's id, a GitHub issue's number), which the importer keeps with the object it makes,
so importing the same file again updates instead of duplicating; and ``where``, the place in
the file a report names when something is wrong with it (``line 14``, ``card "Pay by link"``,
``issue #31``).

Statuses stay as the source spells them (``raw``) with the category the source puts them in,
when it says one (``todo``, ``in_progress``, ``done``); the importer maps them, and a status
it cannot map is named in its report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

# The sources, as the CLI, the API and the page name them.
SOURCES = ("jira", "taiga", "trello", "github", "linear")
# How the tools spell their own names, for the report and the history.
SOURCE_NAMES = {
    "jira": "Jira",
    "taiga": "Taiga",
    "trello": "Trello",
    "github": "GitHub",
    "linear": "Linear",
}
Source = Literal["jira", "taiga", "trello", "github", "linear"]

# Where a source files a status. None: the source does not say (the importer then needs a
# mapping for it, or refuses the import naming the status).
Category = Literal["todo", "in_progress", "done", "cancelled"]

# Our kinds of item (backlog.models.ItemKind's values).
Kind = Literal["epic", "story", "task", "bug", "spike"]


@dataclass(frozen=True)
class SourcePerson:
    """Someone the file names: matched to a member by email, else invited (with an email),
    else kept as a name only (the object's author is then the importer, and the name is said
    in its history)."""

    key: str  # how records of this file refer to them: an account id, a login, an email
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class SourceStatus:
    raw: str  # as the source spells it: "In Review", "Ready for QA"
    category: Category | None = None


@dataclass(frozen=True)
class SourceComment:
    external_id: str  # unique within its item: the source's comment id, or "<item>#<n>"
    body: str  # Markdown (a reader turns the source's markup into Markdown where it can)
    author: str | None = None  # a SourcePerson.key
    created_at: dt.datetime | None = None  # aware


@dataclass(frozen=True)
class SourceItem:
    external_id: str
    where: str
    title: str
    kind: Kind = "story"
    description: str = ""  # Markdown
    status: SourceStatus = SourceStatus("", None)
    estimate: Decimal | None = None  # story points
    labels: tuple[str, ...] = ()
    acceptance_criteria: tuple[str, ...] = ()
    assignee: str | None = None  # a SourcePerson.key
    reporter: str | None = None  # the author
    watchers: tuple[str, ...] = ()
    parent: str | None = None  # another SourceItem.external_id (an epic, a story)
    sprints: tuple[str, ...] = ()  # SourceSprint.external_id, oldest first; the last is current
    release: str | None = None  # a SourceRelease.external_id (a fix version, a milestone)
    comments: tuple[SourceComment, ...] = ()
    created_at: dt.datetime | None = None  # aware
    updated_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None


@dataclass(frozen=True)
class SourceSprint:
    external_id: str
    where: str
    name: str
    state: Literal["planned", "active", "closed"] = "closed"
    start: dt.date | None = None
    end: dt.date | None = None
    goal: str = ""


@dataclass(frozen=True)
class SourceRelease:
    external_id: str
    where: str
    name: str
    description: str = ""
    target: dt.date | None = None
    state: Literal["planned", "in_progress", "live", "cancelled"] = "planned"
    released_at: dt.date | None = None


@dataclass(frozen=True)
class Unreadable:
    """A part of the file the reader could not read: it is named in the report and refuses
    the import (a dry run lists them all)."""

    where: str  # "line 14", "card 5f2a…", "issue #31"
    message: str  # what is wrong and what to fix: "the date 31/02/2026 does not exist"
    column: str = ""  # the column or field, as the file spells it


@dataclass
class Bundle:
    """A whole file, read. ``items`` are in the source's backlog order (rank, list position,
    the backlog order of Taiga): the importer keeps that order."""

    source: Source
    items: list[SourceItem] = field(default_factory=list)
    sprints: list[SourceSprint] = field(default_factory=list)
    releases: list[SourceRelease] = field(default_factory=list)
    people: list[SourcePerson] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    # What the reader found out about the file, for the report: "dates read as dd/MM/yy",
    # "story points from the column Custom field (Story Points)", "separator ;".
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadOptions:
    """What the person importing may tell a reader that the file does not say for sure."""

    # How to read dates the file writes in its exporting user's format, as a Java/Jira-style
    # pattern ("dd/MMM/yy h:mm a", "d.M.yyyy HH:mm"); None: detected from the dates themselves.
    date_format: str | None = None
    # The column or custom field that holds story points; None: detected.
    points_field: str | None = None
    # The IANA time zone dates without one are in (the exporting user's); None: UTC.
    timezone: str | None = None


class Reader(Protocol):
    """A source's reader: the file's bytes to a bundle. It never raises on a bad record (that
    goes into ``Bundle.unreadable``); only a file it cannot read at all (not JSON, not CSV, a
    missing key column) raises ``core.errors.Invalid`` naming what is wrong."""

    def __call__(self, data: bytes, options: ReadOptions) -> Bundle: ...
