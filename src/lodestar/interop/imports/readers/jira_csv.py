"""Jira Cloud's CSV export ("Export Excel CSV (all fields)") read into a bundle. No Django.

The export repeats a column for each value it holds (``Sprint``, ``Labels``, ``Comment``,
``Watchers``, ``Attachment``, ``Fix Version/s``), separates with ``,`` or ``;`` (the exporting
user's locale), quotes cells holding newlines, and writes dates in the exporting user's format
and language. A row that cannot be read is named in ``Bundle.unreadable`` with the line it
starts on and its column, and left out of ``items``; only a file without its key columns
raises.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lodestar.core.errors import FieldError, Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import (
    Bundle,
    Kind,
    ReadOptions,
    SourceComment,
    SourceItem,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers import jira_dates, jira_fields
from lodestar.interop.imports.readers.common import fit_hierarchy
from lodestar.interop.imports.readers.jira_markup import wiki_to_markdown

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
_REQUIRED = ("Issue key", "Summary")


@dataclass(frozen=True)
class _Columns:
    """Where each field is: the indexes of the columns with that header, in file order."""

    names: list[str]
    by_name: dict[str, list[int]]

    @classmethod
    def of(cls, header: Sequence[str]) -> _Columns:
        names = [name.strip() for name in header]
        by_name: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            by_name.setdefault(name.lower(), []).append(index)
        return cls(names, by_name)

    def all(self, *names: str) -> list[int]:
        return [index for name in names for index in self.by_name.get(name.lower(), [])]

    def one(self, *names: str) -> int | None:
        found = self.all(*names)
        return found[0] if found else None


def read_jira_csv(text: str, options: ReadOptions, zone: dt.tzinfo) -> Bundle:
    """The bundle of a Jira CSV export's text (already decoded)."""
    bundle = Bundle(source="jira")
    if not text.strip():
        raise Invalid.field(
            "file",
            "The file is empty: export the issues from Jira as CSV.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        )
    separator = _separator(text)
    if separator != ",":
        bundle.notes.append(f"separator {separator}")
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=separator)
    header = next(reader)
    columns = _Columns.of(header)
    missing = [name for name in _REQUIRED if columns.one(name) is None]
    if missing:
        raise Invalid.fields(
            [
                FieldError(
                    name,
                    f"The file has no {name!r} column: export the issues from Jira with "
                    "'Export Excel CSV (all fields)', which writes Issue key and Summary.",
                )
                for name in missing
            ],
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        )
    width = len(header)
    records: list[tuple[int, list[str]]] = []
    short: list[tuple[int, int]] = []  # (line, cells) of rows with fewer cells than the header
    previous = last = reader.line_num
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not any(record) or not "".join(record).strip():
                continue
            last = start
            if len(record) < width:
                short.append((start, len(record)))
                continue
            records.append((start, record))
    except csv.Error as error:
        bundle.unreadable.append(
            Unreadable(f"line {previous + 1}", f"the CSV cannot be read there: {error}")
        )
    if text.count('"') % 2 and records and records[-1][0] == last:
        # The file ends inside a quoted cell: its last row is cut, even when it has every cell.
        records.pop()
        bundle.unreadable.append(
            Unreadable(
                f"line {last}",
                "the file ends inside a quoted cell of this row: it was cut short; export it again",
            )
        )
    for start, cells in short:
        cut = " (the file may be cut short)" if start == last else ""
        bundle.unreadable.append(
            Unreadable(
                f"line {start}", f"the row has {cells} of the {width} columns of the header{cut}"
            )
        )
    _Rows(columns, options, zone, bundle).read(records)
    return bundle


def _separator(text: str) -> str:
    """``,`` or ``;``, whichever the header (quoted parts left out) holds more of."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    bare = re.sub(r'"[^"]*"', "", first)
    return ";" if bare.count(";") > bare.count(",") else ","


class _Rows:
    """The second pass over the records, once the date format and the columns are known."""

    def __init__(
        self, columns: _Columns, options: ReadOptions, zone: dt.tzinfo, bundle: Bundle
    ) -> None:
        self.columns = columns
        self.options = options
        self.zone = zone
        self.bundle = bundle
        self.people = jira_fields.People()
        self.unknown_types: Counter[str] = Counter()

    def read(self, records: list[tuple[int, list[str]]]) -> None:
        c = self.columns
        key, summary = c.all("Issue key")[0], c.all("Summary")[0]  # checked by the caller
        issue_id = c.one("Issue id")
        issue_type = c.one("Issue Type")
        status, category = c.one("Status"), c.one("Status Category")
        created, updated, resolved = c.one("Created"), c.one("Updated"), c.one("Resolved")
        description = c.one("Description")
        comments, attachments = c.all("Comment"), c.all("Attachment")
        labels, sprints, versions = c.all("Labels"), c.all("Sprint"), c.all("Fix Version/s")
        rank = c.one("Custom field (Rank)", "Rank")
        epic_link = c.one("Custom field (Epic Link)", "Epic Link")
        parent_columns = c.all("Parent id", "Parent", "Parent key")
        parent_summary = c.one("Parent summary")
        criteria = [i for i, name in enumerate(c.names) if "acceptance criteria" in name.lower()]
        person_columns = [
            (c.one(name), c.one(f"{name} Id")) for name in ("Assignee", "Reporter", "Creator")
        ]
        watchers, watcher_ids = c.all("Watchers"), c.all("Watchers Id")
        points_column = self._points_column(records)
        parse_date = self._date_parser(records, [created, updated, resolved], comments)
        if issue_type is None:
            self.bundle.notes.append("the file has no Issue Type column: every issue is a story")
        if category is None and status is not None:
            self.bundle.notes.append(
                "the file has no Status Category column: every status needs a mapping"
            )

        watcher_pairs = list(itertools.zip_longest(watchers, watcher_ids))
        # Every record gets one empty cell more, where the columns the file lacks point.
        blank = len(c.names)

        def at(index: int | None) -> int:
            return blank if index is None else index

        status_at, category_at, type_at = at(status), at(category), at(issue_type)
        description_at, rank_at = at(description), at(rank)
        person_at = [(at(name), at(account)) for name, account in person_columns]
        watcher_at = [(at(name), at(account)) for name, account in watcher_pairs]

        rows: list[tuple[int, list[str], str]] = []
        keys_by_id: dict[str, str] = {}
        keys_by_summary: dict[str, list[str]] = {}
        first_line: dict[str, int] = {}
        for start, record in records:
            if len(record) > blank:
                del record[blank:]
            record.append("")
            issue = record[key].strip()
            if not issue:
                self._bad(start, "the row has no issue key", "Issue key")
                continue
            if issue in first_line:
                self._bad(
                    start, f"{issue} is in the file twice (first on line {first_line[issue]})"
                )
                continue
            first_line[issue] = start
            rows.append((start, record, issue))
            if issue_id is not None and record[issue_id].strip():
                keys_by_id[record[issue_id].strip()] = issue
            keys_by_summary.setdefault(record[summary].strip(), []).append(issue)

        # Statuses and kinds repeat: each is made once (they are frozen, so shared).
        statuses: dict[tuple[str, str], SourceStatus] = {}
        kinds: dict[str, Kind] = {} if issue_type is not None else {"": "story"}
        types: Counter[str] = Counter()
        ranked: list[tuple[str | None, SourceItem]] = []
        resolved_keys: set[str] = set()
        several_versions = 0
        all_versions: list[str] = []
        unresolved_parents: list[str] = []
        for start, record, issue in rows:
            errors: list[Unreadable] = []
            where = f"line {start}"

            title = record[summary].strip()
            if not title:
                errors.append(Unreadable(where, f"{issue} has no summary", "Summary"))
            estimate = None
            if points_column is not None:
                try:
                    estimate = jira_fields.points(record[points_column])
                except ValueError as error:
                    errors.append(Unreadable(where, f"{issue}: {error}", c.names[points_column]))
            item_comments: list[SourceComment] = []
            number = 0
            for index in comments:
                text = record[index]
                if not text or text.isspace():
                    continue
                number += 1
                comment = self._comment(text, issue, number, parse_date)
                if isinstance(comment, str):
                    errors.append(Unreadable(where, f"{issue}: {comment}", "Comment"))
                else:
                    item_comments.append(comment)
            created_at = self._date(record, issue, where, created, errors, parse_date)
            updated_at = self._date(record, issue, where, updated, errors, parse_date)
            resolved_at = self._date(record, issue, where, resolved, errors, parse_date)
            if errors:
                self.bundle.unreadable.extend(errors)
                continue

            add = self.people.add
            people = [add(record[n], record[i]) for n, i in person_at]
            watched = [
                person for person in (add(record[n], record[i]) for n, i in watcher_at) if person
            ]
            status_cells = (record[status_at].strip(), record[category_at].strip())
            item_status = statuses.get(status_cells)
            if item_status is None:
                item_status = SourceStatus(
                    status_cells[0], jira_fields.category_of(status_cells[1])
                )
                statuses[status_cells] = item_status
            type_name = record[type_at].strip()
            kind = kinds.get(type_name)
            if kind is None:
                kind = kinds[type_name] = jira_fields.kind_of(type_name, self.unknown_types)
            types[type_name] += 1
            fix_versions = _filled(record, versions)
            several_versions += len(fix_versions) > 1
            all_versions.extend(fix_versions)
            parent = self._parent(
                record, parent_columns, epic_link, parent_summary, keys_by_id, keys_by_summary
            )
            if parent is None and any(record[i].strip() for i in parent_columns):
                unresolved_parents.append(issue)
            text = wiki_to_markdown(record[description_at].strip())
            links = [self._attachment(record[i]) for i in attachments if record[i].strip()]
            if links:
                text = (text + "\n\n" if text else "") + "Attachments:\n\n" + "\n".join(links)
            item = SourceItem(
                external_id=issue,
                where=where,
                title=title,
                kind=kind,
                description=text,
                status=item_status,
                estimate=estimate,
                labels=tuple(dict.fromkeys(_filled(record, labels))),
                acceptance_criteria=tuple(
                    line for i in criteria for line in _criteria(record[i]) if line
                ),
                assignee=people[0],
                reporter=people[1] or people[2],
                watchers=tuple(dict.fromkeys(watched)),
                parent=parent,
                sprints=tuple(dict.fromkeys(_filled(record, sprints))),
                release=fix_versions[-1] if fix_versions else None,
                comments=tuple(item_comments),
                created_at=created_at,
                updated_at=updated_at,
                resolved_at=resolved_at,
            )
            if resolved_at is not None or item_status.category == "done":
                resolved_keys.add(issue)
            ranked.append((record[rank_at].strip() or None, item))

        for name in self.unknown_types:  # counted once each above: now every row
            self.unknown_types[name] = types["" if name == "(none)" else name]
        self._finish(ranked, resolved_keys, all_versions, several_versions, unresolved_parents)
        self.bundle.notes.append(
            "backlog order from Custom field (Rank)" if rank is not None else "backlog order: file"
        )

    def _finish(
        self,
        ranked: list[tuple[str | None, SourceItem]],
        resolved_keys: set[str],
        all_versions: list[str],
        several_versions: int,
        unresolved_parents: list[str],
    ) -> None:
        bundle = self.bundle
        bundle.items = jira_fields.ordered(ranked)
        fit_hierarchy(bundle)
        bundle.sprints = jira_fields.sprints_of(bundle.items, resolved_keys, {})
        bundle.releases = jira_fields.releases_of(bundle.items, all_versions)
        bundle.people = self.people.all()
        if bundle.sprints:
            bundle.notes.append(
                "sprints have no dates in a CSV export: each is named only, active when it is "
                "the last sprint of an unresolved issue, closed otherwise"
            )
        if several_versions:
            bundle.notes.append(
                f"{several_versions} issue{'s have' if several_versions != 1 else ' has'} several "
                "fix versions: the last is the release"
            )
        if unresolved_parents:
            shown = ", ".join(unresolved_parents[:10])
            bundle.notes.append(
                f"parents named by an id that is not in the file are left out: {shown}"
            )
        bundle.notes.extend(jira_fields.unknown_types_note(self.unknown_types))

    def _date(
        self,
        record: list[str],
        issue: str,
        where: str,
        index: int | None,
        errors: list[Unreadable],
        parse_date: Callable[[str], dt.datetime],
    ) -> dt.datetime | None:
        """The date in a cell (None when empty), or None with what is wrong in ``errors``."""
        value = record[index].strip() if index is not None else ""
        if not value or index is None:
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            errors.append(Unreadable(where, f"{issue}: {error}", self.columns.names[index]))
            return None

    def _bad(self, start: int, message: str, column: str = "") -> None:
        self.bundle.unreadable.append(Unreadable(f"line {start}", message, column))

    def _points_column(self, records: list[tuple[int, list[str]]]) -> int | None:
        names = self.columns.names
        wanted = self.options.points_field
        if wanted:
            found = self.columns.one(wanted, f"Custom field ({wanted})")
            if found is None:
                numbers = [n for n in names if n.lower().startswith("custom field")]
                raise Invalid.field(
                    "points_field",
                    f"The file has no column {wanted!r}; its custom fields are: "
                    f"{', '.join(dict.fromkeys(numbers)) or 'none'}.",
                    code=InteropErrorCode.IMPORT_FILE_INVALID,
                )
            self.bundle.notes.append(f"story points from the column {names[found]} (given)")
            return found
        candidates = [i for i, name in enumerate(names) if jira_fields.is_points_name(name)]
        if not candidates:
            self.bundle.notes.append("no story points column")
            return None

        def filled(index: int) -> int:
            return sum(1 for _, record in records if record[index].strip())

        chosen = max(candidates, key=filled)  # the first of the fullest
        self.bundle.notes.append(f"story points from the column {names[chosen]}")
        return chosen

    def _date_parser(
        self,
        records: list[tuple[int, list[str]]],
        date_columns: list[int | None],
        comments: list[int],
    ) -> Callable[[str], dt.datetime]:
        if self.options.date_format:
            try:
                fmt = jira_dates.compile_format(self.options.date_format)
            except ValueError as error:
                raise Invalid.field(
                    "date_format", str(error), code=InteropErrorCode.IMPORT_FILE_INVALID
                ) from None
            self.bundle.notes.append(f"dates read as {fmt.pattern} (given)")
        else:
            indexes = [i for i in date_columns if i is not None]
            values = [record[i] for _, record in records for i in indexes]
            values += [
                record[i].split(";", 1)[0]
                for _, record in records
                for i in comments
                if ";" in record[i]
            ]
            detected = jira_dates.detect_format(values)
            self.bundle.notes.append(detected.note)
            if detected.format is None:

                def unread(value: str) -> dt.datetime:
                    raise ValueError(
                        f"{value.strip()!r} is not a date this reader can read: give the "
                        "file's date format"
                    )

                return unread
            fmt = detected.format
        parse, zone = fmt.parse, self.zone
        # Exports repeat times (Updated and Resolved, a comment and its issue's update).
        seen: dict[str, dt.datetime] = {}

        def parse_date(value: str) -> dt.datetime:
            at = seen.get(value)
            if at is None:
                at = parse(value)
                if at.tzinfo is None:
                    at = at.replace(tzinfo=zone)
                if len(seen) >= 50_000:
                    seen.clear()
                seen[value] = at
            return at

        return parse_date

    def _comment(
        self, text: str, issue: str, number: int, parse_date: Callable[[str], dt.datetime]
    ) -> SourceComment | str:
        """A ``date;author-account-id;body`` cell as a comment, or what is wrong with it."""
        parts = text.split(";", 2)
        if len(parts) < 3:
            return SourceComment(f"{issue}#{number}", wiki_to_markdown(text.strip()))
        when, author, body = parts
        try:
            created_at = parse_date(when)
        except ValueError as error:
            return f"comment {number}: {error}"
        return SourceComment(
            external_id=f"{issue}#{number}",
            body=wiki_to_markdown(body.strip()),
            author=self.people.add("", author),
            created_at=created_at,
        )

    @staticmethod
    def _attachment(text: str) -> str:
        """A ``date;author;file name;url`` cell as a Markdown link."""
        parts = text.strip().split(";", 3)
        if len(parts) == 4 and parts[3].startswith(("http://", "https://")):
            return f"- [{parts[2].strip() or parts[3]}]({parts[3].strip()})"
        return f"- {text.strip()}"

    @staticmethod
    def _parent(
        record: list[str],
        parent_columns: list[int],
        epic_link: int | None,
        parent_summary: int | None,
        keys_by_id: dict[str, str],
        keys_by_summary: dict[str, list[str]],
    ) -> str | None:
        """The parent's key: from ``Parent id``/``Parent`` (an id, resolved to a key through the
        file's ``Issue id`` column, or a key), else the epic link, else the one issue with the
        ``Parent summary``."""
        for index in parent_columns:
            value = record[index].strip()
            if _KEY.match(value):
                return value
            if value in keys_by_id:
                return keys_by_id[value]
        if epic_link is not None and record[epic_link].strip():
            return record[epic_link].strip()
        if parent_summary is not None and record[parent_summary].strip():
            found = keys_by_summary.get(record[parent_summary].strip(), [])
            if len(found) == 1:
                return found[0]
        return None


def _filled(record: list[str], indexes: list[int]) -> list[str]:
    """The cells of repeated columns that hold something, stripped, in column order."""
    return [value for value in (record[i].strip() for i in indexes) if value]


def _criteria(text: str) -> list[str]:
    return [
        wiki_to_markdown(re.sub(r"^\s*(?:[*#-]+|\d+[.)])\s+", "", line)).strip()
        for line in text.splitlines()
    ]
