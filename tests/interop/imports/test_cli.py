"""``lodestar import SOURCE FILE``: in the foreground, the report printed, exit 2 when
refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.interop.imports import readers
from lodestar.interop.imports.models import ImportRun
from lodestar.strategy.models import Product
from tests.cli.support import error_line, run
from tests.conftest import Persona
from tests.interop.imports.tiny_reader import PATH

CSV = (
    "key,title,kind,status,parent\n"
    "PAY-2,Pay by card,story,In Progress:in_progress,PAY-1\n"
    "PAY-1,Payments,epic,To Do:todo,\n"
    "PAY-3,Refunds,story,In Review,PAY-1\n"
)


@pytest.fixture(autouse=True)
def tiny_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(readers.READERS, "jira", PATH)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(CSV)
    return path


def test_a_refused_import_prints_the_report_and_exits_2(
    owner: Persona, product: Product, export: Path
) -> None:
    result = run("import", "jira", str(export), "-w", "acme", "-p", "ACME")

    assert result.exit_code == 2, result.output
    assert "Why the import is refused" in result.stderr
    assert "line 4" in result.stderr
    assert "In Review" in result.stderr
    assert "--status-map" in result.stderr
    assert not BacklogItem.objects.exists()
    assert ImportRun.objects.get().state == "failed"


def test_dry_run_then_import_then_again(owner: Persona, product: Product, export: Path) -> None:
    mapping = ("--status-map", "In Review=in_progress")
    dry = run("import", "jira", str(export), "-w", "acme", "-p", "ACME", "--dry-run", *mapping)
    assert dry.exit_code == 0, dry.output
    assert "Would import export.csv into ACME" in dry.stdout
    assert not BacklogItem.objects.exists()

    done = run("import", "jira", str(export), "-w", "acme", "-p", "ACME", *mapping)
    assert done.exit_code == 0, done.output
    assert "Imported export.csv into ACME" in done.stdout
    assert BacklogItem.objects.filter(product=product).count() == 3

    again = run("import", "jira", str(export), "-w", "acme", "-p", "ACME", *mapping, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["created"] == {}
    assert report["skipped"] == {"item": 3}
    assert report["state"] == "done"


def test_a_file_the_reader_cannot_read(owner: Persona, product: Product, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"items": [{"key": "PAY-1", "ti')

    result = run("import", "jira", str(path), "-w", "acme", "-p", "ACME")

    assert result.exit_code == 2
    assert "Error: The file is not complete JSON" in result.stderr
    assert not BacklogItem.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    owner: Persona, product: Product, export: Path, settings: object
) -> None:
    settings.IMPORT_MAX_BYTES = 10  # type: ignore[attr-defined]

    line = error_line(run("import", "jira", str(export), "-w", "acme", "-p", "ACME"))

    assert "an import takes files up to 10 bytes" in line
    assert not ImportRun.objects.exists()


def test_a_missing_file_and_an_unknown_team(
    owner: Persona, product: Product, tmp_path: Path, export: Path
) -> None:
    missing = error_line(
        run("import", "jira", str(tmp_path / "no.csv"), "-w", "acme", "-p", "ACME")
    )
    assert "is not a file" in missing
    team = error_line(run("import", "jira", str(export), "-w", "acme", "-p", "ACME", "-t", "x"))
    assert "there is no team 'x'" in team


def test_a_member_may_not_import(developer: Persona, product: Product, export: Path) -> None:
    line = error_line(
        run("import", "jira", str(export), "-w", "acme", "-p", "ACME", "--as", developer.email)
    )
    assert "Only workspace owners and admins import" in line
