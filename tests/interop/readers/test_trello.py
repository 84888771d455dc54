"""The Trello reader: a board exported as JSON -> a bundle."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import Bundle, ReadOptions, SourceStatus
from lodestar.interop.imports.readers.trello import read_trello

DATA = Path(__file__).resolve().parent.parent / "data"
BOARD: dict[str, Any] = json.loads((DATA / "trello_board.json").read_bytes())
PAY = "65a1f10000000000000000c2"


def read(board: dict[str, Any]) -> Bundle:
    return read_trello(json.dumps(board).encode(), ReadOptions())


def test_cards_come_in_list_order_then_position_with_lists_as_statuses() -> None:
    bundle = read_trello((DATA / "trello_board.json").read_bytes(), ReadOptions())

    assert bundle.source == "trello"
    assert bundle.unreadable == []
    assert [(item.where, item.kind, item.status) for item in bundle.items] == [
        ('card #3 "Send the link by SMS"', "story", SourceStatus("To Do", "todo")),
        ('card #1 "Link expires a day early"', "bug", SourceStatus("To Do", "todo")),
        ('card #2 "Create a payment link"', "story", SourceStatus("Doing", "in_progress")),
        (
            'checklist item "Table for links" of card #2 "Create a payment link"',
            "task",
            SourceStatus("complete", "done"),
        ),
        (
            'checklist item "Expiry job" of card #2 "Create a payment link"',
            "task",
            SourceStatus("incomplete", "todo"),
        ),
        # A list whose name says nothing: no category, the importer asks for a mapping.
        ('card #5 "Receipt e-mail wording"', "story", SourceStatus("Waiting on legal", None)),
        ('card #4 "Checkout page in Spanish"', "story", SourceStatus("Done 🎉", "done")),
    ]
    assert "skipped 2 archived cards and 1 archived lists" in bundle.notes[0]


def test_a_card_keeps_labels_checklists_members_comments_and_dates() -> None:
    bundle = read(BOARD)
    card = next(item for item in bundle.items if item.external_id == PAY)

    assert card.title == "Create a payment link"
    assert card.description == "A clerk makes a link for an order.\n\n* amount\n* expiry"
    assert card.labels == ("Payments", "green")  # an unnamed label goes by its colour
    assert card.acceptance_criteria == (
        "The amount cannot be changed by the customer",  # by position, not file order
        "The link expires after 7 days",
    )
    assert card.assignee == "5e1a00000000000000000002"
    assert card.watchers == ("5e1a00000000000000000001",)
    assert card.reporter == "5e1a00000000000000000001"  # who created it
    assert card.created_at == dt.datetime(2026, 1, 12, 8, 30, tzinfo=dt.UTC)
    assert card.updated_at == dt.datetime(2026, 1, 18, 10, 15, tzinfo=dt.UTC)
    assert [(c.external_id, c.author, c.body) for c in card.comments] == [
        ("65a9a1000000000000000010", "5e1a00000000000000000001", "Which currencies?"),
        (
            "65a9a1000000000000000011",
            "5e1a00000000000000000002",
            "Card details are in the **design** doc.",
        ),
    ]
    tasks = [item for item in bundle.items if item.parent == PAY]
    assert [(t.external_id, t.assignee) for t in tasks] == [
        ("65a1f30000000000000000e3", "5e1a00000000000000000002"),
        ("65a1f30000000000000000e4", None),
    ]
    assert "1 named like acceptance criteria" in bundle.notes[1]
    assert "1 others became child tasks" in bundle.notes[1]


def test_a_card_without_a_create_action_is_dated_by_its_id() -> None:
    card = next(item for item in read(BOARD).items if item.title == "Send the link by SMS")

    assert card.created_at == dt.datetime.fromtimestamp(0x65A1F100, tz=dt.UTC)
    assert card.reporter is None


def test_members_are_people_by_name_without_email() -> None:
    people = {(p.key, p.name, p.email) for p in read(BOARD).people}

    assert ("5e1a00000000000000000001", "Ana Alves", "") in people
    assert ("5e1a00000000000000000003", "Cleo Costa", "") in people  # known from an action


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Shipped", "done"),
        ("Complete", "done"),
        ("In progress", "in_progress"),
        ("Review", "in_progress"),
        ("Doing (max 3)", "in_progress"),
        ("Backlog", "todo"),
        ("Ideas", "todo"),
        ("Waiting on legal", None),
    ],
)
def test_a_list_name_says_its_category(name: str, category: str | None) -> None:
    board = copy.deepcopy(BOARD)
    board["lists"][0]["name"] = name  # "Doing", the second list by position

    card = next(item for item in read(board).items if item.external_id == PAY)

    assert card.status == SourceStatus(name, category)  # type: ignore[arg-type]


def test_a_bad_card_is_named_and_the_others_are_read() -> None:
    board = copy.deepcopy(BOARD)
    board["cards"][1]["name"] = ""
    board["cards"][2]["idList"] = "65a1f0d0000000000000dead"
    board["cards"][4]["dateLastActivity"] = "Tuesday"

    bundle = read(board)

    assert [(u.where, u.column) for u in bundle.unreadable] == [
        ("card #1", "name"),
        ('card #5 "Receipt e-mail wording"', "dateLastActivity"),
        ('card #3 "Send the link by SMS"', "idList"),
    ]
    assert "'65a1f0d0000000000000dead' is not in the board's `lists`" in (
        bundle.unreadable[2].message
    )
    assert [item.title for item in bundle.items if item.kind != "task"] == [
        "Create a payment link",
        "Checkout page in Spanish",
    ]


def test_a_board_without_cards_is_refused() -> None:
    data = (DATA / "trello_board_without_cards.json").read_bytes()

    with pytest.raises(Invalid) as raised:
        read_trello(data, ReadOptions())

    assert raised.value.code == InteropErrorCode.IMPORT_FILE_INVALID
    assert "not a Trello board: it has no `cards`" in raised.value.detail


def test_a_truncated_board_is_refused() -> None:
    data = (DATA / "trello_board.json").read_bytes()[:4000]

    with pytest.raises(Invalid) as raised:
        read_trello(data, ReadOptions())

    assert "ends too early" in raised.value.detail


def test_the_checklist_items_of_an_epic_card_become_its_stories() -> None:
    board = copy.deepcopy(BOARD)
    board["labels"][2]["name"] = "Epic"  # the card's unnamed green label

    bundle = read(board)

    card = next(item for item in bundle.items if item.external_id == PAY)
    assert card.kind == "epic"
    assert [(i.kind, i.parent) for i in bundle.items if i.parent == PAY] == [
        ("story", PAY),
        ("story", PAY),
    ]
    assert any("2 items took another kind" in note for note in bundle.notes)
