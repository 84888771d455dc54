"""``lodestar backup``: a consistent copy while the database is written to."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connection

from lodestar.core.errors import Invalid
from lodestar.interop.exports import backup
from lodestar.interop.exports.backup import backup_database, sqlite_backup

BATCH = 50


def test_an_sqlite_copy_taken_while_another_connection_writes_is_consistent(
    tmp_path: Path,
) -> None:
    source = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(source)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, batch INTEGER, text TEXT)")
    setup.commit()
    setup.close()
    written = threading.Event()
    stop = threading.Event()
    batches = [0]

    def write() -> None:
        writer = sqlite3.connect(source, timeout=30)
        while not stop.is_set():
            with writer:  # one transaction per batch of BATCH rows
                writer.executemany(
                    "INSERT INTO row (batch, text) VALUES (?, ?)",
                    [(batches[0], "x" * 200)] * BATCH,
                )
            batches[0] += 1
            if batches[0] >= 20:
                written.set()
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert written.wait(30)
        copies = [tmp_path / f"copy-{n}.sqlite3" for n in range(3)]
        for copy in copies:
            sqlite_backup(source, copy)
    finally:
        stop.set()
        thread.join()
    counts = []
    for copy in copies:
        check = sqlite3.connect(copy)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (rows,) = check.execute("SELECT count(*) FROM row").fetchone()
        # Only whole transactions: every batch complete.
        assert rows % BATCH == 0
        assert check.execute(
            "SELECT count(*) FROM (SELECT batch FROM row GROUP BY batch HAVING count(*) != ?)",
            [BATCH],
        ).fetchone() == (0,)
        counts.append(rows)
        check.close()
    assert counts[0] >= 20 * BATCH
    assert counts == sorted(counts)


@pytest.mark.django_db
def test_postgresql_without_pg_dump_says_what_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(Invalid, match="needs pg_dump"):
        backup._pg_dump({"NAME": "lodestar"}, tmp_path / "x.dump")


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_is_a_pg_dump_archive(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the tests run on SQLite (set DATABASE_URL)")
    if shutil.which("pg_restore") is None or shutil.which("pg_dump") is None:
        pytest.skip("pg_dump and pg_restore are not on PATH")
    done = backup_database(tmp_path / "lodestar.dump")
    assert done.kind == "pg_dump"
    listing = subprocess.run(  # noqa: S603
        [shutil.which("pg_restore") or "", "--list", str(done.path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "TABLE public backlog_backlogitem" in listing
    assert [p.name for p in tmp_path.iterdir()] == ["lodestar.dump"]


@pytest.mark.django_db
def test_an_in_memory_database_has_no_file_to_back_up(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(Invalid, match="in memory"):
        backup_database(tmp_path / "copy.sqlite3")
    assert list(tmp_path.iterdir()) == []
