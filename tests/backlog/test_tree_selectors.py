"""The backlog as a tree and grouped by epic (issue 8): what each list shows, in which order,
with filters, in a number of queries that does not grow with the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import BacklogFilters, backlog_by_epic, backlog_tree, epic_items
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona


@pytest.fixture
def tree(make_item: MakeItem) -> dict[str, BacklogItem]:
    """ACME-1 loose, ACME-2 epic, ACME-3 loose, ACME-4 story (epic), ACME-5 task (story),
    ACME-6 epic Billing, ACME-7 story (Billing), ACME-8 bug (story ACME-4)."""
    loose = make_item("Sample dataset")
    epic = make_item("Guided onboarding", kind="epic")
    other = make_item("Weekly digest")
    story = make_item("Checklist", parent=epic)
    task = make_item("Checklist copy", kind="task", parent=story)
    billing = make_item("Billing", kind="epic")
    invoice = make_item("Invoices as PDF", parent=billing)
    bug = make_item("Checklist overlaps", kind="bug", parent=story)
    return {"loose": loose, "epic": epic, "other": other, "story": story, "task": task,
            "billing": billing, "invoice": invoice, "bug": bug}  # fmt: skip


def _tree(owner: Persona, product: Product, **filters: Any) -> list[tuple[str, int, str]]:
    page = backlog_tree(actor=owner.actor, product=product, filters=BacklogFilters(**filters))
    return [(i.key, i.tree_depth, i.tree_parent) for i in page.items]  # type: ignore[attr-defined]


def test_children_come_right_under_their_parent(
    owner: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    assert _tree(owner, product) == [
        ("ACME-1", 0, ""),
        ("ACME-2", 0, ""),
        ("ACME-4", 1, "ACME-2"),
        ("ACME-5", 2, "ACME-4"),
        ("ACME-8", 2, "ACME-4"),
        ("ACME-3", 0, ""),
        ("ACME-6", 0, ""),
        ("ACME-7", 1, "ACME-6"),
    ]
    page = backlog_tree(actor=owner.actor, product=product)
    story = next(i for i in page.items if i.key == "ACME-4")
    assert story.tree_children == ["ACME-5", "ACME-8"]  # type: ignore[attr-defined]


def test_a_child_whose_parent_does_not_match_is_shown_with_its_context(
    owner: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    assert _tree(owner, product, q="checklist") == [
        ("ACME-4", 0, ""),
        ("ACME-5", 1, "ACME-4"),
        ("ACME-8", 1, "ACME-4"),
    ]
    page = backlog_tree(actor=owner.actor, product=product, filters=BacklogFilters(q="copy"))
    assert [(i.key, i.tree_context) for i in page.items] == [  # type: ignore[attr-defined]
        ("ACME-5", ("ACME-4", "Checklist"))
    ]


def test_the_children_of_a_finished_parent_are_top_level(
    owner: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    services.item_update(actor=owner.actor, item=tree["story"], status="done")
    assert _tree(owner, product, finished=False) == [
        ("ACME-1", 0, ""),
        ("ACME-2", 0, ""),
        ("ACME-3", 0, ""),
        ("ACME-5", 0, ""),
        ("ACME-6", 0, ""),
        ("ACME-7", 1, "ACME-6"),
        ("ACME-8", 0, ""),
    ]


def test_pages_count_top_level_rows(
    owner: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    first = backlog_tree(actor=owner.actor, product=product, limit=2)
    assert [i.key for i in first.items] == ["ACME-1", "ACME-2", "ACME-4", "ACME-5", "ACME-8"]
    rest = backlog_tree(actor=owner.actor, product=product, cursor=first.next_cursor, limit=2)
    assert [i.key for i in rest.items] == ["ACME-3", "ACME-6", "ACME-7"]
    assert rest.next_cursor is None


def test_the_tree_costs_the_same_queries_whatever_its_size(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            backlog_tree(actor=owner.actor, product=product, filters=BacklogFilters(q="e"))
        return len(captured.captured_queries)

    epic = make_item("Epic", kind="epic")
    story = make_item("Story", parent=epic)
    make_item("Task", kind="task", parent=story)
    small = count()
    for n in range(6):
        e = make_item(f"Epic {n}", kind="epic")
        s = make_item(f"Story {n}", parent=e)
        make_item(f"Task {n}", kind="task", parent=s)
    assert count() == small


def _sections(owner: Persona, product: Product, **filters: Any) -> list[tuple[str, list[str]]]:
    return [
        (s.epic.key if s.epic else "none", [i.key for i in s.items])
        for s in backlog_by_epic(
            actor=owner.actor, product=product, filters=BacklogFilters(**filters)
        ).sections
    ]


def test_grouped_by_epic(owner: Persona, product: Product, tree: dict[str, BacklogItem]) -> None:
    assert _sections(owner, product) == [
        ("ACME-2", ["ACME-4", "ACME-5", "ACME-8"]),
        ("ACME-6", ["ACME-7"]),
        ("none", ["ACME-1", "ACME-3"]),
    ]
    assert _sections(owner, product, q="invoice") == [("ACME-6", ["ACME-7"])]
    assert _sections(owner, product, q="digest") == [("none", ["ACME-3"])]


def test_an_epic_with_nothing_open_still_heads_a_section(
    owner: Persona, product: Product, tree: dict[str, BacklogItem], make_item: MakeItem
) -> None:
    make_item("Empty epic", kind="epic")
    services.item_update(actor=owner.actor, item=tree["invoice"], status="done")
    # The epic made last sits last in the backlog, before the "No epic" section.
    assert _sections(owner, product, finished=False) == [
        ("ACME-2", ["ACME-4", "ACME-5", "ACME-8"]),
        ("ACME-6", []),
        ("ACME-9", []),
        ("none", ["ACME-1", "ACME-3"]),
    ]


def test_an_item_under_a_trashed_story_is_under_no_epic(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    epic = make_item("Epic", kind="epic")
    story = make_item("Story", parent=epic)
    task = make_item("Task", kind="task", parent=story)
    BacklogItem.objects.filter(pk=story.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert _sections(owner, product) == [("ACME-1", []), ("none", [task.key])]


def test_a_section_pages_through_its_items(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    epic = make_item("Epic", kind="epic")
    stories = [make_item(f"Story {n}", parent=epic) for n in range(5)]
    sections = backlog_by_epic(actor=owner.actor, product=product, limit=2).sections
    assert [i.key for i in sections[0].items] == [s.key for s in stories[:2]]
    assert sections[0].count == 5
    seen = [i.key for i in sections[0].items]
    cursor = sections[0].next_cursor
    while cursor:
        page = epic_items(actor=owner.actor, product=product, epic=epic, cursor=cursor, limit=2)
        seen += [i.key for i in page.items]
        cursor = page.next_cursor
    assert seen == [s.key for s in stories]


def test_grouping_costs_the_same_queries_whatever_the_number_of_epics(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            backlog_by_epic(actor=owner.actor, product=product)
        return len(captured.captured_queries)

    make_item("Story", parent=make_item("Epic", kind="epic"))
    small = count()
    for n in range(6):
        make_item(f"Story {n}", parent=make_item(f"Epic {n}", kind="epic"))
    assert count() == small


def test_epics_come_a_page_at_a_time_and_no_epic_ends_the_last(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    loose = make_item("Loose")
    epics = [make_item(f"Epic {n}", kind="epic") for n in range(5)]
    for epic in epics:
        make_item(f"Story of {epic.key}", parent=epic)
    seen: list[str] = []
    cursor = None
    while True:
        page = backlog_by_epic(actor=owner.actor, product=product, cursor=cursor, epics=2)
        seen += [s.epic.key if s.epic else "none" for s in page.sections]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [e.key for e in epics] + ["none"]
    assert page.sections[-1].items == [loose]
    assert page.sections[-1].count == 1


def test_a_done_epic_shows_only_while_it_holds_open_work(
    owner: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    services.item_update(actor=owner.actor, item=tree["billing"], status="done")
    assert [key for key, _ in _sections(owner, product, finished=False)] == [
        "ACME-2", "ACME-6", "none"
    ]  # fmt: skip
    services.item_update(actor=owner.actor, item=tree["invoice"], status="done")
    assert [key for key, _ in _sections(owner, product, finished=False)] == ["ACME-2", "none"]
    assert [key for key, _ in _sections(owner, product, finished=True)] == ["ACME-6"]


def test_a_trashed_child_is_not_shown_under_its_parent(
    owner: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    services.item_delete(actor=owner.actor, item=tree["invoice"])
    rows = _tree(owner, product)
    assert ("ACME-7", 1, "ACME-6") not in rows
    page = backlog_tree(actor=owner.actor, product=product)
    billing = next(i for i in page.items if i.key == "ACME-6")
    assert billing.tree_children == []  # type: ignore[attr-defined]
    assert _sections(owner, product)[1] == ("ACME-6", [])
