"""``lodestar import SOURCE FILE``: another tool's export into a product, in the foreground,
through the same services as the page and the API (the run is listed with the others).

lodestar import jira export.csv -w acme -p ACME [--team core] [--dry-run]
    [--date-format "dd/MMM/yy h:mm a"] [--points-field "Story Points"] [--timezone Europe/Paris]
    [--status-map "In Review=in_progress" ...] [--invite] [--as EMAIL] [--json]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, ProductOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import EXIT_BAD_INPUT, CliError, JsonOption

if TYPE_CHECKING:
    from lodestar.interop.imports.models import ImportRun

import_app = typer.Typer(help="Import another tool's export into a product.")
import_app.info.no_args_is_help = True

# The sources as the command names them, and what each takes.
SOURCES = {
    "jira": "a Jira export (the CSV with all fields, or the XML of a search)",
    "taiga": "a Taiga project export (JSON)",
    "trello": "a Trello board (JSON)",
    "github": "GitHub issues as JSON (gh issue list --json ...)",
    "linear": "a Linear CSV export",
}

FileArgument = Annotated[Path, typer.Argument(help="The file, as the tool exported it.")]
TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="A team's slug: its sprints are imported too.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Only report what would be created, updated, skipped.")
]
DateFormatOption = Annotated[
    str | None,
    typer.Option(help='How the file writes dates ("dd/MMM/yy h:mm a"); default: detected.'),
]
PointsOption = Annotated[
    str | None, typer.Option(help="The column that holds story points; default: detected.")
]
TimezoneOption = Annotated[
    str | None, typer.Option(help="The time zone of dates without one (default: UTC).")
]
StatusMapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--status-map",
        help='A status as the file spells it and ours: "In Review=in_progress". Repeatable.',
    ),
]
InviteOption = Annotated[
    bool, typer.Option("--invite", help="Email the invitations made for people not yet here.")
]


def _counts(report: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = sorted(set(report["created"]) | set(report["updated"]) | set(report["skipped"]))
    return [
        {
            "kind": kind,
            "created": report["created"].get(kind, 0),
            "updated": report["updated"].get(kind, 0),
            "skipped": report["skipped"].get(kind, 0),
        }
        for kind in kinds
    ]


def _print(run: ImportRun) -> None:
    report = run.report or {}
    console = output.console if report.get("ok") else output.err_console
    for note in report.get("notes", []):
        console.print(f"Note: {escape(output.visible(note, keep=''))}")
    if report.get("unreadable"):
        output.print_table(
            report["unreadable"],
            [("where", "Where"), ("column", "Column"), ("message", "Problem")],
            title="Rows that cannot be read",
            console=output.err_console,
        )
    if report.get("problems"):
        output.print_table(
            report["problems"],
            [("where", "Where"), ("message", "Problem")],
            title="Why the import is refused",
            console=output.err_console,
        )
    for error in report.get("errors", []):
        output.err_console.print(f"Error: {escape(output.visible(error, keep=''))}")
    if report.get("ok"):
        verb = "Would import" if run.dry_run else "Imported"
        output.print_table(
            _counts(report),
            [
                ("kind", "Kind"),
                ("created", "Created"),
                ("updated", "Updated"),
                ("skipped", "Skipped"),
            ],
            title=f"{verb} {run.file_name} into {run.product.key} (import {run.pk})",
        )


def _run(source: str, file: Path, workspace: str, email: str | None, **options: Any) -> None:
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from lodestar.core.errors import NotFound
    from lodestar.interop.imports.services import check_size, import_now
    from lodestar.people.access import access_team
    from lodestar.strategy.refs import product_ref

    as_json = options.pop("as_json")
    actor = acting(workspace, email)
    product = product_ref(actor, options.pop("product"))
    team_slug = options.pop("team")
    try:
        team = access_team(actor, team_slug) if team_slug else None
    except NotFound as error:
        raise CliError(f"there is no team '{team_slug}' in workspace {workspace}.") from error
    try:
        if not file.is_file():
            raise CliError(f"{file} is not a file.")
        size = file.stat().st_size
        check_size(size)  # before a byte is read
        with file.open("rb") as stream:
            arguments = dict(
                actor=actor,
                product=product,
                source=source,
                file=stream,
                size=size,
                file_name=file.name,
                team=team,
                **options,
            )
            if as_json:
                run = import_now(**arguments)
            else:
                with Progress(
                    TextColumn("Importing {task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    console=output.err_console,
                    transient=True,
                ) as bar:
                    task = bar.add_task(file.name, total=None)

                    def progress(done: int, total: int) -> None:
                        bar.update(task, completed=done, total=total)

                    run = import_now(progress=progress, **arguments)
    except OSError as error:
        raise CliError(f"cannot read {file}: {error.strerror or error}.") from error
    if as_json:
        output.print_json({"id": run.pk, "state": run.state, **(run.report or {})})
    else:
        _print(run)
    if not (run.report or {}).get("ok"):
        raise typer.Exit(EXIT_BAD_INPUT)


def _command(source: str) -> Callable[..., None]:
    def command(
        file: FileArgument,
        workspace: WorkspaceOption,
        product: ProductOption,
        team: TeamOption = None,
        dry_run: DryRunOption = False,
        date_format: DateFormatOption = None,
        points_field: PointsOption = None,
        timezone: TimezoneOption = None,
        status_map: StatusMapOption = None,
        invite: InviteOption = False,
        email: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        _run(
            source,
            file,
            workspace,
            email,
            product=product,
            team=team,
            dry_run=dry_run,
            date_format=date_format,
            points_field=points_field,
            timezone_name=timezone,
            status_map=status_map or [],
            invite=invite,
            as_json=as_json,
        )

    command.__doc__ = (
        f"Import {SOURCES[source]} into a product: items, parents, order, labels, comments, "
        "releases and, with --team, sprints. Importing the same file again updates what "
        "changed and creates nothing twice. Exit code 2 with the report when refused."
    )
    return command


for _source in SOURCES:
    import_app.command(_source)(_command(_source))


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
