"""Jira Cloud's CSV export read into a bundle: every field, the locale variants, each bad input."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest

from lodestar.core.errors import Invalid
from lodestar.interop.imports.bundle import (
    Bundle,
    ReadOptions,
    SourceComment,
    SourceItem,
    SourcePerson,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers import reader_for
from lodestar.interop.imports.readers.jira import read_jira

DATA = Path(__file__).resolve().parent.parent / "data"
ANN = "557058:0f1e2d3c-aaaa-4bbb-8ccc-000000000001"
BO = "712020:5d9c1b7a-1111-4222-8333-000000000002"
CY = "5b10ac8d82e05b22cc7d4ef5"


def read(name: str, **options: str) -> Bundle:
    return read_jira((DATA / name).read_bytes(), ReadOptions(**options))


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def by_key(bundle: Bundle) -> dict[str, SourceItem]:
    return {item.external_id: item for item in bundle.items}


def test_the_registry_finds_the_jira_reader() -> None:
    assert reader_for("jira") is read_jira


def test_cloud_csv_story_every_field() -> None:
    bundle = read("jira_cloud.csv")
    assert bundle.source == "jira"
    assert bundle.unreadable == []
    story = by_key(bundle)["ACME-5"]
    assert story == SourceItem(
        external_id="ACME-5",
        where="line 7",
        title="Pay by link",
        kind="story",
        description=(
            "As a buyer I want to pay by a link, so that I can pay later.\n\n"
            "See [the spec](https://wiki.example.com/pay-by-link) and `PaymentLink`.\n"
            "```python\nlink = make_link(order)\n```\n\n"
            "Attachments:\n\n"
            "- [flow.png](https://acme.atlassian.net/rest/api/3/attachment/content/10200)"
        ),
        status=SourceStatus("In Review", "in_progress"),
        estimate=Decimal(5),
        labels=("checkout", "payments"),
        acceptance_criteria=("The link works once", "It expires after 24 hours"),
        assignee=ANN,
        reporter=BO,
        watchers=(ANN, CY),
        parent="ACME-1",  # Parent holds the epic's issue id 10001: resolved to its key
        sprints=("ACME Sprint 1", "ACME Sprint 2"),
        release=None,
        comments=(
            SourceComment(
                "ACME-5#1",
                "Can the link expire? Say 24h; or 48h.\nAsk **finance**.",
                BO,
                at(2026, 2, 12, 16, 20),
            ),
            SourceComment("ACME-5#2", "24h, agreed.", ANN, at(2026, 2, 13, 9, 1)),
        ),
        created_at=at(2026, 2, 5, 10, 0),
        updated_at=at(2026, 3, 13, 11, 45),
        resolved_at=None,
    )


def test_cloud_csv_kinds_parents_statuses_and_points() -> None:
    items = by_key(read("jira_cloud.csv"))
    assert {key: item.kind for key, item in items.items()} == {
        "ACME-1": "epic",
        "ACME-5": "story",
        "ACME-6": "task",  # Sub-task
        "ACME-7": "bug",
        "ACME-8": "spike",
        "ACME-9": "story",  # Improvement: no kind of ours
        "ACME-10": "story",  # a Task right under an epic: a story, to fit the breakdown
    }
    assert items["ACME-6"].parent == "ACME-5"  # Parent id 10005
    assert items["ACME-7"].parent == "ACME-1"  # Custom field (Epic Link)
    assert items["ACME-8"].parent == "ACME-99"  # an epic link outside the file stays a key
    assert items["ACME-9"].parent == "ACME-1"  # only Parent summary
    assert items["ACME-1"].parent is None
    assert items["ACME-9"].status == SourceStatus("Backlog", None)  # no category: asked
    assert items["ACME-10"].status == SourceStatus("Selected for Development", "todo")
    assert items["ACME-6"].status == SourceStatus("Done", "done")
    assert items["ACME-6"].resolved_at == at(2026, 2, 20, 17, 0)
    assert items["ACME-6"].assignee == CY
    assert items["ACME-1"].description == (
        "## Why\nCheckout loses **one in five** buyers.\n\n- fewer steps\n- wallets"
    )
    assert [items[key].estimate for key in ("ACME-7", "ACME-8", "ACME-1")] == [
        Decimal(2),
        Decimal(3),
        None,
    ]
    assert items["ACME-7"].release == "1.3"  # the last of its fix versions
    assert items["ACME-7"].comments == (
        SourceComment("ACME-7#1", "Fixed in `round_half_even`.", CY, at(2026, 2, 14, 11, 11)),
    )


def test_cloud_csv_rank_order_sprints_releases_people_and_notes() -> None:
    bundle = read("jira_cloud.csv")
    # Custom field (Rank), compared as text; the file's order is different.
    assert [item.external_id for item in bundle.items] == [
        "ACME-7",
        "ACME-5",
        "ACME-10",
        "ACME-6",
        "ACME-1",
        "ACME-8",
        "ACME-9",
    ]
    assert [(sprint.name, sprint.state) for sprint in bundle.sprints] == [
        ("ACME Sprint 1", "closed"),  # the last sprint of resolved ACME-7 only
        ("ACME Sprint 2", "active"),  # the last sprint of unresolved ACME-5
    ]
    assert [release.name for release in bundle.releases] == ["1.2", "1.3"]
    assert bundle.people == [
        SourcePerson(ANN, "Ann Lee"),
        SourcePerson(BO, "Bo Chen"),
        SourcePerson(CY, "Cy Duarte"),
    ]
    assert "dates read as d/MMM/yy h:mm a" in bundle.notes
    assert "story points from the column Custom field (Story Points)" in bundle.notes
    assert "backlog order from Custom field (Rank)" in bundle.notes
    assert (
        "1 item took another kind or parent to fit the backlog's breakdown (under an epic a "
        "story, under a story or a bug a task; an item under a task moves to the task's parent)."
    ) in bundle.notes
    assert any(note.startswith("sprints have no dates") for note in bundle.notes)
    assert "issue types read as stories, having no kind of their own: Improvement (1)" in (
        bundle.notes
    )


def test_semicolon_csv_with_german_dates_and_decimal_comma() -> None:
    bundle = read("jira_semicolon_de.csv")
    assert bundle.unreadable == []
    assert "separator ;" in bundle.notes
    assert "dates read as d.M.yyyy H:mm" in bundle.notes
    items = by_key(bundle)
    assert items["ACME-5"].title == "Bezahlen per Link; später"
    assert items["ACME-5"].estimate == Decimal("2.5")
    assert items["ACME-5"].status == SourceStatus("In Prüfung", "in_progress")
    assert items["ACME-5"].created_at == at(2026, 2, 5, 10, 0)
    assert items["ACME-5"].comments[0].created_at == at(2026, 2, 12, 16, 20)
    assert items["ACME-6"].kind == "task"  # Unteraufgabe
    assert items["ACME-7"].kind == "bug"  # Fehler
    assert items["ACME-7"].status == SourceStatus("Erledigt", "done")


def test_us_csv_reads_month_first_found_from_a_day_past_twelve() -> None:
    bundle = read("jira_us.csv")
    assert bundle.unreadable == []
    assert "dates read as M/d/yy h:mm a" in bundle.notes
    items = by_key(bundle)
    assert items["ACME-1"].created_at == at(2026, 2, 3, 9, 15)
    assert items["ACME-1"].updated_at == at(2026, 3, 12, 15, 4)
    assert items["ACME-5"].updated_at == at(2026, 3, 13, 11, 45)


def test_a_time_zone_applies_to_dates_without_one() -> None:
    bundle = read("jira_cloud.csv", timezone="Europe/Berlin")
    created = by_key(bundle)["ACME-5"].created_at
    assert created == dt.datetime(2026, 2, 5, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert created is not None
    assert created.astimezone(dt.UTC) == at(2026, 2, 5, 9, 0)


def test_a_given_date_format_is_used_and_said() -> None:
    bundle = read("jira_semicolon_de.csv", date_format="dd.MM.yyyy HH:mm")
    assert "dates read as dd.MM.yyyy HH:mm (given)" in bundle.notes
    assert by_key(bundle)["ACME-1"].created_at == at(2026, 2, 3, 9, 15)


def test_a_wrong_given_date_format_names_every_date_it_cannot_read() -> None:
    bundle = read("jira_us.csv", date_format="d.M.yyyy H:mm")
    assert bundle.items == []
    assert (
        Unreadable(
            "line 2",
            "ACME-1: '2/3/26 9:15 AM' is not a date in the format d.M.yyyy H:mm",
            "Created",
        )
        in bundle.unreadable
    )


def test_ambiguous_days_and_months_take_the_default_with_a_note() -> None:
    data = b"Issue key,Summary,Created\r\nACME-1,One,3/4/26 10:00\r\nACME-2,Two,5/6/26 11:00\r\n"
    bundle = read_jira(data, ReadOptions())
    assert (
        "dates read as d/M/yy H:mm; every date also reads as M/d/yy H:mm: give the date "
        "format if days and months are the other way round"
    ) in bundle.notes
    assert bundle.items[0].created_at == at(2026, 4, 3, 10, 0)


def test_points_from_a_given_field() -> None:
    bundle = read("jira_cloud.csv", points_field="Story point estimate")
    assert "story points from the column Custom field (Story point estimate) (given)" in (
        bundle.notes
    )
    assert all(item.estimate is None for item in bundle.items)


def test_a_given_points_field_that_is_not_in_the_file_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        read("jira_cloud.csv", points_field="Effort")
    assert raised.value.errors[0].field == "points_field"
    assert "no column 'Effort'" in raised.value.detail
    assert "Custom field (Story Points)" in raised.value.detail


def test_a_missing_key_column_is_refused_naming_it() -> None:
    with pytest.raises(Invalid) as raised:
        read("jira_missing_key.csv")
    assert raised.value.code == "import_file_invalid"
    assert [error.field for error in raised.value.errors] == ["Issue key"]
    assert "Export Excel CSV (all fields)" in raised.value.detail


def test_a_file_without_summary_or_key_names_both() -> None:
    with pytest.raises(Invalid) as raised:
        read_jira(b"Title,Status\r\nOne,Done\r\n", ReadOptions())
    assert [error.field for error in raised.value.errors] == ["Issue key", "Summary"]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid, match="empty") as raised:
        read_jira(b"\xef\xbb\xbf \r\n", ReadOptions())
    assert raised.value.code == "import_file_invalid"


def test_a_truncated_file_names_the_cut_row_and_keeps_the_rest() -> None:
    bundle = read("jira_truncated.csv")
    assert [item.external_id for item in bundle.items] == ["ACME-1"]
    assert bundle.unreadable == [
        Unreadable(
            "line 7", "the row has 27 of the 45 columns of the header (the file may be cut short)"
        )
    ]


def test_a_file_cut_inside_the_last_cell_of_a_full_row_is_named() -> None:
    data = b'Issue key,Summary,Description\r\nACME-1,One,Fine\r\nACME-2,Two,"Half a\nsente'
    bundle = read_jira(data, ReadOptions())
    assert [item.external_id for item in bundle.items] == ["ACME-1"]
    assert bundle.unreadable == [
        Unreadable(
            "line 3",
            "the file ends inside a quoted cell of this row: it was cut short; export it again",
        )
    ]


def test_a_bad_date_names_its_line_and_column_and_leaves_the_row_out() -> None:
    bundle = read("jira_bad_date.csv")
    assert bundle.unreadable == [
        Unreadable("line 16", "ACME-7: the date '30/Feb/26 8:05 AM' does not exist", "Created")
    ]
    assert "ACME-7" not in by_key(bundle)
    assert len(bundle.items) == 6


def test_bad_points_a_bad_comment_date_and_a_duplicate_key_are_each_named() -> None:
    header = "Issue key,Summary,Created,Custom field (Story Points),Comment\r\n"
    data = (
        header
        + "ACME-1,One,12/Mar/26 3:04 PM,three,\r\n"
        + 'ACME-2,"Two\nlines",12/Mar/26 3:05 PM,2,"32/Mar/26 1:00 PM;abc;hi"\r\n'
        + "ACME-1,Again,12/Mar/26 3:06 PM,1,\r\n"
        + ",No key,12/Mar/26 3:06 PM,1,\r\n"
        + "ACME-3,,12/Mar/26 3:06 PM,-1,\r\n"
    ).encode()
    bundle = read_jira(data, ReadOptions())
    assert bundle.items == []
    assert bundle.unreadable == [
        Unreadable("line 5", "ACME-1 is in the file twice (first on line 2)"),
        Unreadable("line 6", "the row has no issue key", "Issue key"),
        Unreadable(
            "line 2",
            "ACME-1: the story points 'three' are not a number",
            "Custom field (Story Points)",
        ),
        Unreadable(
            "line 3",
            "ACME-2: comment 1: the date '32/Mar/26 1:00 PM' does not exist",
            "Comment",
        ),
        Unreadable("line 7", "ACME-3 has no summary", "Summary"),
        Unreadable(
            "line 7",
            "ACME-3: the story points '-1' must be between 0 and 10000",
            "Custom field (Story Points)",
        ),
    ]


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        read("jira_cloud.csv", timezone="Mars/Olympus")
    assert raised.value.errors[0].field == "timezone"


def test_a_date_format_with_an_unknown_letter_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        read("jira_cloud.csv", date_format="dd/MMM/yy Q")
    assert raised.value.errors[0].field == "date_format"
    assert "'Q'" in raised.value.detail


def test_a_cell_past_the_csv_limit_is_named_with_its_line() -> None:
    huge = "x" * 200_000
    data = f'Issue key,Summary,Description\r\nACME-1,One,ok\r\nACME-2,Two,"{huge}"\r\n'.encode()
    bundle = read_jira(data, ReadOptions())
    assert [item.external_id for item in bundle.items] == ["ACME-1"]
    assert len(bundle.unreadable) == 1
    assert bundle.unreadable[0].where == "line 3"
    assert "field larger than field limit" in bundle.unreadable[0].message


def test_a_file_saved_in_windows_1252_is_read_with_a_note() -> None:
    data = "Issue key,Summary,Created\r\nACME-1,Caf\u00e9,12/Mar/26 3:04 PM\r\n".encode("cp1252")
    bundle = read_jira(data, ReadOptions())
    assert bundle.items[0].title == "Caf\u00e9"
    assert bundle.notes[0].startswith("the file is not UTF-8")


def test_a_parent_id_that_is_not_in_the_file_is_said() -> None:
    data = b"Issue key,Issue id,Summary,Parent\r\nACME-2,10002,Two,10042\r\n"
    bundle = read_jira(data, ReadOptions())
    assert bundle.items[0].parent is None
    assert "parents named by an id that is not in the file are left out: ACME-2" in bundle.notes


def test_without_rank_the_file_order_is_kept_and_without_dates_it_is_said() -> None:
    data = b"Summary,Issue key\r\nB,ACME-2\r\nA,ACME-1\r\n"
    bundle = read_jira(data, ReadOptions())
    assert [item.external_id for item in bundle.items] == ["ACME-2", "ACME-1"]
    assert "backlog order: file" in bundle.notes
    assert "the file has no dates" in bundle.notes
    assert "the file has no Issue Type column: every issue is a story" in bundle.notes
