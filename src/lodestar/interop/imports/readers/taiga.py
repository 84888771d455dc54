"""Taiga's project export (the JSON file "Export project" writes) -> a bundle.

Epics become epics, user stories stories (their parent the first epic they are related to),
tasks tasks under their story, issues bugs; milestones become sprints. A story's points are
the sum of its points per role, each the value of the points it names. A status's category
comes from its list: closed -> done, the first by order -> todo, the others in progress.
Comments are the history entries that carry one (deleted ones left out). Items come epics
first, then the stories in the backlog's order, then the tasks, then the issues.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lodestar.interop.imports.bundle import (
    Bundle,
    Category,
    Kind,
    ReadOptions,
    SourceComment,
    SourceItem,
    SourceSprint,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers.common import (
    People,
    category_of,
    each,
    fit_hierarchy,
    invalid_file,
    labels_of,
    load_json,
    parse_date,
    parse_datetime,
    parse_decimal,
    shown,
    sprint_state,
    text_of,
    titled,
)

WHAT = "a Taiga project export (the JSON file Taiga's “Export project” writes)"


def read_taiga(data: bytes, options: ReadOptions) -> Bundle:
    project = load_json(data, what=WHAT)
    if not isinstance(project, dict) or not any(
        key in project for key in ("user_stories", "epics", "tasks", "issues")
    ):
        raise invalid_file(
            "The file is JSON but not a Taiga project export: it has no `user_stories`, "
            "`epics`, `tasks` or `issues`. Export the project from Taiga's project settings "
            "(Project -> Export) and import that file."
        )
    return _Reader(project).read()


class _Reader:
    def __init__(self, project: dict[str, Any]) -> None:
        self.project = project
        self.bundle = Bundle(source="taiga")
        self.people = People()
        self.statuses = {
            kind: _categories(project.get(key))
            for kind, key in (
                ("epic", "epic_statuses"),
                ("story", "us_statuses"),
                ("task", "task_statuses"),
                ("bug", "issue_statuses"),
            )
        }
        self.points: dict[str, Decimal | None] = {}
        for points in each(project.get("points")):
            if isinstance(points, dict) and "name" in points:
                try:
                    self.points[str(points["name"])] = parse_decimal(points.get("value"))
                except ValueError:
                    self.points[str(points["name"])] = None
        self.sprint_names: set[str] = set()
        self.refs: set[str] = set()
        # Refs count from 1 in every Taiga project: the project's slug keeps two projects'
        # items apart in one workspace ("checkout#12").
        self.slug = text_of(project.get("slug"))

    def key(self, ref: object) -> str:
        return f"{self.slug}#{ref}" if self.slug else str(ref)

    def sprint_key(self, name: str) -> str:
        return f"{self.slug}/{name}" if self.slug else name

    def read(self) -> Bundle:
        for membership in each(self.project.get("memberships")):
            if isinstance(membership, dict):
                email = text_of(membership.get("user")) or text_of(membership.get("email"))
                self.people.add(email.lower(), email=email)
        self._sprints()
        epic_of: dict[str, str] = {}
        epics = self._records("epics", "epic", order="epics_order")
        for epic in epics:
            for related in each(epic.get("related_user_stories")):
                if isinstance(related, dict) and related.get("user_story") is not None:
                    epic_of.setdefault(str(related["user_story"]), str(epic.get("ref")))
        stories = self._records("user_stories", "user story", order="backlog_order")
        story_order = {str(story.get("ref")): index for index, story in enumerate(stories)}
        tasks = self._records("tasks", "task", order="us_order")
        tasks.sort(key=lambda task: story_order.get(str(task.get("user_story")), len(stories)))
        issues = self._records("issues", "issue", order="ref")

        for kind, label, records in (
            ("epic", "epic", epics),
            ("story", "user story", stories),
            ("task", "task", tasks),
            ("bug", "issue", issues),
        ):
            for record in records:
                self._item(record, kind, label, epic_of)  # type: ignore[arg-type]

        counts = {
            label: len(records)
            for label, records in (
                ("epics", epics),
                ("user stories", stories),
                ("tasks", tasks),
                ("issues", issues),
            )
        }
        self.bundle.notes.append(
            "Read "
            + ", ".join(f"{count} {label}" for label, count in counts.items())
            + f" and {len(self.bundle.sprints)} milestones (as sprints); issues become bugs; "
            "points per role are summed."
        )
        self.bundle.people = self.people.all()
        fit_hierarchy(self.bundle)
        return self.bundle

    def _records(self, key: str, label: str, *, order: str) -> list[dict[str, Any]]:
        """The records of one list that are objects, in the order ``order`` gives (the
        file's where it gives none); the others are named as unreadable."""
        records: list[tuple[int, float, dict[str, Any]]] = []
        for index, record in enumerate(each(self.project.get(key))):
            if not isinstance(record, dict):
                self.bundle.unreadable.append(
                    Unreadable(
                        f"{label} {index + 1} of `{key}`",
                        f"expected an object, got {shown(record)}",
                    )
                )
                continue
            position = record.get(order)
            rank = float(position) if isinstance(position, int | float) else float("inf")
            records.append((index, rank, record))
        records.sort(key=lambda entry: (entry[1], entry[0]))
        return [record for _, _, record in records]

    def _sprints(self) -> None:
        for index, milestone in enumerate(each(self.project.get("milestones"))):
            name = text_of(milestone.get("name")) if isinstance(milestone, dict) else ""
            where = titled("milestone", name) if name else f"milestone {index + 1}"
            if not isinstance(milestone, dict) or not name:
                self.bundle.unreadable.append(Unreadable(where, "A milestone needs a name."))
                continue
            try:
                start = parse_date(milestone.get("estimated_start"))
                end = parse_date(milestone.get("estimated_finish"))
            except ValueError as error:
                self.bundle.unreadable.append(Unreadable(where, str(error), "estimated_start"))
                continue
            state = sprint_state(start, end, closed=bool(milestone.get("closed")))
            self.sprint_names.add(name)
            self.bundle.sprints.append(
                SourceSprint(
                    external_id=self.sprint_key(name),
                    where=where,
                    name=name,
                    state=state,
                    start=start,
                    end=end,
                )
            )

    def _item(
        self, record: dict[str, Any], kind: Kind, label: str, epic_of: dict[str, str]
    ) -> None:
        ref = record.get("ref")
        where = f"{label} #{ref}" if ref is not None else f"{label} without a ref"
        subject = text_of(record.get("subject"))
        problems: list[Unreadable] = []
        if not isinstance(ref, int) or isinstance(ref, bool):
            problems.append(Unreadable(where, "It has no number (`ref`).", "ref"))
        elif str(ref) in self.refs:
            problems.append(Unreadable(where, f"The number #{ref} is used twice.", "ref"))
        if not subject:
            problems.append(Unreadable(where, "It has no subject.", "subject"))

        def date(field: str) -> dt.datetime | None:
            try:
                return parse_datetime(record.get(field))
            except ValueError as error:
                problems.append(Unreadable(where, str(error), field))
                return None

        created, updated = date("created_date"), date("modified_date")
        resolved = date("finish_date" if kind == "story" else "finished_date")
        estimate = self._estimate(record, where, problems) if kind == "story" else None
        comments = self._comments(record, where, problems)
        if problems:
            self.bundle.unreadable.extend(problems)
            return
        self.refs.add(str(ref))

        parent: str | None = None
        if kind == "story" and str(ref) in epic_of:
            parent = self.key(epic_of[str(ref)])
        elif kind == "task" and record.get("user_story") is not None:
            parent = self.key(record["user_story"])
        milestone = text_of(record.get("milestone"))
        status = text_of(record.get("status"))
        self.bundle.items.append(
            SourceItem(
                external_id=self.key(ref),
                where=where,
                title=subject,
                kind=kind,
                description=text_of(record.get("description")),
                status=SourceStatus(status, self.statuses[kind].get(status)),
                estimate=estimate,
                labels=labels_of(map(_tag_name, each(record.get("tags")))),
                assignee=self._person(record.get("assigned_to")),
                reporter=self._person(record.get("owner")),
                watchers=tuple(
                    key for key in map(self._person, each(record.get("watchers"))) if key
                ),
                parent=parent,
                sprints=(self.sprint_key(milestone),) if milestone in self.sprint_names else (),
                comments=comments,
                created_at=created,
                updated_at=updated,
                resolved_at=resolved,
            )
        )

    def _person(self, email: object) -> str | None:
        text = text_of(email)
        return self.people.add(text.lower(), email=text) if "@" in text else None

    def _estimate(
        self, record: dict[str, Any], where: str, problems: list[Unreadable]
    ) -> Decimal | None:
        total: Decimal | None = None
        for role_points in each(record.get("role_points")):
            if not isinstance(role_points, dict):
                continue
            name = str(role_points.get("points"))
            if name not in self.points:
                problems.append(
                    Unreadable(
                        where,
                        f"The points {shown(name)} (role {shown(role_points.get('role'))}) "
                        "are not in the project's `points`.",
                        "role_points",
                    )
                )
                continue
            value = self.points[name]
            if value is not None:
                total = (total or Decimal(0)) + value
        return total

    def _comments(
        self, record: dict[str, Any], where: str, problems: list[Unreadable]
    ) -> tuple[SourceComment, ...]:
        comments: list[SourceComment] = []
        for entry in each(record.get("history")):
            if not isinstance(entry, dict) or entry.get("delete_comment_date"):
                continue
            body = text_of(entry.get("comment"))
            if not body:
                continue
            user = entry.get("user")
            author = None
            if isinstance(user, list) and user and isinstance(user[0], str) and "@" in user[0]:
                name = user[1] if len(user) > 1 and isinstance(user[1], str) else ""
                author = self.people.add(user[0].lower(), email=user[0], name=name)
            try:
                created = parse_datetime(entry.get("created_at"))
            except ValueError as error:
                problems.append(Unreadable(where, f"a comment's date: {error}", "history"))
                continue
            comments.append(SourceComment("", body, author, created))
        comments.sort(key=_comment_time)
        # The export gives a comment no id: its time (and author) name it, so a comment
        # deleted or added in Taiga leaves the others' ids as they were.
        return tuple(
            SourceComment(
                _comment_id(comment, number), comment.body, comment.author, comment.created_at
            )
            for number, comment in enumerate(comments, start=1)
        )


def _tag_name(tag: object) -> str:
    """A tag as the export writes it: ``[name, colour]`` (or a bare name)."""
    if isinstance(tag, list) and tag:
        tag = tag[0]
    return tag if isinstance(tag, str) else ""


def _comment_id(comment: SourceComment, number: int) -> str:
    if comment.created_at is None:
        return f"#{number}"
    moment = comment.created_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{moment} {comment.author or ''}".strip()


def _comment_time(comment: SourceComment) -> dt.datetime:
    return comment.created_at or dt.datetime.min.replace(tzinfo=dt.UTC)


def _categories(statuses: object) -> dict[str, Category]:
    """A status list's names -> their category: closed -> done (cancelled when its name
    says so: "Rejected"), the first open one by order -> todo, the other open ones in
    progress."""
    listed = [
        status for status in each(statuses) if isinstance(status, dict) and status.get("name")
    ]
    listed.sort(key=_order)
    categories: dict[str, Category] = {}
    first_open = True
    for status in listed:
        name = str(status["name"])
        if status.get("is_closed"):
            categories[name] = "cancelled" if category_of(name) == "cancelled" else "done"
        elif first_open:
            categories[name] = "todo"
            first_open = False
        else:
            categories[name] = "in_progress"
    return categories


def _order(status: dict[str, Any]) -> float:
    order = status.get("order")
    return float(order) if isinstance(order, int | float) else float("inf")
