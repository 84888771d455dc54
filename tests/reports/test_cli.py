"""``lodestar report``: the same report as Markdown, HTML or JSON, to stdout or a file, and bad
input as one line with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lodestar.strategy.models import Product
from tests.cli.support import error_line, run
from tests.conftest import Persona
from tests.reports.conftest import World

pytestmark = pytest.mark.django_db

W = ("-w", "acme", "--product", "ACME")
Q4 = ("--since", "2026-10-01", "--until", "2026-12-31")


def test_the_report_as_markdown_on_stdout(owner: Persona, world: World) -> None:
    result = run("report", *W, *Q4)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ACME Acme Analytics: stakeholder update\n")
    assert "| Sprint \\| 1 |" in result.stdout


def test_the_report_as_json_and_html_into_files(
    owner: Persona, world: World, tmp_path: Path
) -> None:
    target = tmp_path / "q4.json"
    result = run("report", *W, *Q4, "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text())
    assert data["since"] == "2026-10-01"
    assert data["sprints"][0]["name"] == "Sprint | 1"
    assert "Wrote the json report of ACME" in result.stderr
    page = tmp_path / "q4.html"
    assert run("report", *W, *Q4, "-f", "html", "-o", str(page)).exit_code == 0
    assert page.read_text().startswith("<!doctype html>")
    printed = run("report", *W, "--since", "2026-10-01", "--format", "json")
    assert json.loads(printed.stdout)["product_key"] == "ACME"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--since", "2026-10-32"), "--since: must be a date like 2026-10-01"),
        (("--since", "2026-12-01", "--until", "2026-10-01"), "must be on or before --until"),
        (("--since", "2020-01-01", "--until", "2026-01-01"), "at most 366"),
    ],
)
def test_a_bad_period_is_one_line_and_no_file(
    owner: Persona, product: Product, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    target = tmp_path / "r.md"
    line = error_line(run("report", *W, *args, "-o", str(target)))
    assert words in line
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_unknown_products_workspaces_and_folders(
    owner: Persona, product: Product, foreign_product: Product, tmp_path: Path
) -> None:
    assert "No product 'NOPE'" in error_line(run("report", "-w", "acme", "-p", "NOPE"))
    assert "No product 'GLOB'" in error_line(run("report", "-w", "acme", "-p", "GLOB"))
    assert "no workspace 'nope'" in error_line(run("report", "-w", "nope", "-p", "ACME"))
    assert "is a folder" in error_line(run("report", *W, "-o", str(tmp_path)))
    missing = tmp_path / "no" / "r.md"
    assert "does not exist" in error_line(run("report", *W, "-o", str(missing)))
    assert "markdown" in run("report", *W, "--format", "pdf").output
