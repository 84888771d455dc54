"""The Linear reader: Linear's CSV export -> a bundle."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import Bundle, ReadOptions, SourceStatus
from lodestar.interop.imports.readers.linear import read_linear

DATA = Path(__file__).resolve().parent.parent / "data"
EXPORT = (DATA / "linear_export.csv").read_bytes()
PROJECT = "project:8f3c2a1e-5b7d-4e9a-9c1f-2d4b6a8e0c13"


def rows() -> tuple[list[str], list[list[str]]]:
    header, *records = list(csv.reader(io.StringIO(EXPORT.decode())))
    return header, records


def write(header: list[str], records: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *records])
    return out.getvalue().encode()


def read(data: bytes = EXPORT, **options: str) -> Bundle:
    return read_linear(data, ReadOptions(**options))  # type: ignore[arg-type]


def test_issues_read_with_projects_as_epics_and_lines_as_places() -> None:
    bundle = read()

    assert bundle.source == "linear"
    assert bundle.unreadable == []
    assert [(i.external_id, i.where, i.kind, i.parent) for i in bundle.items] == [
        (PROJECT, 'project "Pay by link"', "epic", None),
        ("PAY-12", "line 2", "bug", PROJECT),  # a multi-line description: lines 2 to 6
        ("PAY-10", "line 7", "story", PROJECT),
        ("PAY-11", "line 11", "task", "PAY-10"),  # a sub-issue
        ("PAY-14", "line 12", "story", None),
        ("PAY-15", "line 13", "story", None),
        ("PAY-16", "line 14", "story", None),
    ]
    bug = bundle.items[1]
    assert bug.title == "Link expires a day early"
    assert bug.description.startswith("Set expiry to 7 days, it ends after **6**.\n\n```")
    assert bug.estimate == Decimal(2)
    assert bug.labels == ("Bug", "Frontend")
    assert (bug.assignee, bug.reporter) == ("Ben Brandt", "cleo@example.com")
    assert bug.sprints == ("Payments#3",)
    assert bug.created_at == dt.datetime(2026, 1, 19, 11, 0, tzinfo=dt.UTC)
    assert bug.updated_at == dt.datetime(2026, 1, 20, 9, 12, 44, 120000, tzinfo=dt.UTC)


def test_status_category_from_the_name_else_from_the_dates() -> None:
    statuses = {item.external_id: item.status for item in read().items}

    assert statuses["PAY-12"] == SourceStatus("In Progress", "in_progress")
    assert statuses["PAY-10"] == SourceStatus("Done", "done")
    assert statuses["PAY-14"] == SourceStatus("Canceled", "cancelled")
    assert statuses["PAY-16"] == SourceStatus("Backlog", "todo")
    assert statuses["PAY-15"] == SourceStatus("Ready for legal", "todo")  # no dates: unstarted
    assert statuses[PROJECT] == SourceStatus("In Progress", "in_progress")  # from its issues

    header, records = rows()
    records[4][header.index("Started")] = "2026-01-22T09:00:00.000Z"
    started = read(write(header, records)).items[5]
    assert started.status == SourceStatus("Ready for legal", "in_progress")
    records[4][header.index("Completed")] = "2026-01-23T09:00:00.000Z"
    finished = read(write(header, records)).items[5]
    assert finished.status == SourceStatus("Ready for legal", "done")
    assert finished.resolved_at == dt.datetime(2026, 1, 23, 9, 0, tzinfo=dt.UTC)


def test_cycles_become_sprints_and_emails_people_to_match() -> None:
    bundle = read()

    assert [(s.external_id, s.name, s.start, s.end, s.state) for s in bundle.sprints] == [
        ("Payments#3", "Cycle 3", dt.date(2026, 1, 19), dt.date(2026, 2, 2), "closed"),
        ("Payments#2", "Links", dt.date(2026, 1, 5), dt.date(2026, 1, 19), "closed"),
    ]
    people = {(p.key, p.name, p.email) for p in bundle.people}
    assert ("ben@example.com", "", "ben@example.com") in people
    assert ("Ben Brandt", "Ben Brandt", "") in people
    assert "1 archived" in bundle.notes[0]


def test_dates_without_an_offset_are_in_the_time_zone_given() -> None:
    header, records = rows()
    records[5][header.index("Created")] = "2026-01-21 10:00:00"
    records[4][header.index("Created")] = (
        "Wed Jan 21 2026 09:00:00 GMT+0100 (Central European Standard Time)"
    )
    data = write(header, records)

    berlin = read(data, timezone="Europe/Berlin").items
    utc = read(data).items

    assert berlin[6].created_at == dt.datetime(
        2026, 1, 21, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")
    )
    assert utc[6].created_at == dt.datetime(2026, 1, 21, 10, 0, tzinfo=dt.UTC)
    assert berlin[5].created_at == dt.datetime(2026, 1, 21, 8, 0, tzinfo=dt.UTC)
    with pytest.raises(Invalid, match="There is no time zone 'Mars/Olympus'"):
        read(data, timezone="Mars/Olympus")


def test_a_bad_line_is_named_and_the_others_are_read() -> None:
    header, records = rows()
    records[1][header.index("Estimate")] = "three"
    records[3][header.index("Title")] = ""
    records[4][header.index("Updated")] = "21.01.2026"
    records[5][header.index("ID")] = "PAY-12"

    bundle = read(write(header, records))

    assert [(u.where, u.column) for u in bundle.unreadable] == [
        ("line 7", "Estimate"),
        ("line 12", "Title"),
        ("line 13", "Updated"),
        ("line 14", "ID"),
    ]
    assert "'three' is not a number" in bundle.unreadable[0].message
    assert "PAY-12 is in the file twice" in bundle.unreadable[3].message
    assert [item.external_id for item in bundle.items] == [PROJECT, "PAY-12", "PAY-11"]


def test_a_csv_without_the_id_column_is_refused_naming_it() -> None:
    with pytest.raises(Invalid) as raised:
        read((DATA / "linear_export_without_id.csv").read_bytes())

    assert raised.value.code == InteropErrorCode.IMPORT_FILE_INVALID
    assert "The file has no column `ID`" in raised.value.detail
    assert [error.field for error in raised.value.errors] == ["ID"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The file is empty"),
        (b"Summary,Issue key\nx,PROJ-1\n", "no column `ID`, `Title`"),
        (
            b'ID,Title\nPAY-1,"never closed\n',
            "not a readable CSV at line 2: a quoted value is never closed",
        ),
    ],
)
def test_a_file_that_is_not_a_linear_export_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(Invalid) as raised:
        read(data)

    assert says in raised.value.detail


def test_a_long_bad_value_is_quoted_cut_short() -> None:
    header, records = rows()
    records[0][header.index("Created")] = "x" * 5000

    bundle = read(write(header, records))

    [unreadable] = bundle.unreadable
    assert unreadable.where == "line 2"
    assert (
        unreadable.message
        == "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… is not a date and time (expected ISO 8601)"
    )


def test_sub_issues_fit_the_breakdown() -> None:
    header, records = rows()
    records[4][header.index("Parent issue")] = "PAY-11"  # under a sub-issue (a task)
    records[5][header.index("Labels")] = "Epic"
    records[5][header.index("Project")] = "Pay by link"  # an epic-labelled issue in a project
    records[5][header.index("Project ID")] = PROJECT.removeprefix("project:")

    items = {item.external_id: item for item in read(write(header, records)).items}

    assert (items["PAY-11"].kind, items["PAY-11"].parent) == ("task", "PAY-10")
    assert (items["PAY-15"].kind, items["PAY-15"].parent) == ("task", "PAY-10")
    assert (items["PAY-16"].kind, items["PAY-16"].parent) == ("story", PROJECT)
