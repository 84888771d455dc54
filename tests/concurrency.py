"""Running test bodies in several threads at once, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, connections


def run_concurrently(count: int, body: Callable[[int, Callable[[], object]], None]) -> None:
    """Run ``body(n, wait)`` in ``count`` threads, each with its own database connection;
    ``wait()`` holds a thread until all have reached it. Fails with what any thread raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            body(n, barrier.wait)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[None]:
    """The test database where threads with their own connections wait for each other as on a
    real server: PostgreSQL's already is; SQLite's in-memory one (a second writer fails at once
    with "table is locked") is copied to a file for the race, as tests/api/test_idempotency.py
    does."""
    if connection.vendor != "sqlite":
        yield
        return
    memory, memory_settings = connections["default"], connections.settings["default"]
    file_settings = {**memory_settings, "NAME": str(tmp_path / "race.sqlite3")}
    on_file = type(memory)(file_settings, "default")
    memory.ensure_connection()
    on_file.ensure_connection()
    memory.connection.backup(on_file.connection)
    connections.settings["default"] = file_settings
    connections["default"] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections["default"] = memory
        connections.settings["default"] = memory_settings
