"""What the Taiga, Trello, GitHub and Linear readers share."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.interop.imports.bundle import Bundle, Kind, SourceItem
from lodestar.interop.imports.readers.common import (
    People,
    category_of,
    fit_hierarchy,
    kind_from_labels,
    labels_of,
    parse_date,
    parse_datetime,
)


def item(external_id: str, kind: Kind, parent: str | None = None) -> SourceItem:
    return SourceItem(
        external_id=external_id, where=external_id, title=external_id, kind=kind, parent=parent
    )


def fitted(*items: SourceItem) -> tuple[list[tuple[str, str, str | None]], list[str]]:
    bundle = Bundle(source="linear", items=list(items))
    fit_hierarchy(bundle)
    return [(i.external_id, i.kind, i.parent) for i in bundle.items], bundle.notes


def test_items_that_fit_the_breakdown_are_left_as_they_are() -> None:
    shape, notes = fitted(
        item("E", "epic"),
        item("S", "story", "E"),
        item("B", "bug", "E"),
        item("T", "task", "S"),
        item("U", "task", "B"),
    )

    assert shape == [
        ("E", "epic", None),
        ("S", "story", "E"),
        ("B", "bug", "E"),
        ("T", "task", "S"),
        ("U", "task", "B"),
    ]
    assert notes == []


def test_an_item_takes_the_kind_one_level_below_its_parent() -> None:
    shape, notes = fitted(
        item("T", "task", "E"),  # a child listed before its parent
        item("E", "epic"),
        item("E2", "epic", "E"),
        item("S", "story", "E"),
        item("S2", "story", "S"),
        item("X", "epic", "S"),
        item("B", "bug", "B0"),
        item("B0", "bug"),
    )

    assert shape == [
        ("T", "story", "E"),
        ("E", "epic", None),
        ("E2", "story", "E"),
        ("S", "story", "E"),
        ("S2", "task", "S"),
        ("X", "task", "S"),
        ("B", "task", "B0"),
        ("B0", "bug", None),
    ]
    assert notes == [
        "5 items took another kind or parent to fit the backlog's breakdown (under an epic a "
        "story, under a story or a bug a task; an item under a task moves to the task's parent)."
    ]


def test_an_item_under_a_task_moves_to_the_tasks_parent() -> None:
    shape, _ = fitted(
        item("S", "story"),
        item("T1", "story", "S"),
        item("T2", "story", "T1"),
        item("T3", "story", "T2"),
    )

    assert shape == [
        ("S", "story", None),
        ("T1", "task", "S"),
        ("T2", "task", "S"),
        ("T3", "task", "S"),
    ]


def test_loops_and_missing_parents_are_left_for_the_importer_to_name() -> None:
    shape, notes = fitted(
        item("A", "story", "B"),
        item("B", "story", "A"),
        item("C", "task", "NOT-IN-FILE"),
    )

    assert shape == [("A", "story", "B"), ("B", "story", "A"), ("C", "task", "NOT-IN-FILE")]
    assert notes == []


def test_a_long_line_of_parents_is_fitted_without_recursion() -> None:
    items = [item("0", "story")] + [item(str(n), "story", str(n - 1)) for n in range(1, 5000)]

    shape, _ = fitted(*items)

    assert shape[-1] == ("4999", "task", "0")


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Done", "done"),
        ("In Review", "in_progress"),
        ("in-progress", "in_progress"),
        ("To Do", "todo"),
        ("Won't do", "cancelled"),
        ("Duplicate", "cancelled"),
        ("Waiting for legal", None),
    ],
)
def test_a_status_name_says_its_category(name: str, category: str | None) -> None:
    assert category_of(name) == category


@pytest.mark.parametrize(
    ("labels", "kind"),
    [
        (["bug"], "bug"),
        (["Type: Bug"], "bug"),
        (["kind/bug", "epic"], "bug"),
        (["Epic"], "epic"),
        (["debugging"], "story"),
        (["enhancement"], "story"),
    ],
)
def test_a_label_says_the_kind(labels: list[str], kind: str) -> None:
    assert kind_from_labels(labels) == kind


def test_labels_are_trimmed_and_kept_once_in_order() -> None:
    assert labels_of([" ux ", "UX", "", None, "payments", "ux"]) == ("ux", "payments")


def test_people_add_what_each_record_says() -> None:
    people = People()
    people.add("ana@example.com", email="Ana@Example.com")
    people.add("ana@example.com", name="Ana Alves")
    assert people.add_name_or_email("Ben Brandt") == "Ben Brandt"
    assert people.add_name_or_email("CLEO@example.com") == "cleo@example.com"
    assert people.add(" ") is None

    assert [(p.key, p.name, p.email) for p in people.all()] == [
        ("ana@example.com", "Ana Alves", "ana@example.com"),
        ("Ben Brandt", "Ben Brandt", ""),
        ("cleo@example.com", "", "cleo@example.com"),
    ]


def test_dates_are_aware_and_bad_ones_said() -> None:
    assert parse_datetime("2026-01-19T11:00:00.000Z") == dt.datetime(2026, 1, 19, 11, tzinfo=dt.UTC)
    assert parse_datetime("2019-01-14T10:45:33+0000") == dt.datetime(
        2019, 1, 14, 10, 45, 33, tzinfo=dt.UTC
    )
    assert parse_datetime("") is None
    assert parse_date("2026-03-01T23:00:00-05:00") == dt.date(2026, 3, 1)
    with pytest.raises(ValueError, match="'31/02/2026' is not a date and time"):
        parse_datetime("31/02/2026")
    with pytest.raises(ValueError, match="'2026-02-31' is not a date"):
        parse_date("2026-02-31")
