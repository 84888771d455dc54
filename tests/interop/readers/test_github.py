"""The GitHub reader: issues as the REST API lists them and as `gh issue list --json` writes
them -> a bundle."""

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
from lodestar.interop.imports.readers.github import read_github

DATA = Path(__file__).resolve().parent.parent / "data"
REST: list[dict[str, Any]] = json.loads((DATA / "github_issues_rest.json").read_bytes())
GH: list[dict[str, Any]] = json.loads((DATA / "github_issues_gh.json").read_bytes())


def read(issues: object) -> Bundle:
    return read_github(json.dumps(issues).encode(), ReadOptions())


@pytest.mark.parametrize("name", ["github_issues_rest.json", "github_issues_gh.json"])
def test_both_shapes_read_into_the_same_items(name: str) -> None:
    bundle = read_github((DATA / name).read_bytes(), ReadOptions())

    assert bundle.source == "github"
    assert bundle.unreadable == []
    assert [(i.where, i.kind, i.labels) for i in bundle.items] == [
        ("issue #14", "story", ("enhancement",)),
        ("issue #12", "bug", ("bug", "payments")),
        ("issue #11", "story", ("enhancement",)),
        ("issue #10", "story", ("payments",)),
        ("issue #9", "epic", ("epic", "payments")),
    ]
    bug = bundle.items[1]
    assert (bug.assignee, bug.watchers, bug.reporter) == ("cleo", ("benb",), "cleo")
    assert bug.description.startswith("Set expiry to 7 days, it ends after **6**.")
    assert "\r" not in bug.description
    assert bug.release in ("acme/checkout/milestone/2", "2")
    done = bundle.items[3]
    assert done.status == SourceStatus("closed", "done")
    assert done.created_at == dt.datetime(2025, 12, 2, 9, 0, tzinfo=dt.UTC)
    assert done.resolved_at == dt.datetime(2026, 1, 17, 17, 45, 10, tzinfo=dt.UTC)
    assert bundle.items[0].status == SourceStatus("open", "todo")
    assert bundle.items[0].resolved_at is None
    assert {p.key for p in bundle.people} == {"ana-alves", "benb", "cleo"}


def test_issues_are_known_by_repository_and_number_when_the_file_says_the_repository() -> None:
    rest = read(REST)
    with_url = copy.deepcopy(GH)
    for issue in with_url:
        issue["url"] = f"https://github.example/acme/checkout/issues/{issue['number']}"

    assert [item.external_id for item in rest.items][:2] == ["acme/checkout#14", "acme/checkout#12"]
    assert [item.external_id for item in read(with_url).items] == [
        item.external_id for item in rest.items
    ]
    assert {r.external_id for r in rest.releases} == {
        "acme/checkout/milestone/1",
        "acme/checkout/milestone/2",
    }
    bare = read(GH)  # gh without `url`: the number alone, and said so
    assert [item.external_id for item in bare.items][:2] == ["14", "12"]
    assert any("5 issues do not say their repository" in note for note in bare.notes)
    assert not any("do not say their repository" in note for note in rest.notes)


def test_the_rest_shape_skips_pull_requests_and_knows_closed_as_not_planned() -> None:
    bundle = read(REST)

    assert "issue #13" not in {item.where for item in bundle.items}
    assert "skipped 1 pull requests" in bundle.notes[0]
    assert bundle.items[2].status == SourceStatus("closed as not planned", "cancelled")
    assert any("counts 3 comments but does not hold them" in note for note in bundle.notes)


def test_milestones_become_releases() -> None:
    releases = {r.external_id.rsplit("/")[-1]: r for r in read(REST).releases}

    assert (releases["1"].name, releases["1"].state) == ("v1.0", "live")
    assert releases["1"].released_at == dt.date(2026, 1, 20)
    assert releases["1"].target == dt.date(2026, 1, 20)
    assert releases["1"].description == "First release with pay by link"
    assert (releases["2"].name, releases["2"].state, releases["2"].target) == (
        "v1.1",
        "planned",
        None,
    )
    # gh's milestones say no state: planned, and said so.
    bundle = read(GH)
    assert {r.state for r in bundle.releases} == {"planned"}
    assert any("2 milestones do not say whether they are closed" in n for n in bundle.notes)


def test_the_gh_shape_brings_comments_and_names() -> None:
    bundle = read(GH)
    issue = next(item for item in bundle.items if item.where == "issue #10")

    assert [(c.external_id, c.author, c.body) for c in issue.comments] == [
        ("IC_kwDO2001", "benb", "Which currencies?"),
        ("IC_kwDO2002", "ana-alves", "EUR only."),
    ]
    assert issue.comments[0].created_at == dt.datetime(2026, 1, 8, 14, 3, 11, tzinfo=dt.UTC)
    names = {p.key: p.name for p in bundle.people}
    assert names["benb"] == "Ben Brandt"


def test_pages_written_one_after_the_other_read_as_one_list() -> None:
    data = (json.dumps(REST[:3]) + "\n" + json.dumps(REST[3:])).encode()

    bundle = read_github(data, ReadOptions())

    assert [item.where for item in bundle.items] == [f"issue #{n}" for n in (14, 12, 11, 10, 9)]


def test_a_bad_issue_is_named_and_the_others_are_read() -> None:
    issues = copy.deepcopy(GH)
    issues[0]["title"] = ""
    issues[1]["createdAt"] = "19/01/2026"
    issues[2]["state"] = "MERGED"
    issues.append(copy.deepcopy(GH[3]))  # #10 twice
    issues.append("#15")

    bundle = read(issues)

    assert [(u.where, u.column) for u in bundle.unreadable] == [
        ("issue #14", "title"),
        ("issue #12", "createdAt"),
        ("issue #11", "state"),
        ("issue #10", "number"),
        ("entry 7", ""),
    ]
    assert "'19/01/2026' is not a date" in bundle.unreadable[1].message
    assert [item.where for item in bundle.items] == ["issue #10", "issue #9"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"number": 1, "title": "One issue"}', "not a list of GitHub issues"),
        (b'[{"name": "checkout", "full_name": "acme/checkout"}]', "none of its entries"),
        (b'[{"number": 1, "title": "x"', "ends too early"),
        (b"[1][{", "ends too early"),
    ],
)
def test_a_file_that_is_not_issues_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(Invalid) as raised:
        read_github(data, ReadOptions())

    assert raised.value.code == InteropErrorCode.IMPORT_FILE_INVALID
    assert says in raised.value.detail
