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


def register(app: typer.Typer) -> None:
    """Add ``export``, ``restore`` and ``backup`` to ``app``."""
    app.command("export")(export)
