"""A consistent copy of the whole database while Lodestar runs (``lodestar backup``).

SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page in one step
from a read transaction, so the copy is the database as one moment saw it, while writers go on
(in WAL mode a reader blocks no writer). PostgreSQL: ``pg_dump`` in its custom format (one
snapshot too; restored with ``pg_restore``), which must be on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from lodestar.core.db import is_postgresql
from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode as Code


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # "sqlite" or "pg_dump"
    size: int


def sqlite_backup(source: str | Path, target: Path) -> None:
    """Copy the SQLite database at ``source`` to ``target`` through the online backup API."""
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reader,
        sqlite3.connect(target) as writer,
    ):
        reader.backup(writer)
    reader.close()
    writer.close()


def _pg_dump(settings: dict[str, object], target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise Invalid(
            "Backing up PostgreSQL needs pg_dump (PostgreSQL's client tools, the server's "
            "version or later) on PATH: install it (Debian: apt install postgresql-client).",
            code=Code.BACKUP_UNAVAILABLE,
        )
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [program, "--format=custom", "--no-password", f"--file={target}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise Invalid(
            f"pg_dump failed: {done.stderr.strip() or done.returncode}",
            code=Code.BACKUP_UNAVAILABLE,
        )


def backup_database(target: Path, *, using: str = "default") -> Backup:
    """Write a consistent copy of the database to ``target`` (written beside it, renamed
    when complete: a failed backup leaves no file)."""
    connection = connections[using]
    settings = connection.settings_dict
    target = target.resolve()
    if not target.parent.is_dir():
        raise Invalid(
            f"There is no folder {str(target.parent)!r} to write the backup in.",
            code=Code.BACKUP_UNAVAILABLE,
        )
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    partial = Path(temporary)
    try:
        if is_postgresql(connection):
            _pg_dump(dict(settings), partial)
            kind = "pg_dump"
        else:
            name = str(settings["NAME"])
            if name == ":memory:" or "mode=memory" in name:
                raise Invalid(
                    "The database lives in memory: there is no file to back up.",
                    code=Code.BACKUP_UNAVAILABLE,
                )
            partial.unlink()
            sqlite_backup(name, partial)
            kind = "sqlite"
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Backup(path=target, kind=kind, size=target.stat().st_size)
