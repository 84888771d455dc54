"""Restoring an export: everything comes back with new ids, or nothing is written."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.backlog.services import item_update
from lodestar.cli.main import app
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.models import HistoryEntry, SearchEntry
from lodestar.interop.exports import format as export_format
from lodestar.interop.exports import migrations
from lodestar.interop.exports.reader import Limits
from lodestar.interop.exports.restore import restore_export
from lodestar.people.models import Membership, Role, Team, User, Workspace
from lodestar.people.policy import Actor
from tests.conftest import PASSWORD, Persona
from tests.interop.exports.conftest import export_bytes, members
from tests.interop.exports.roundtrip import carried, parsed


def _zip(files: dict[str, bytes], *, fix_sums: bool = True) -> bytes:
    """A zip of ``files``; the manifest's sums and counts made to match them."""
    if fix_sums and "manifest.json" in files:
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["tables"]:
            data = files[entry["file"]]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["rows"] = data.count(b"\n")
        files = {**files, "manifest.json": json.dumps(manifest).encode()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Workspace.objects.count(),
        User.objects.count(),
        Membership.all_objects.count(),
        Team.objects.count(),
        HistoryEntry.objects.count(),
    )


@pytest.fixture
def small_export(small_workspace: Workspace, team: Team) -> dict[str, bytes]:
    return members(export_bytes(small_workspace))


def test_export_restore_export_is_the_same_file_apart_from_the_ids(
    demo_workspace: Workspace,
) -> None:
    first = members(export_bytes(demo_workspace))
    restored = restore_export(io.BytesIO(_zip(first, fix_sums=False)), slug="acme-copy")
    second = members(export_bytes(restored.workspace))
    assert restored.workspace.slug == "acme-copy"
    assert restored.users_created == 0  # the same instance: everyone matched by email
    expected = carried(first, restored.ids, "acme-copy")
    actual = parsed(second)
    assert expected.keys() == actual.keys()
    for name in expected:
        assert expected[name] == actual[name], name
    # The copy has its own rows, and its objects are found by search.
    items = BacklogItem.all_objects.filter(workspace=restored.workspace)
    assert items.count() == BacklogItem.all_objects.filter(workspace=demo_workspace).count()
    assert not items.filter(pk__in=BacklogItem.all_objects.filter(workspace=demo_workspace))
    assert SearchEntry.objects.filter(workspace=restored.workspace).count() > 0


def test_the_export_of_a_restored_workspace_maps_the_ids_in_its_manifest(
    demo_workspace: Workspace,
) -> None:
    """Export -> restore -> export: the second file's manifest says what it was restored from
    and maps every id of the first file to its own; through that map alone (ids inside history
    ``changes`` too: a parent before and after) the first file's rows are the second's."""
    owner = Membership.objects.filter(workspace=demo_workspace, role=Role.OWNER).first()
    assert owner is not None
    items = BacklogItem.objects.filter(workspace=demo_workspace, parent__isnull=True)
    epic = items.filter(kind=ItemKind.EPIC).first()
    story = items.filter(kind=ItemKind.STORY).first()
    assert epic is not None
    assert story is not None
    item_update(actor=Actor(user=owner.user, membership=owner), item=story, parent=epic)
    first = members(export_bytes(demo_workspace))
    restored = restore_export(io.BytesIO(_zip(first, fix_sums=False)), slug="acme-copy")
    second = members(export_bytes(restored.workspace))
    manifest = json.loads(second["manifest.json"])
    source = manifest["restored_from"]
    assert source["slug"] == "acme"
    assert source["exported_at"] == json.loads(first["manifest.json"])["exported_at"]
    ids = {table: export_format.from_runs(runs) for table, runs in source["ids"].items()}
    assert ids == restored.ids
    # A few runs per table, not an entry per row.
    assert sum(len(runs) for runs in source["ids"].values()) < sum(map(len, ids.values())) / 5
    expected = carried(first, ids, "acme-copy")
    actual = parsed(second)
    for name in expected:
        assert expected[name] == actual[name], name
    # Ids inside history's changes were mapped: the parent of an item, before and after.
    history = "core/historyentry.jsonl"
    moved = [
        (old, new)
        for old, new in zip(parsed(first)[history], actual[history], strict=True)
        if isinstance(old["changes"], dict) and isinstance(old["changes"].get("parent"), list)
    ]
    assert moved
    mapped = ids["backlog.backlogitem"]
    for old, new in moved:
        assert new["changes"]["parent"] == [
            None if v is None else mapped.get(v, -v) for v in old["changes"]["parent"]
        ]
    assert [None, mapped[epic.pk]] in [new["changes"]["parent"] for _, new in moved]
    # The export of a workspace no restore made says nothing of one.
    assert "restored_from" not in json.loads(first["manifest.json"])


def test_id_runs_round_trip() -> None:
    mapping = {1: 101, 2: 102, 3: 103, 7: 104, 8: 105, 10: 50}
    assert export_format.id_runs(mapping) == [[1, 101, 3], [7, 104, 2], [10, 50, 1]]
    assert export_format.from_runs(export_format.id_runs(mapping)) == mapping
    assert export_format.id_runs({}) == []


def test_people_new_to_the_instance_come_without_a_usable_password(
    small_export: dict[str, bytes],
) -> None:
    users = [json.loads(line) for line in small_export["people/user.jsonl"].splitlines()]
    for user in users:
        user["email"] = user["email"].replace("acme.test", "elsewhere.test")
    files = {
        **small_export,
        "people/user.jsonl": b"".join(json.dumps(u).encode() + b"\n" for u in users),
    }
    restored = restore_export(io.BytesIO(_zip(files)), slug="copy")
    assert (restored.users_created, restored.users_matched) == (2, 0)
    new = User.objects.get(email="owner@elsewhere.test")
    assert not new.has_usable_password()
    assert Membership.objects.filter(workspace=restored.workspace, user=new).exists()
    # A user matched by email keeps their password.
    assert User.objects.get(email="owner@acme.test").check_password(PASSWORD)


def test_a_restore_into_an_empty_workspace_keeps_its_members(
    small_export: dict[str, bytes], other_workspace: Workspace, outsider: Persona
) -> None:
    restored = restore_export(io.BytesIO(_zip(small_export)), slug="globex")
    assert restored.workspace == other_workspace
    emails = set(
        Membership.all_objects.filter(workspace=other_workspace).values_list(
            "user__email", flat=True
        )
    )
    assert emails == {"owner@acme.test", "admin@acme.test", outsider.email}
    assert Team.objects.filter(workspace=other_workspace, slug="core").exists()


def _refused(data: bytes, match: str, code: str, **kwargs: Any) -> None:
    before = _counts()
    with pytest.raises((Invalid, Conflict)) as caught:
        restore_export(io.BytesIO(data), **kwargs)
    assert caught.value.code == code, caught.value.detail
    assert match in caught.value.detail
    assert _counts() == before


def test_a_workspace_that_is_not_empty_is_refused(small_export: dict[str, bytes]) -> None:
    # "acme" is the exported workspace itself: it holds a team.
    _refused(_zip(small_export), "'acme' is not empty", "restore_workspace_not_empty")


def test_not_a_zip_is_refused(db: None) -> None:
    _refused(b"id,title\n1,Hello\n", "not a zip", "restore_file_invalid")


def test_a_zip_without_manifest_is_refused(small_export: dict[str, bytes]) -> None:
    files = dict(small_export)
    del files["manifest.json"]
    _refused(_zip(files), "no manifest.json", "restore_file_invalid", slug="copy")


def test_a_checksum_that_does_not_match_is_refused(small_export: dict[str, bytes]) -> None:
    files = dict(small_export)
    files["people/team.jsonl"] = files["people/team.jsonl"].replace(b'"Core"', b'"Kore"')
    _refused(
        _zip(files, fix_sums=False),
        "people/team.jsonl does not match its SHA-256",
        "restore_checksum_mismatch",
        slug="copy",
    )


def test_a_newer_schema_is_refused(small_export: dict[str, bytes]) -> None:
    manifest = json.loads(small_export["manifest.json"])
    manifest["schema_version"] = export_format.SCHEMA_VERSION + 1
    files = {**small_export, "manifest.json": json.dumps(manifest).encode()}
    _refused(
        _zip(files, fix_sums=False),
        f"reads schemas up to {export_format.SCHEMA_VERSION}",
        "restore_schema_newer",
        slug="copy",
    )


def test_a_truncated_line_is_named_with_its_file_and_line(small_export: dict[str, bytes]) -> None:
    files = dict(small_export)
    lines = files["people/membership.jsonl"].splitlines(keepends=True)
    assert len(lines) == 2
    files["people/membership.jsonl"] = lines[0] + lines[1][:40]
    _refused(
        _zip(files),
        "people/membership.jsonl, line 2: the line is cut short",
        "restore_file_invalid",
        slug="copy",
    )
    files["people/membership.jsonl"] = lines[0] + lines[1][:40] + b"\n"
    _refused(
        _zip(files),
        "people/membership.jsonl, line 2: not a JSON object",
        "restore_file_invalid",
        slug="copy",
    )


def test_a_row_naming_an_id_not_in_the_file_is_refused(small_export: dict[str, bytes]) -> None:
    files = dict(small_export)
    team = json.loads(files["people/team.jsonl"])
    team["workspace_id"] = 999
    files["people/team.jsonl"] = json.dumps(team).encode() + b"\n"
    _refused(
        _zip(files),
        "people/team.jsonl, line 1: workspace_id 999 names a people.workspace row that is not "
        "in the export",
        "restore_reference_missing",
        slug="copy",
    )


@pytest.mark.parametrize(
    ("limits", "match"),
    [
        (Limits(members=5), "an export holds at most 5"),
        (Limits(member_bytes=100), "at most 100 are read from one file"),
        (Limits(total_bytes=1000), "at most 1000 are read"),
    ],
)
def test_zip_bomb_limits_are_checked_before_anything_is_read(
    small_export: dict[str, bytes], limits: Limits, match: str
) -> None:
    _refused(_zip(small_export), match, "restore_file_too_large", slug="copy", limit=limits)


def test_a_member_packed_beyond_the_ratio_is_refused(small_export: dict[str, bytes]) -> None:
    files = {**small_export, "padding.bin": b"\0" * (4 * 1024 * 1024)}
    _refused(_zip(files), "a zip bomb?", "restore_file_too_large", slug="copy")


def test_a_member_larger_than_it_declares_is_stopped_while_read(
    small_export: dict[str, bytes],
) -> None:
    data = bytearray(_zip(small_export))
    # Make people/team.jsonl declare 1 byte in the central directory: the reader stops it.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("people/team.jsonl")
    size = info.file_size.to_bytes(4, "little")
    name = b"people/team.jsonl"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    assert data[central + 24 : central + 28] == size
    data[central + 24 : central + 28] = (1).to_bytes(4, "little")
    _refused(bytes(data), "people/team.jsonl", "restore_file_invalid", slug="copy")


def test_an_older_schema_goes_through_the_format_migrations(
    small_export: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of schema 1 read by a Lodestar of schema 2, whose step renamed a column."""
    monkeypatch.setattr(export_format, "SCHEMA_VERSION", 2)
    monkeypatch.setattr("lodestar.interop.exports.restore.SCHEMA_VERSION", 2)
    monkeypatch.setattr("lodestar.interop.exports.reader.SCHEMA_VERSION", 2)
    seen: list[str] = []

    def step(table: str, row: dict[str, Any]) -> dict[str, Any]:
        seen.append(table)
        if table == "people.team":
            row["name"] = row["name"].upper()
        return row

    monkeypatch.setitem(migrations.STEPS, 1, step)
    restored = restore_export(io.BytesIO(_zip(small_export)), slug="copy")
    assert Team.objects.get(workspace=restored.workspace).name == "CORE"
    assert {"people.user", "people.workspace", "people.team"} <= set(seen)


@pytest.mark.django_db(transaction=True)
def test_the_cli_restores_and_writes_the_id_map(
    tmp_path: Path, small_workspace: Workspace, team: Team
) -> None:
    source = tmp_path / "acme.zip"
    runner = CliRunner()
    assert runner.invoke(app, ["export", "-w", "acme", str(source)]).exit_code == 0
    result = runner.invoke(
        app,
        ["restore", str(source), "--workspace-slug", "acme-2", "--id-map", str(tmp_path / "m")],
    )
    assert result.exit_code == 0, result.output
    assert "Restored workspace 'acme-2'" in result.output
    ids = json.loads((tmp_path / "m").read_text())
    copy = Workspace.objects.get(slug="acme-2")
    assert ids["people.workspace"] == {str(small_workspace.pk): copy.pk}
    again = runner.invoke(app, ["restore", str(source), "--workspace-slug", "acme-2"])
    assert again.exit_code == 2
    assert "'acme-2' is not empty" in again.output


def test_a_user_without_an_email_is_named(small_export: dict[str, bytes]) -> None:
    users = small_export["people/user.jsonl"].splitlines()
    broken = json.loads(users[1])
    del broken["email"]
    files = {
        **small_export,
        "people/user.jsonl": users[0] + b"\n" + json.dumps(broken).encode() + b"\n",
    }
    _refused(
        _zip(files),
        "people/user.jsonl, line 2: a user needs an email",
        "restore_file_invalid",
        slug="copy",
    )
