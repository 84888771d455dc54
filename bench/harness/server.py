"""A real ``lodestar serve`` (gunicorn and the task worker) on 127.0.0.1, for a short series
that shows the in-process figures are representative. It is started here and stopped here."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

START_SECONDS = 120.0
STOP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _lodestar() -> str:
    """The ``lodestar`` command next to this interpreter (the project's virtualenv)."""
    return str(Path(sys.executable).with_name("lodestar"))


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text()[-2000:]
            raise RuntimeError(f"lodestar serve exited early; see {log}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"lodestar serve did not answer within {START_SECONDS:.0f} s:\n{log.read_text()[-2000:]}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the supervisor (it stops gunicorn and the worker), then kill its group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@contextlib.contextmanager
def running_server(log: Path, env: dict[str, str] | None = None) -> Iterator[int]:
    """``lodestar serve`` on a free port of 127.0.0.1 for the block; yields the port."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [_lodestar(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env if env is not None else os.environ.copy(),
            start_new_session=True,
        )
        try:
            _wait_until_up(port, process, log)
            yield port
        finally:
            _stop(process)
