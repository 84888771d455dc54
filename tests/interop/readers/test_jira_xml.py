"""Jira's XML (RSS) export of an issue search read into a bundle; hostile and broken XML refused."""

from __future__ import annotations

import datetime as dt
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
from lodestar.interop.imports.readers.jira import read_jira

DATA = Path(__file__).resolve().parent.parent / "data"
ANN = "557058:0f1e2d3c-aaaa-4bbb-8ccc-000000000001"
BO = "712020:5d9c1b7a-1111-4222-8333-000000000002"
CY = "5b10ac8d82e05b22cc7d4ef5"


def read(name: str = "jira_search.xml", **options: str) -> Bundle:
    return read_jira((DATA / name).read_bytes(), ReadOptions(**options))


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def item_xml(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="0.92"><channel>'
        f"<title>Jira</title><item>{body}</item></channel></rss>"
    ).encode()


def test_xml_story_every_field() -> None:
    bundle = read()
    assert bundle.unreadable == []
    story = {item.external_id: item for item in bundle.items}["ACME-5"]
    assert story == SourceItem(
        external_id="ACME-5",
        where="issue ACME-5",
        title="Pay by link",
        kind="story",
        description=(
            "As a buyer I want to pay by a **link**, so that I can pay later.\n\n"
            "See [the spec](https://wiki.example.com/pay-by-link) and `PaymentLink`.\n\n"
            "```python\nlink = make_link(order)\n```\n\n"
            "- works once\n- expires after *24 hours*\n\n"
            "Attachments:\n\n"
            "- [flow.png](https://acme.atlassian.net/secure/attachment/10200/flow.png)"
        ),
        status=SourceStatus("In Review", "in_progress"),
        estimate=Decimal(5),
        labels=("checkout", "payments"),
        assignee=ANN,
        reporter=BO,
        parent="ACME-1",
        sprints=("ACME Sprint 1", "ACME Sprint 2"),
        release="1.3",
        comments=(
            SourceComment(
                "10100", "Can the link expire? Ask **finance**.", BO, at(2026, 2, 12, 16, 20)
            ),
            SourceComment("10101", "24h, agreed.", ANN, at(2026, 2, 13, 9, 1)),
        ),
        created_at=at(2026, 2, 5, 10, 0),
        updated_at=dt.datetime(2026, 3, 13, 11, 45, 12, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    )


def test_xml_order_kinds_parents_statuses_people_sprints_and_releases() -> None:
    bundle = read()
    assert [item.external_id for item in bundle.items] == ["ACME-7", "ACME-5", "ACME-1", "ACME-8"]
    items = {item.external_id: item for item in bundle.items}
    assert [items[key].kind for key in ("ACME-1", "ACME-7", "ACME-8")] == ["epic", "bug", "spike"]
    assert items["ACME-7"].parent == "ACME-1"  # Epic Link custom field
    assert items["ACME-8"].parent == "ACME-99"  # outside the file: kept as the key
    assert items["ACME-1"].assignee is None  # accountid -1, "Unassigned"
    assert items["ACME-1"].description == "## Why\n\nCheckout loses **one in five** buyers."
    assert items["ACME-7"].status == SourceStatus("Done", "done")
    assert items["ACME-7"].resolved_at == at(2026, 2, 15, 12, 0)
    assert items["ACME-8"].status == SourceStatus("To Do", "todo")
    assert items["ACME-8"].labels == ("wallets",)
    assert items["ACME-7"].estimate == Decimal(2)
    assert items["ACME-8"].estimate is None
    assert [(s.name, s.state) for s in bundle.sprints] == [
        ("ACME Sprint 1", "closed"),
        ("ACME Sprint 2", "active"),
    ]
    assert [release.name for release in bundle.releases] == ["1.3", "1.2"]
    assert set(bundle.people) == {
        SourcePerson(ANN, "Ann Lee"),
        SourcePerson(BO, "Bo Chen"),
        SourcePerson(CY, "Cy Duarte"),
    }
    assert "story points from the custom field(s) story point estimate" in bundle.notes
    assert "backlog order from the Rank field" in bundle.notes


def test_xml_after_a_byte_order_mark_and_white_space_is_xml() -> None:
    data = b"\xef\xbb\xbf\n  " + (DATA / "jira_search.xml").read_bytes()
    assert len(read_jira(data, ReadOptions()).items) == 4


def test_points_from_a_given_field_in_xml() -> None:
    bundle = read(points_field="Custom field (Rank)")
    assert bundle.unreadable[0].column == "rank"
    assert "'0|i00007:' are not a number" in bundle.unreadable[0].message


def test_an_entity_bomb_is_refused_unexpanded() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
        b"<rss><channel><item><key>X-1</key><summary>&c;</summary></item></channel></rss>"
    )
    with pytest.raises(Invalid) as raised:
        read_jira(bomb, ReadOptions())
    assert raised.value.code == "import_file_invalid"
    assert "document type, entities or external references" in raised.value.detail


def test_an_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b"<rss><channel><item><key>X-1</key><summary>&x;</summary></item></channel></rss>"
    )
    with pytest.raises(Invalid, match="refused unread"):
        read_jira(xxe, ReadOptions())


def test_a_truncated_xml_file_is_refused_with_its_line() -> None:
    with pytest.raises(Invalid) as raised:
        read("jira_truncated.xml")
    assert "cannot be read at line 132" in raised.value.detail
    assert "cut short" in raised.value.detail


def test_xml_that_is_not_a_jira_export_is_refused() -> None:
    with pytest.raises(Invalid, match="not a Jira issue export"):
        read_jira(b"<html><body>Log in</body></html>", ReadOptions())


def test_a_bad_date_missing_key_and_bad_points_are_named() -> None:
    data = (
        b'<?xml version="1.0"?><rss><channel>'
        b"<item><key>X-1</key><summary>One</summary><created>yesterday</created></item>"
        b"<item><summary>No key</summary></item>"
        b"<item><key>X-3</key><summary>Three</summary><customfields><customfield>"
        b"<customfieldname>Story Points</customfieldname><customfieldvalues>"
        b"<customfieldvalue>lots</customfieldvalue></customfieldvalues></customfield>"
        b"</customfields></item>"
        b"<item><key>X-4</key><summary>Four</summary><type>Initiative</type></item>"
        b"</channel></rss>"
    )
    bundle = read_jira(data, ReadOptions())
    assert bundle.unreadable == [
        Unreadable(
            "issue X-1",
            "X-1: 'yesterday' is not a date as Jira writes them (Thu, 12 Mar 2026 15:04:00 +0000)",
            "created",
        ),
        Unreadable("item 2", "the item has no <key>", "key"),
        Unreadable("issue X-3", "X-3: the story points 'lots' are not a number", "story points"),
    ]
    assert [(item.external_id, item.kind) for item in bundle.items] == [("X-4", "story")]
    assert "issue types read as stories, having no kind of their own: Initiative (1)" in (
        bundle.notes
    )


def test_a_status_category_as_an_attribute_and_a_date_without_zone() -> None:
    bundle = read_jira(
        item_xml(
            '<key>X-1</key><summary>One</summary><status statusCategory="done">Closed</status>'
            "<created>Thu, 12 Mar 2026 15:04:00 -0000</created>"
        ),
        ReadOptions(timezone="America/New_York"),
    )
    item = bundle.items[0]
    assert item.status == SourceStatus("Closed", "done")
    assert item.created_at is not None
    assert item.created_at.astimezone(dt.UTC) == at(2026, 3, 12, 19, 4)
