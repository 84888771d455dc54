"""``lodestar export``, ``lodestar restore`` and ``lodestar backup`` (docs/EXPORT.md).

lodestar export --workspace acme acme.zip
lodestar restore acme.zip [--workspace-slug acme-copy] [--id-map ids.json]
lodestar backup lodestar-2026-12-02.sqlite3     (or .dump on PostgreSQL)

They run with the database's own rights, as the administrator of the instance: no member
acts, so no workspace permission applies (the API and the page ask for an owner or admin).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from lodestar.cli import output
from lodestar.cli.backlog import WorkspaceOption
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError

FileArgument = Annotated[Path, typer.Argument(help="The file to write.", dir_okay=False)]


def export(workspace: WorkspaceOption, file: FileArgument) -> None:
    """Write the whole workspace to FILE: a zip of JSON Lines files with a manifest."""
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from lodestar.cli.people import find_workspace
    from lodestar.interop.exports.writer import write_export

    found = find_workspace(workspace)
    target = file.resolve()
    if not target.parent.is_dir():
        raise CliError(f"there is no folder {str(target.parent)!r} to write {file.name!r} in.")
    # Written beside the target and renamed when complete: a failed export leaves no file.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with (
            os.fdopen(handle, "wb") as out,
            Progress(
                TextColumn("Exporting"),
                BarColumn(),
                MofNCompleteColumn(),
                console=output.err_console,
                transient=True,
            ) as progress,
        ):
            bar = progress.add_task("rows", total=None)
            written = write_export(
                found,
                out,
                progress=lambda done, total: progress.update(bar, completed=done, total=total),
            )
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    tables = sum(1 for t in written.manifest["tables"] if t["rows"])
    output.console.print(
        f"Exported workspace '{found.slug}' to {file}: {written.rows} rows in {tables} tables."
    )


def restore(
    file: Annotated[
        Path, typer.Argument(help="The export to restore.", exists=True, dir_okay=False)
    ],
    workspace_slug: Annotated[
        str | None,
        typer.Option(
            "--workspace-slug",
            help="The slug of the restored workspace (default: the export's). No workspace may "
            "have it, or it must be empty.",
        ),
    ] = None,
    id_map: Annotated[
        Path | None,
        typer.Option(
            "--id-map",
            help="Also write, as JSON, each table's map from the ids in the file to the new ids.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Load an export into a new or empty workspace: everything or nothing."""
    setup_django()
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from lodestar.interop.exports.restore import restore_export

    with (
        file.open("rb") as source,
        Progress(
            TextColumn("Restoring"),
            BarColumn(),
            MofNCompleteColumn(),
            console=output.err_console,
            transient=True,
        ) as progress,
    ):
        bar = progress.add_task("rows", total=None)
        restored = restore_export(
            source,
            slug=workspace_slug,
            progress=lambda done, total: progress.update(bar, completed=done, total=total),
        )
    if id_map is not None:
        id_map.write_text(
            json.dumps(
                {table: {str(k): v for k, v in ids.items()} for table, ids in restored.ids.items()},
                sort_keys=True,
            )
        )
    output.console.print(
        f"Restored workspace '{restored.workspace.slug}': {restored.rows} rows; "
        f"{restored.users_matched} people matched by email, {restored.users_created} new "
        '(they set a password with "Forgot your password?").'
    )


def backup(
    file: Annotated[Path, typer.Argument(help="The file to write the copy to.", dir_okay=False)],
) -> None:
    """Copy the whole database, consistently, while Lodestar runs: SQLite's online backup, or
    pg_dump's custom format on PostgreSQL (restored with pg_restore)."""
    setup_django()
    from lodestar.interop.exports.backup import backup_database

    done = backup_database(file)
    how = "pg_dump, custom format" if done.kind == "pg_dump" else "SQLite online backup"
    output.console.print(f"Backed up the database to {file} ({how}, {done.size} bytes).")


def register(app: typer.Typer) -> None:
    """Add ``export``, ``restore`` and ``backup`` to ``app``."""
    app.command("export")(export)
    app.command("restore")(restore)
    app.command("backup")(backup)
