"""The example Jira exports the README's tour imports are the ones the tests import."""

from __future__ import annotations

from pathlib import Path

from tests.interop.imports.jira_files import first_export, week_later_export

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def test_the_tours_example_exports_are_the_tested_ones() -> None:
    assert (EXAMPLES / "jira-export.csv").read_bytes() == first_export()
    assert (EXAMPLES / "jira-export-a-week-later.csv").read_bytes() == week_later_export()
