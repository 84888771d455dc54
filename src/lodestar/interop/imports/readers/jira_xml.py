"""Jira's XML export of an issue search (``<rss><channel><item>``) read into a bundle, one
``<item>`` at a time so a large file never holds its whole tree. No Django.

Parsed with ``defusedxml``: a document type declaration, an entity or an external reference is
refused before anything is expanded, and so is XML that breaks off; an item that cannot be
read is named in ``Bundle.unreadable`` (``issue PROJ-12``) and left out of ``items``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
from collections import Counter
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import iterparse

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import (
    Bundle,
    ReadOptions,
    SourceComment,
    SourceItem,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers import jira_dates, jira_fields
from lodestar.interop.imports.readers.jira_markup import html_to_markdown

_NOBODY = {"", "-1"}  # the account id Jira writes for "Unassigned"


def read_jira_xml(data: bytes, options: ReadOptions, zone: dt.tzinfo) -> Bundle:
    """The bundle of a Jira XML export's bytes."""
    reader = _Reader(options, zone)
    channel: Element | None = None
    seen_rss = False
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if element.tag == "rss":
                    seen_rss = True
                elif element.tag == "channel":
                    channel = element
                continue
            if element.tag == "item" and channel is not None:
                reader.item(element)
                channel.remove(element)  # read: let it go
    except defusedxml.DefusedXmlException as error:
        raise Invalid.field(
            "file",
            f"The XML declares a document type, entities or external references ({error}), "
            "which a Jira export never does: this file is refused unread.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        ) from None
    except ParseError as error:
        line, column = error.position
        raise Invalid.field(
            "file",
            f"The XML cannot be read at line {line}, column {column + 1} "
            f"({str(error).split(':')[0]}): the "
            "file may be cut short; export it from Jira again.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        ) from None
    if not seen_rss or channel is None:
        raise Invalid.field(
            "file",
            "This XML is not a Jira issue export: Jira's XML export is <rss> with a <channel> "
            "holding an <item> for each issue.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        )
    return reader.finish()


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


class _Reader:
    def __init__(self, options: ReadOptions, zone: dt.tzinfo) -> None:
        self.options = options
        self.zone = zone
        self.bundle = Bundle(source="jira")
        self.people = jira_fields.People()
        self.unknown_types: Counter[str] = Counter()
        self.ranked: list[tuple[str | None, SourceItem]] = []
        self.resolved: set[str] = set()
        self.seen: set[str] = set()
        self.points_fields: Counter[str] = Counter()
        self.count = 0
        self.versions: list[str] = []

    def item(self, element: Element) -> None:
        self.count += 1
        key = _text(element.find("key"))
        where = f"issue {key}" if key else f"item {self.count}"
        errors: list[Unreadable] = []
        if not key:
            errors.append(Unreadable(where, "the item has no <key>", "key"))
        elif key in self.seen:
            errors.append(Unreadable(where, f"{key} is in the file twice", "key"))
        self.seen.add(key)
        title = _text(element.find("summary"))
        if not title:
            errors.append(Unreadable(where, f"{key or where} has no <summary>", "summary"))

        def date(text: str, name: str) -> dt.datetime | None:
            if not text:
                return None
            try:
                return jira_dates.aware(email.utils.parsedate_to_datetime(text), self.zone)
            except (TypeError, ValueError, IndexError):
                errors.append(
                    Unreadable(
                        where,
                        f"{key}: {text[:40]!r} is not a date as Jira writes them "
                        "(Thu, 12 Mar 2026 15:04:00 +0000)",
                        name,
                    )
                )
                return None

        created = date(_text(element.find("created")), "created")
        updated = date(_text(element.find("updated")), "updated")
        resolved = date(_text(element.find("resolved")), "resolved")
        fields = self._custom_fields(element)
        estimate = self._points(fields, key, where, errors)
        comments = []
        for number, comment in enumerate(element.iterfind("comments/comment"), start=1):
            comments.append(
                SourceComment(
                    external_id=comment.get("id") or f"{key}#{number}",
                    body=html_to_markdown(comment.text or ""),
                    author=self.people.add("", comment.get("author") or ""),
                    created_at=date(comment.get("created") or "", "comment"),
                )
            )
        if errors:
            self.bundle.unreadable.extend(errors)
            return

        status = element.find("status")
        category_element = element.find("statusCategory")
        category_name = (status.get("statusCategory") if status is not None else None) or (
            category_element.get("key") or _text(category_element)
            if category_element is not None
            else ""
        )
        category = jira_fields.category_of(category_name or "")
        versions = [_text(version) for version in element.iterfind("fixVersion")]
        versions = [version for version in versions if version]
        self.versions.extend(versions)
        parent = _text(element.find("parent")) or next(iter(fields.get("epic link", [])), None)
        description = html_to_markdown(element.findtext("description") or "")
        links = self._attachments(element)
        if links:
            description = (description + "\n\n" if description else "") + "Attachments:\n\n"
            description += "\n".join(links)
        item = SourceItem(
            external_id=key,
            where=where,
            title=title,
            kind=jira_fields.kind_of(_text(element.find("type")), self.unknown_types),
            description=description,
            status=SourceStatus(_text(status), category),
            estimate=estimate,
            labels=tuple(
                dict.fromkeys(t for t in map(_text, element.iterfind("labels/label")) if t)
            ),
            acceptance_criteria=tuple(
                line.strip()
                for name, values in fields.items()
                if "acceptance criteria" in name
                for value in values
                for line in html_to_markdown(value).splitlines()
                if line.strip()
            ),
            assignee=self._person(element.find("assignee")),
            reporter=self._person(element.find("reporter")),
            parent=parent or None,
            sprints=tuple(dict.fromkeys(fields.get("sprint", []))),
            release=versions[-1] if versions else None,
            comments=tuple(comments),
            created_at=created,
            updated_at=updated,
            resolved_at=resolved,
        )
        if resolved is not None or category == "done":
            self.resolved.add(key)
        self.ranked.append((next(iter(fields.get("rank", [])), None), item))

    def _custom_fields(self, element: Element) -> dict[str, list[str]]:
        """Custom fields by their lower-case name: their values' text."""
        fields: dict[str, list[str]] = {}
        for field in element.iterfind("customfields/customfield"):
            name = _text(field.find("customfieldname")).lower()
            values = [
                (value.text or "").strip()
                for value in field.iterfind("customfieldvalues/customfieldvalue")
            ]
            fields.setdefault(name, []).extend(value for value in values if value)
        return fields

    def _points(
        self, fields: dict[str, list[str]], key: str, where: str, errors: list[Unreadable]
    ) -> Decimal | None:
        wanted = (self.options.points_field or "").lower()
        if wanted.startswith("custom field (") and wanted.endswith(")"):
            wanted = wanted[len("custom field (") : -1]
        for name, values in fields.items():
            if (name == wanted if wanted else jira_fields.is_points_name(name)) and values:
                self.points_fields[name] += 1
                try:
                    return jira_fields.points(values[0])
                except ValueError as error:
                    errors.append(Unreadable(where, f"{key}: {error}", name))
                    return None
        return None

    def _person(self, element: Element | None) -> str | None:
        if element is None:
            return None
        account = element.get("accountid") or element.get("username") or ""
        if account in _NOBODY and _text(element).lower() in ("", "unassigned"):
            return None
        return self.people.add(_text(element), "" if account == "-1" else account)

    @staticmethod
    def _attachments(element: Element) -> list[str]:
        link = _text(element.find("link"))
        base = link.split("/browse/", 1)[0] if "/browse/" in link else ""
        lines = []
        for attachment in element.iterfind("attachments/attachment"):
            name, number = attachment.get("name") or "", attachment.get("id") or ""
            if base and number:
                lines.append(f"- [{name}]({base}/secure/attachment/{number}/{name})")
            elif name:
                lines.append(f"- {name}")
        return lines

    def finish(self) -> Bundle:
        bundle = self.bundle
        bundle.items = jira_fields.ordered(self.ranked)
        bundle.sprints = jira_fields.sprints_of(bundle.items, self.resolved, {})
        bundle.releases = jira_fields.releases_of(bundle.items, self.versions)
        bundle.people = self.people.all()
        bundle.notes.append("dates read as RFC 822 (Jira's XML)")
        if self.points_fields:
            named = ", ".join(name for name, _ in self.points_fields.most_common())
            bundle.notes.append(f"story points from the custom field(s) {named}")
        else:
            bundle.notes.append("no story points field")
        bundle.notes.append(
            "backlog order from the Rank field"
            if any(rank is not None for rank, _ in self.ranked)
            else "backlog order: file"
        )
        if bundle.sprints:
            bundle.notes.append(
                "sprints are named only: each is active when it is the last sprint of an "
                "unresolved issue, closed otherwise"
            )
        bundle.notes.extend(jira_fields.unknown_types_note(self.unknown_types))
        return bundle
