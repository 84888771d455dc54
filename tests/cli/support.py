"""Helpers for the CLI tests: run a command in-process, and read its one-line error."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from lodestar.cli.main import app


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def error_line(result: Result) -> str:
    """The single ``Error: ...`` line of a command that refused its input with exit code 2."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert result.stdout == ""
    return lines[0]
