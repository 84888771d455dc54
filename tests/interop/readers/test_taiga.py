"""The Taiga reader: a project export as Taiga writes it -> a bundle."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import ReadOptions, SourceStatus
from lodestar.interop.imports.readers import reader_for
from lodestar.interop.imports.readers.taiga import read_taiga

DATA = Path(__file__).resolve().parent.parent / "data"
PROJECT: dict[str, Any] = json.loads((DATA / "taiga_project.json").read_bytes())


def read(project: dict[str, Any]) -> Any:
    return read_taiga(json.dumps(project).encode(), ReadOptions())


def test_the_export_reads_into_epics_stories_tasks_and_bugs_in_backlog_order() -> None:
    bundle = read_taiga((DATA / "taiga_project.json").read_bytes(), ReadOptions())

    assert bundle.source == "taiga"
    assert bundle.unreadable == []
    # Refs are kept with the project's slug: another project's #12 is another item.
    assert [(item.external_id, item.kind, item.where) for item in bundle.items] == [
        ("ana-checkout#1", "epic", "epic #1"),
        ("ana-checkout#2", "story", "user story #2"),  # backlog_order 1, though listed second
        ("ana-checkout#3", "story", "user story #3"),
        ("ana-checkout#4", "story", "user story #4"),
        ("ana-checkout#5", "task", "task #5"),
        ("ana-checkout#6", "task", "task #6"),
        ("ana-checkout#7", "bug", "issue #7"),
    ]
    parents = {item.where: item.parent for item in bundle.items}
    assert parents == {
        "epic #1": None,
        "user story #2": "ana-checkout#1",
        "user story #3": "ana-checkout#1",
        "user story #4": None,
        "task #5": "ana-checkout#2",
        "task #6": "ana-checkout#2",
        "issue #7": None,
    }


def test_a_story_carries_its_points_summed_by_role_its_sprint_tags_people_and_comments() -> None:
    bundle = read(PROJECT)
    story = next(item for item in bundle.items if item.where == "user story #2")

    assert story.title == "Create a payment link"
    assert story.description == "A clerk makes a link for an order.\n\n- amount\n- expiry"
    assert story.estimate == Decimal(7)  # UX 2 + Back 5 + PO "?"
    assert story.status == SourceStatus("Done", "done")
    assert story.labels == ("payments", "ux")
    assert story.sprints == ("ana-checkout/Sprint 1",)
    assert (story.assignee, story.reporter, story.watchers) == (
        "ben@example.com",
        "ana@example.com",
        ("ana@example.com",),
    )
    assert story.created_at == dt.datetime(2025, 11, 10, 9, 0, tzinfo=dt.UTC)
    assert story.resolved_at == dt.datetime(2026, 1, 17, 17, 45, 10, tzinfo=dt.UTC)
    # The deleted comment is left out; the others keep their author and date.
    assert [(c.external_id, c.author, c.body) for c in story.comments] == [
        (
            "20260108T140311.000000Z ben@example.com",
            "ben@example.com",
            "Which **currencies**? EUR only for now?",
        ),
        ("20260108T152000.000000Z ana@example.com", "ana@example.com", "EUR only."),
    ]
    assert story.comments[0].created_at == dt.datetime(2026, 1, 8, 14, 3, 11, tzinfo=dt.UTC)
    unestimated = next(item for item in bundle.items if item.where == "user story #3")
    assert unestimated.estimate == Decimal(3)  # "?" counts for nothing


def test_statuses_take_their_category_from_closed_and_order() -> None:
    statuses = {item.where.rsplit("#")[-1]: item.status for item in read(PROJECT).items}

    assert statuses["3"] == SourceStatus("New", "todo")  # the first by order
    assert statuses["4"] == SourceStatus("In progress", "in_progress")
    assert statuses["5"] == SourceStatus("Closed", "done")
    project = copy.deepcopy(PROJECT)
    project["issues"][0]["status"] = "Rejected"
    project["user_stories"][0]["status"] = "Waiting"  # not in us_statuses
    statuses = {item.where.rsplit("#")[-1]: item.status for item in read(project).items}
    assert statuses["7"] == SourceStatus("Rejected", "cancelled")
    assert statuses["3"] == SourceStatus("Waiting", None)  # the importer asks for a mapping


def test_milestones_become_sprints_and_members_people() -> None:
    bundle = read(PROJECT)

    assert [(s.external_id, s.state, s.start, s.end) for s in bundle.sprints] == [
        ("ana-checkout/Sprint 1", "closed", dt.date(2026, 1, 5), dt.date(2026, 1, 18)),
        ("ana-checkout/Sprint 2", "planned", dt.date(2099, 1, 19), dt.date(2099, 2, 1)),
    ]
    assert {(p.key, p.name, p.email) for p in bundle.people} == {
        ("ana@example.com", "Ana Alves", "ana@example.com"),
        ("ben@example.com", "Ben Brandt", "ben@example.com"),
        ("cleo@example.com", "Cleo Costa", "cleo@example.com"),
    }
    assert any("2 milestones" in note for note in bundle.notes)


def test_a_bad_record_is_named_and_the_others_are_read() -> None:
    project = copy.deepcopy(PROJECT)
    project["user_stories"][0]["subject"] = ""
    project["user_stories"][1]["role_points"][0]["points"] = "13"
    project["tasks"][0]["created_date"] = "yesterday"
    project["issues"].append("not a record")

    bundle = read(project)

    assert [(u.where, u.column) for u in bundle.unreadable] == [
        ("issue 2 of `issues`", ""),
        ("user story #2", "role_points"),  # read in the backlog's order
        ("user story #3", "subject"),
        ("task #5", "created_date"),
    ]
    assert "'13'" in bundle.unreadable[1].message
    assert "'yesterday' is not a date" in bundle.unreadable[3].message
    assert [item.where for item in bundle.items] == [
        "epic #1",
        "user story #4",
        "task #6",
        "issue #7",
    ]


def test_a_truncated_export_is_refused_naming_where_it_ends() -> None:
    data = (DATA / "taiga_project_truncated.json").read_bytes()

    with pytest.raises(Invalid) as raised:
        read_taiga(data, ReadOptions())

    assert raised.value.code == InteropErrorCode.IMPORT_FILE_INVALID
    assert "ends too early, at line 26, column 93" in raised.value.detail
    assert "cut short" in raised.value.detail


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The file is empty"),
        (b'{"name": "x", "cards": []}', "not a Taiga project export"),
        (b"[1, 2]", "not a Taiga project export"),
        (b'{"name": "x",, }', "breaks at line 1, column 14"),
        (b"\xff\xfe{", "not text in UTF-8: byte 1"),
        (b"[" * 200_000 + b"]" * 200_000, "nests arrays or objects too deeply"),
    ],
)
def test_a_file_that_is_not_a_taiga_export_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(Invalid) as raised:
        reader_for("taiga")(data, ReadOptions())

    assert says in raised.value.detail
    assert raised.value.code == InteropErrorCode.IMPORT_FILE_INVALID


def test_two_projects_numbering_from_one_keep_their_items_apart() -> None:
    other = copy.deepcopy(PROJECT) | {"slug": "ana-refunds"}

    first = {item.external_id for item in read(PROJECT).items}
    second = {item.external_id for item in read(other).items}

    assert first.isdisjoint(second)
    assert {s.external_id for s in read(other).sprints} == {
        "ana-refunds/Sprint 1",
        "ana-refunds/Sprint 2",
    }


def test_a_comment_deleted_in_taiga_leaves_the_others_ids_as_they_were() -> None:
    before = next(i for i in read(PROJECT).items if i.where == "user story #2").comments
    project = copy.deepcopy(PROJECT)
    project["user_stories"][1]["history"][1]["delete_comment_date"] = "2026-01-20T10:00:00.000Z"

    after = next(i for i in read(project).items if i.where == "user story #2").comments

    assert [c.external_id for c in after] == [before[1].external_id]
