"""Writing an export: every table of the workspace, nothing secret, the same bytes each time."""

from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from lodestar.backlog.models import BacklogItem
from lodestar.cli.main import app
from lodestar.interop.exports.format import FORMAT_NAME, SCHEMA_VERSION
from lodestar.people.models import Workspace
from tests.interop.exports.conftest import export_bytes, members


def test_the_demo_workspace_exports_every_table_with_its_manifest(
    demo_workspace: Workspace,
) -> None:
    files = members(export_bytes(demo_workspace))
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == FORMAT_NAME
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["workspace"] == {"slug": "acme", "name": demo_workspace.name}
    for entry in manifest["tables"]:
        data = files[entry["file"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert data.count(b"\n") == entry["rows"]
    by_table = {entry["table"]: entry["rows"] for entry in manifest["tables"]}
    assert (
        by_table["backlog.backlogitem"]
        == BacklogItem.all_objects.filter(workspace=demo_workspace).count()
    )
    assert by_table["core.historyentry"] > 0
    assert by_table["comments.comment"] > 0
    ids = [json.loads(line)["id"] for line in files["backlog/backlogitem.jsonl"].splitlines()]
    assert ids == sorted(ids)


def test_no_secret_leaves_in_an_export(demo_workspace: Workspace) -> None:
    files = members(export_bytes(demo_workspace))
    assert not any(
        name.startswith(("sessions/", "core/searchentry", "core/outbox")) for name in files
    )
    assert "people/apitoken.jsonl" not in files
    assert "people/invitation.jsonl" not in files
    users = [json.loads(line) for line in files["people/user.jsonl"].splitlines()]
    assert users
    assert all(
        set(user) == {"id", "email", "full_name", "is_active", "date_joined"} for user in users
    )
    everything = b"".join(files.values())
    assert b"pbkdf2_sha256$" not in everything


def test_two_exports_of_the_same_data_hold_the_same_bytes(demo_workspace: Workspace) -> None:
    first, second = members(export_bytes(demo_workspace)), members(export_bytes(demo_workspace))
    first.pop("manifest.json")
    second.pop("manifest.json")
    assert first == second


def test_another_workspaces_rows_stay_out(
    small_workspace: Workspace, outsider: object, other_workspace: Workspace
) -> None:
    files = members(export_bytes(small_workspace))
    emails = [json.loads(line)["email"] for line in files["people/user.jsonl"].splitlines()]
    assert sorted(emails) == ["admin@acme.test", "owner@acme.test"]
    workspaces = files["people/workspace.jsonl"].splitlines()
    assert [json.loads(line)["slug"] for line in workspaces] == ["acme"]


@pytest.mark.django_db(transaction=True)
def test_the_cli_writes_the_file(tmp_path: object, small_workspace: Workspace) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "acme.zip"
    result = CliRunner().invoke(app, ["export", "--workspace", "acme", str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported workspace 'acme'" in result.output
    assert "people/membership.jsonl" in members(target.read_bytes())
    assert [p.name for p in target.parent.iterdir()] == ["acme.zip"]


@pytest.mark.django_db
def test_the_cli_names_a_missing_workspace(tmp_path: object) -> None:
    result = CliRunner().invoke(app, ["export", "--workspace", "nope", f"{tmp_path}/x.zip"])
    assert result.exit_code == 2
    assert "no workspace 'nope'" in result.output
