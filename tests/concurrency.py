"""Running test bodies in several threads at once, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


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
