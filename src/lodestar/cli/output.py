"""What every ``lodestar`` command shares: one-line errors with exit code 2, JSON and tables.

- ``fail(message)``, or ``raise CliError(message)`` anywhere below a command: one line on
  stderr (``Error: message``) and exit code 2.
- A ``DomainError`` from a service or an access gate ends the same way, in the words a page
  message uses (``core.errors.error_sentence``: each field error names its field), and
  so does a settings error (production without a secret key): commands call services without
  a try/except. The root ``Typer`` uses ``LodestarGroup``, which does the mapping for every
  command group, so a new group needs nothing to get it.
- ``JsonOption`` is the ``--json`` flag of every listing; ``print_listing`` prints the rows as
  a Rich table, or as a JSON array of objects with the same keys (values made JSON-safe by
  ``json_safe``), and ``print_json`` prints any value as JSON alone on stdout.
- ``console`` writes to stdout and ``err_console`` to stderr (Rich, so markup is allowed).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

EXIT_BAD_INPUT = 2

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (an array of objects) instead of a table.")
]


class CliError(Exception):
    """Bad input on the command line: reported as one line on stderr, exit code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The most rows a list command prints (its ``--limit``), as the API's pages.
LIMIT_MAX = 500


def checked_limit(limit: int) -> int:
    """A list command's ``--limit``, 1 to ``LIMIT_MAX``; else a ``CliError`` saying so."""
    if not 1 <= limit <= LIMIT_MAX:
        raise CliError(f"--limit must be 1 to {LIMIT_MAX} (it is {limit}).")
    return limit


# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts colour and
# cursor sequences, 0x9B is a one-byte CSI) and the bidirectional overrides that reorder what
# is displayed. Line breaks and tabs stay where text may span lines.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hidden(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in _BIDI


def visible(text: str, *, keep: str = "\n\t") -> str:
    """``text`` with every control character shown as its escape (``\x1b``, ``\u202e``), so
    user data printed by the CLI can never drive the terminal."""
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if _hidden(c) and c not in keep
        else c
        for c in text
    )


def one_line(message: str) -> str:
    """``message`` squeezed onto one line (an error must never span several), controls shown."""
    return visible(" ".join(message.split()), keep="")


def fail(message: str) -> NoReturn:
    """Print ``Error: message`` on one line of stderr and exit with code 2."""
    typer.echo(f"Error: {one_line(message)}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


class LodestarGroup(TyperGroup):
    """The root command group: turns the errors a user can cause into ``fail``."""

    def invoke(self, ctx: Any) -> Any:
        # Imported here: Django's modules load only once a command runs, so --help stays fast.
        from django.core.exceptions import ImproperlyConfigured

        from lodestar.core.errors import DomainError, error_sentence

        try:
            return super().invoke(ctx)
        except CliError as exc:
            fail(exc.message)
        except DomainError as exc:
            fail(error_sentence(exc))
        except ImproperlyConfigured as exc:
            fail(str(exc))


def json_safe(value: Any) -> Any:
    """``value`` with datetimes as ISO 8601 strings and enums as their values."""
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON, alone on stdout (no colours, so it always parses).
    JSON escapes C0 controls itself; C1 controls and bidirectional overrides are escaped too."""
    text = json.dumps(json_safe(value), indent=2, ensure_ascii=False)
    typer.echo("".join(f"\\u{ord(c):04x}" if _hidden(c) and c not in "\n" else c for c in text))


def _text(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value) or "-"
    return visible(str(value), keep="")


def _cell(value: Any) -> Text:
    """A table cell: the value as plain text (no Rich markup in user data), controls shown."""
    return Text(_text(value))


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    title: str | None = None,
    one_line: Mapping[str, int] | None = None,
    console: Console = console,
) -> None:
    """A Rich table of ``rows``; ``columns`` are ``(key, header)`` pairs in display order,
    printed on ``console`` (stdout unless told).

    ``one_line`` names the columns of long free text (like titles), each with its share of the
    width the other columns leave: they end in "…" instead of wrapping, so each row stays one
    line in any terminal, and the other columns keep their full width."""
    if not one_line:
        table = Table(title=title, title_justify="left")
        for _, header in columns:
            table.add_column(header, overflow="fold")
    else:
        # Light rules and exact widths for the short columns leave the most room to the text.
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        widths = {
            key: max([len(header)] + [len(_cell(row.get(key)).plain) for row in rows])
            for key, header in columns
        }
        fixed = sum(width for key, width in widths.items() if key not in one_line)
        # Each gap between columns takes three characters, the two edges and Rich's margin three.
        free = max(console.width - fixed - 3 * (len(columns) - 1) - 3, 10 * len(one_line))
        shares = sum(one_line.values())
        for key, header in columns:
            if key in one_line:
                width = min(widths[key], max(10, free * one_line[key] // shares))
                table.add_column(header, overflow="ellipsis", no_wrap=True, max_width=width)
            else:
                table.add_column(header, no_wrap=True, min_width=widths[key])
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in columns))
    console.print(table)


def print_listing(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    as_json: bool,
    title: str | None = None,
    empty: str = "Nothing to list.",
    one_line: Mapping[str, int] | None = None,
) -> None:
    """A listing: the rows as JSON (every key) with ``--json``, else a table of ``columns``."""
    if as_json:
        print_json(list(rows))
    elif not rows:
        console.print(empty)
    else:
        print_table(rows, columns, title=title, one_line=one_line)
