"""A Trello board's JSON ("Menu -> Print, export and share -> Export as JSON") -> a bundle.

Lists become statuses (raw: the list's name; its category from the name — Done, Complete,
Shipped -> done; Doing, In progress, Review -> in progress; To do, Backlog or the board's first
list -> todo; any other name none, so the importer asks for a mapping), cards become items in
list order then position. Archived cards and the cards of archived lists are skipped and
counted. Labels go by name (by colour when unnamed); a label named like "bug" or "epic" sets
the kind. A checklist named like "Acceptance criteria", "AC" or "Definition of done" becomes the
card's acceptance criteria, any other checklist's items child tasks. Comments come from the
``commentCard`` actions, the creation date from ``createCard`` (else from the card's id, which
carries the time it was made). Trello has no emails: members are kept by name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from lodestar.interop.imports.bundle import (
    Bundle,
    Category,
    ReadOptions,
    SourceComment,
    SourceItem,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers.common import (
    People,
    category_of,
    each,
    fit_hierarchy,
    invalid_file,
    kind_from_labels,
    labels_of,
    load_json,
    parse_datetime,
    shown,
    text_of,
    titled,
    words,
)

WHAT = "a Trello board exported as JSON (the board's menu: Print, export and share -> JSON)"

_ACCEPTANCE = re.compile(r"^(acceptance criteria|acceptance|ac|definition of done|dod)$")
# When a card was made and by whom (its createCard action).
_Created = tuple[dt.datetime | None, str | None]

_COMPLETE = SourceStatus("complete", "done")
_INCOMPLETE = SourceStatus("incomplete", "todo")


def read_trello(data: bytes, options: ReadOptions) -> Bundle:
    board = load_json(data, what=WHAT)
    if not isinstance(board, dict):
        raise invalid_file(f"The file is JSON but not a Trello board: expected {WHAT}.")
    missing = [key for key in ("cards", "lists") if not isinstance(board.get(key), list)]
    if missing:
        raise invalid_file(
            f"The file is JSON but not a Trello board: it has no "
            f"{' and no '.join(f'`{key}`' for key in missing)}. Expected {WHAT}.",
            column=missing[0],
        )
    return _Reader(board).read()


def _position(record: dict[str, Any]) -> float:
    pos = record.get("pos")
    return float(pos) if isinstance(pos, int | float) and not isinstance(pos, bool) else 0.0


def _created_from_id(object_id: str) -> dt.datetime | None:
    """Trello's ids begin with the second the object was made (eight hex digits)."""
    try:
        return dt.datetime.fromtimestamp(int(object_id[:8], 16), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


class _Reader:
    def __init__(self, board: dict[str, Any]) -> None:
        self.board = board
        self.bundle = Bundle(source="trello")
        self.people = People()
        self.archived_cards = 0
        self.acceptance_lists = 0
        self.task_lists = 0

    def read(self) -> Bundle:
        for member in each(self.board.get("members")):
            if isinstance(member, dict):
                self._member(member)
        lists = sorted(
            (entry for entry in each(self.board["lists"]) if isinstance(entry, dict)),
            key=_position,
        )
        statuses = self._statuses(lists)
        closed_lists = {text_of(entry.get("id")) for entry in lists if entry.get("closed")}
        labels = {
            text_of(label.get("id")): text_of(label.get("name")) or text_of(label.get("color"))
            for label in each(self.board.get("labels"))
            if isinstance(label, dict)
        }
        checklists: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for checklist in each(self.board.get("checklists")):
            if isinstance(checklist, dict):
                checklists[text_of(checklist.get("idCard"))].append(checklist)
        comments, created = self._actions()

        list_order = {text_of(entry.get("id")): index for index, entry in enumerate(lists)}
        cards: list[tuple[int, float, int, dict[str, Any]]] = []
        for index, card in enumerate(each(self.board["cards"])):
            if not isinstance(card, dict):
                self.bundle.unreadable.append(
                    Unreadable(f"card {index + 1} of `cards`", "expected an object")
                )
                continue
            list_id = text_of(card.get("idList"))
            if card.get("closed") or list_id in closed_lists:
                self.archived_cards += 1
                continue
            order = list_order.get(list_id, len(lists))
            cards.append((order, _position(card), index, card))
        cards.sort(key=lambda entry: entry[:3])

        for _, _, _, card in cards:
            self._card(card, statuses, labels, checklists, comments, created)

        self.bundle.people = self.people.all()
        self.bundle.notes.append(
            f"Read {len(cards)} cards of {len(lists) - len(closed_lists)} lists (the lists "
            f"are statuses); skipped {self.archived_cards} archived cards and "
            f"{len(closed_lists)} archived lists."
        )
        self.bundle.notes.append(
            f"Checklists: {self.acceptance_lists} named like acceptance criteria became "
            f"acceptance criteria, {self.task_lists} others became child tasks (one a "
            "checklist item)."
        )
        if self.people:
            self.bundle.notes.append(
                "Trello exports no emails: members are kept by name (invite them by email "
                "after the import to match them)."
            )
        fit_hierarchy(self.bundle)
        return self.bundle

    def _member(self, member: dict[str, Any]) -> str | None:
        return self.people.add(
            text_of(member.get("id")),
            name=text_of(member.get("fullName")) or text_of(member.get("username")),
        )

    def _statuses(self, lists: list[dict[str, Any]]) -> dict[str, SourceStatus]:
        statuses: dict[str, SourceStatus] = {}
        seen_open = False
        for entry in lists:
            name = text_of(entry.get("name"))
            category: Category | None = _list_category(name)
            if not entry.get("closed"):
                if category is None and not seen_open:
                    category = "todo"  # the board's first list holds what is to do
                seen_open = True
            statuses[text_of(entry.get("id"))] = SourceStatus(name, category)
        return statuses

    def _actions(
        self,
    ) -> tuple[dict[str, list[SourceComment]], dict[str, _Created]]:
        comments: dict[str, list[SourceComment]] = defaultdict(list)
        created: dict[str, _Created] = {}
        for action in each(self.board.get("actions")):
            if not isinstance(action, dict) or action.get("type") not in (
                "commentCard",
                "createCard",
            ):
                continue
            data = action.get("data")
            data = data if isinstance(data, dict) else {}
            card = data.get("card")
            card_id = text_of(card.get("id")) if isinstance(card, dict) else ""
            try:
                when = parse_datetime(action.get("date"))
            except ValueError as error:
                self.bundle.unreadable.append(
                    Unreadable(f"action {text_of(action.get('id'))}", str(error), "date")
                )
                continue
            if not card_id or when is None:
                continue
            creator = action.get("memberCreator")
            author = (
                self._member(creator)
                if isinstance(creator, dict)
                else self.people.add(text_of(action.get("idMemberCreator")))
            )
            if action["type"] == "createCard":
                created[card_id] = (when, author)
                continue
            comments[card_id].append(
                SourceComment(
                    external_id=text_of(action.get("id")),
                    body=text_of(data.get("text")),
                    author=author,
                    created_at=when,
                )
            )
        return comments, created

    def _card(
        self,
        card: dict[str, Any],
        statuses: dict[str, SourceStatus],
        labels: dict[str, str],
        checklists: dict[str, list[dict[str, Any]]],
        comments: dict[str, list[SourceComment]],
        created: dict[str, _Created],
    ) -> None:
        card_id = text_of(card.get("id"))
        name = text_of(card.get("name"))
        where = titled("card", name, number=card.get("idShort"))
        problems: list[Unreadable] = []
        if not card_id:
            problems.append(Unreadable(where, "The card has no id.", "id"))
        if not name:
            problems.append(Unreadable(where, "The card has no name.", "name"))
        status = statuses.get(text_of(card.get("idList")))
        if status is None:
            problems.append(
                Unreadable(
                    where,
                    f"The card's list {shown(text_of(card.get('idList')))} is not in the board's "
                    "`lists`.",
                    "idList",
                )
            )
        try:
            updated = parse_datetime(card.get("dateLastActivity"))
        except ValueError as error:
            problems.append(Unreadable(where, str(error), "dateLastActivity"))
        if problems or status is None:
            self.bundle.unreadable.extend(problems)
            return

        creation = created.get(card_id, (None, None))
        card_labels = labels_of(labels.get(text_of(label)) for label in each(card.get("idLabels")))
        members = [self.people.add(text_of(member)) for member in each(card.get("idMembers"))]
        criteria: list[str] = []
        tasks: list[SourceItem] = []
        for checklist in sorted(checklists.get(card_id, ()), key=_position):
            items = sorted(
                (item for item in each(checklist.get("checkItems")) if isinstance(item, dict)),
                key=_position,
            )
            if _ACCEPTANCE.match(words(text_of(checklist.get("name")))):
                self.acceptance_lists += 1
                criteria.extend(text_of(item.get("name")) for item in items if item.get("name"))
                continue
            self.task_lists += 1
            for item in items:
                title = text_of(item.get("name"))
                item_id = text_of(item.get("id"))
                item_where = f"{titled('checklist item', title)} of {where}"
                if not title or not item_id:
                    self.bundle.unreadable.append(
                        Unreadable(item_where, "A checklist item needs an id and a name.")
                    )
                    continue
                tasks.append(
                    SourceItem(
                        external_id=item_id,
                        where=item_where,
                        title=title,
                        kind="task",
                        status=_COMPLETE if item.get("state") == "complete" else _INCOMPLETE,
                        assignee=self.people.add(text_of(item.get("idMember"))),
                        parent=card_id,
                        created_at=_created_from_id(item_id),
                    )
                )
        self.bundle.items.append(
            SourceItem(
                external_id=card_id,
                where=where,
                title=name,
                kind=kind_from_labels(card_labels),
                description=text_of(card.get("desc")),
                status=status,
                labels=card_labels,
                acceptance_criteria=tuple(criteria),
                assignee=members[0] if members else None,
                watchers=tuple(member for member in members[1:] if member),
                comments=tuple(sorted(comments.get(card_id, ()), key=_comment_time)),
                reporter=creation[1],
                created_at=creation[0] or _created_from_id(card_id),
                updated_at=updated,
            )
        )
        self.bundle.items.extend(tasks)


def _comment_time(comment: SourceComment) -> dt.datetime:
    return comment.created_at or dt.datetime.min.replace(tzinfo=dt.UTC)


def _list_category(name: str) -> Category | None:
    """A list's category from its name: exact words first ("Done", "In review"), then a name
    that begins with one ("Done this sprint", "Doing (max 3)")."""
    category = category_of(name)
    if category is not None:
        return category
    said = words(name).split(" ")
    for length in (3, 2, 1):
        category = category_of(" ".join(said[:length]))
        if category is not None:
            return category
    return None
