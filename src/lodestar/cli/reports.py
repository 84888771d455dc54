"""``lodestar report``: a product's stakeholder update, the same report as the page and the
API, as Markdown (the default), printable HTML or JSON.

lodestar report -w acme --product ACME [--since 2026-10-01] [--until 2026-12-31]
    [--format markdown|html|json] [--output FILE]
"""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, ProductOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError


class Format(enum.StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="The first day, like 2026-10-01 (default: 90 days ago)."),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="The last day, included (default: today).")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="markdown, html or json.")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
]


def _write(path: Path, content: str) -> None:
    """``content`` into ``path`` whole or not at all: written beside it, then renamed."""
    if path.is_dir():
        raise CliError(f"--output {path} is a folder; name a file.")
    if not path.parent.is_dir():
        raise CliError(f"--output {path}: the folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CliError(f"--output {path}: {error.strerror or error}.") from error


def report_command(
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    format: FormatOption = Format.MARKDOWN,
    to: OutputOption = None,
) -> None:
    """A product's stakeholder update for a period: Product Goal progress, sprints and their
    goals, releases and their forecasts, decisions taken, the top problems by evidence."""
    setup_django()
    from django.utils import timezone

    from lodestar.reports.markdown import report_markdown
    from lodestar.reports.periods import period_of
    from lodestar.reports.printable import report_html
    from lodestar.reports.schemas import ReportOut
    from lodestar.reports.selectors import stakeholder_report
    from lodestar.strategy.access import access_product

    actor = acting(workspace, email)
    found = access_product(actor, product)
    today = timezone.localdate()
    period = period_of(since, until, today=today, fields=("--since", "--until"))
    report = stakeholder_report(actor, found, period.since, period.until, today=today)
    if format is Format.JSON:
        data = ReportOut.of(report).model_dump(mode="json")
        if to is None:
            output.print_json(data)
            return
        content = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif format is Format.HTML:
        content = report_html(report, today=today)
    else:
        content = report_markdown(report)
    if to is None:
        # No user text may drive the terminal (HTML keeps what Markdown drops).
        typer.echo(output.visible(content), nl=False)
        return
    _write(to, content)
    typer.echo(f"Wrote the {format.value} report of {report.product_key} to {to}.", err=True)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report_command)
