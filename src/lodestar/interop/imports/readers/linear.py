"""Linear's CSV export (Settings -> Import / Export -> Export CSV) -> a bundle.

Each line is an issue, kept in the file's order. Its status keeps Linear's name; the category
comes from the name when it says one (Backlog, Todo, In Progress, In Review, Done, Canceled,
Duplicate), else from the dates Linear records when an issue moves between kinds of status
(Canceled -> cancelled, Completed -> done, Started -> in progress, none -> todo). Cycles become
sprints (numbered per team, with their dates). Projects are closer to our epics than to
releases (a body of work with issues in it, not a shipped version): each project becomes an
epic, the parent of its issues; a sub-issue's parent is its parent issue and it becomes a task.
Creator and Assignee are names or emails; emails are matched to members. Dates without an
offset are in ``ReadOptions.timezone`` (UTC when none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lodestar.interop.imports.bundle import (
    Bundle,
    Category,
    Kind,
    ReadOptions,
    SourceItem,
    SourceSprint,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers.common import (
    CsvRow,
    People,
    category_of,
    fit_hierarchy,
    kind_from_labels,
    labels_of,
    load_csv,
    parse_date,
    parse_datetime,
    parse_decimal,
    sprint_state,
    time_zone,
    titled,
)

WHAT = "Linear's CSV export (Settings -> Import / Export -> Export CSV)"
REQUIRED = ("ID", "Title")

_PROJECT_STATUS: dict[Category, SourceStatus] = {
    "todo": SourceStatus("Planned", "todo"),
    "in_progress": SourceStatus("In Progress", "in_progress"),
    "done": SourceStatus("Completed", "done"),
    "cancelled": SourceStatus("Canceled", "cancelled"),
}


@dataclass
class _Project:
    external_id: str
    name: str
    line: int
    categories: list[Category | None] = field(default_factory=list)
    created: dt.datetime | None = None


def read_linear(data: bytes, options: ReadOptions) -> Bundle:
    zone = time_zone(options.timezone)
    header, rows = load_csv(data, what=WHAT, required=REQUIRED)
    reader = _Reader(zone)
    for row in rows:
        reader.row(row)
    return reader.finish(header)


class _Reader:
    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone
        self.bundle = Bundle(source="linear")
        self.people = People()
        self.ids: set[str] = set()
        self.projects: dict[str, _Project] = {}
        self.sprints: dict[str, SourceSprint] = {}
        self.issues: list[SourceItem] = []
        self.archived = 0

    def row(self, row: CsvRow) -> None:
        where = f"line {row.line}"
        problems: list[Unreadable] = []
        key, title = row.get("ID"), row.get("Title")
        if not key:
            problems.append(Unreadable(where, "The issue has no ID.", "ID"))
        elif key in self.ids:
            problems.append(Unreadable(where, f"The issue {key} is in the file twice.", "ID"))
        if not title:
            problems.append(Unreadable(where, "The issue has no title.", "Title"))

        def moment(column: str) -> dt.datetime | None:
            try:
                return parse_datetime(row.get(column), zone=self.zone)
            except ValueError as error:
                problems.append(Unreadable(where, str(error), column))
                return None

        created, updated = moment("Created"), moment("Updated")
        started, completed, canceled = moment("Started"), moment("Completed"), moment("Canceled")
        archived = moment("Archived")
        try:
            estimate = parse_decimal(row.get("Estimate"))
        except ValueError as error:
            problems.append(Unreadable(where, str(error), "Estimate"))
            estimate = None
        sprint = self._cycle(row, where, problems)
        if problems:
            self.bundle.unreadable.extend(problems)
            return
        self.ids.add(key)
        self.archived += archived is not None

        name = row.get("Status")
        category = category_of(name) or (
            "cancelled"
            if canceled
            else "done"
            if completed
            else "in_progress"
            if started
            else "todo"
        )
        labels = labels_of(row.get("Labels").split(","))
        parent = row.get("Parent issue") or None
        kind: Kind = kind_from_labels(labels)  # under a parent, fitted at the end
        project = self._project(row, category, created)
        self.issues.append(
            SourceItem(
                external_id=key,
                where=where,
                title=title,
                kind=kind,
                description=row.get("Description"),
                status=SourceStatus(name, category),
                estimate=estimate,
                labels=labels,
                assignee=self.people.add_name_or_email(row.get("Assignee")),
                reporter=self.people.add_name_or_email(row.get("Creator")),
                parent=parent or project,
                sprints=(sprint,) if sprint else (),
                created_at=created,
                updated_at=updated,
                resolved_at=completed or canceled,
            )
        )

    def _cycle(self, row: CsvRow, where: str, problems: list[Unreadable]) -> str | None:
        number = row.get("Cycle Number")
        if not number:
            return None
        key = f"{row.get('Team')}#{number}" if row.get("Team") else number
        if key in self.sprints:
            return key
        try:
            start = parse_date(row.get("Cycle Start"), zone=self.zone)
            end = parse_date(row.get("Cycle End"), zone=self.zone)
        except ValueError as error:
            problems.append(Unreadable(where, f"its cycle {number}: {error}", "Cycle Start"))
            return None
        name = row.get("Cycle Name") or f"Cycle {number}"
        self.sprints[key] = SourceSprint(
            external_id=key,
            where=titled(f"cycle {number} of team", row.get("Team")),
            name=name,
            state=sprint_state(start, end),
            start=start,
            end=end,
        )
        return key

    def _project(
        self, row: CsvRow, category: Category | None, created: dt.datetime | None
    ) -> str | None:
        name = row.get("Project")
        if not name:
            return None
        key = f"project:{row.get('Project ID') or name}"
        project = self.projects.get(key)
        if project is None:
            project = self.projects[key] = _Project(key, name, row.line)
        project.categories.append(category)
        if created and (project.created is None or created < project.created):
            project.created = created
        return key

    def finish(self, header: list[str]) -> Bundle:
        epics = [
            SourceItem(
                external_id=project.external_id,
                where=titled("project", project.name),
                title=project.name,
                kind="epic",
                status=_PROJECT_STATUS[_project_category(project.categories)],
                created_at=project.created,
            )
            for project in self.projects.values()
        ]
        self.bundle.items = epics + self.issues
        self.bundle.sprints = list(self.sprints.values())
        self.bundle.people = self.people.all()
        self.bundle.notes.append(
            f"Read {len(self.issues)} issues ({self.archived} archived), {len(epics)} projects "
            f"(as epics, each the parent of its issues) and {len(self.sprints)} cycles (as "
            "sprints); the file's order is the backlog's."
        )
        if "Cycle Number" not in header:
            self.bundle.notes.append("The file has no `Cycle Number` column: no sprints.")
        fit_hierarchy(self.bundle)
        return self.bundle


def _project_category(categories: list[Category | None]) -> Category:
    """A project's status from its issues': all cancelled -> cancelled, all finished ->
    done, any started or finished -> in progress, else todo."""
    said = set(categories)
    if said == {"cancelled"}:
        return "cancelled"
    if said <= {"done", "cancelled"}:
        return "done"
    if said & {"in_progress", "done"}:
        return "in_progress"
    return "todo"
