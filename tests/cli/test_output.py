"""The shared CLI plumbing: errors a user can cause become one line and exit code 2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from django.core.exceptions import ImproperlyConfigured
from typer.testing import CliRunner

from lodestar.cli import output
from lodestar.cli.output import CliError, JsonOption, LodestarGroup
from lodestar.core.errors import Conflict, Invalid, NotFound


def _app(error: Exception) -> typer.Typer:
    app = typer.Typer(cls=LodestarGroup)
    sub = typer.Typer()
    app.add_typer(sub, name="thing")

    @sub.command()
    def explode() -> None:
        raise error

    @app.command()
    def ok(as_json: JsonOption = False) -> None:
        rows = [{"key": "a", "when": dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC), "n": None}]
        output.print_listing(rows, [("key", "Key"), ("when", "When")], as_json=as_json)

    return app


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (CliError("no workspace 'x'"), "Error: no workspace 'x'"),
        (NotFound("No team 'core' in this workspace."), "Error: No team 'core' in this workspace."),
        (Invalid.field("slug", "is taken"), "Error: Slug: is taken."),
        (Conflict("two\nlines"), "Error: two lines"),
        (ImproperlyConfigured("LODESTAR_SECRET_KEY is missing"), "Error: LODESTAR_SECRET_KEY is"),
    ],
)
def test_errors_a_user_can_cause_are_one_line_and_exit_2(error: Exception, line: str) -> None:
    result = CliRunner().invoke(_app(error), ["thing", "explode"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(line)
    assert result.stdout == ""


def test_a_bug_is_not_disguised_as_bad_input() -> None:
    result = CliRunner().invoke(_app(ZeroDivisionError()), ["thing", "explode"])
    assert result.exit_code == 1
    assert isinstance(result.exception, ZeroDivisionError)


def test_usage_errors_exit_2() -> None:
    result = CliRunner().invoke(_app(CliError("x")), ["ok", "--no-such-option"])
    assert result.exit_code == 2


def test_listing_json_parses_with_iso_datetimes_and_nulls() -> None:
    result = CliRunner().invoke(_app(CliError("x")), ["ok", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"key": "a", "when": "2025-01-02T03:04:00+00:00", "n": None}
    ]


def test_listing_table_shows_the_columns() -> None:
    result = CliRunner().invoke(_app(CliError("x")), ["ok"])
    assert result.exit_code == 0, result.output
    assert "Key" in result.stdout
    assert "2025-01-02 03:04" in result.stdout
