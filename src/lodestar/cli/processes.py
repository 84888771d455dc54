"""The processes behind ``lodestar serve``: a listening socket, gunicorn, and a supervisor.

``serve`` binds the socket itself (so a busy port is reported at once, in one line), then
starts two children in their own session: ``lodestar web --fd N`` (gunicorn, inheriting the
socket) and ``lodestar worker``. It stays in the foreground as their supervisor: on Ctrl-C or
SIGTERM it asks both to stop (SIGTERM, once), waits for them for a bounded time, then kills
what is left; a second Ctrl-C kills at once. If a child dies on its own, the other is stopped
too and ``serve`` exits non-zero, so a service manager restarts the pair. On Linux the children
also get SIGTERM if the supervisor itself is killed, so they never outlive it."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from lodestar.cli.output import CliError

# Gunicorn waits this long for requests in flight; the supervisor a little longer.
GRACEFUL_SECONDS = 10
STOP_SECONDS = GRACEFUL_SECONDS + 5
# Tools often deliver one stop as several signals (to the process and to its group at once);
# only a signal this long after the first means "stop now".
DUPLICATE_SIGNAL_SECONDS = 1.0
# Gunicorn's largest request line, in bytes (see gunicorn_options).
REQUEST_LINE_LIMIT = 8190


def default_workers() -> int:
    """Gunicorn's usual advice, two per core plus one, capped for small servers' memory."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def url_for(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to ``host``:``port``."""
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104 - naming, not binding
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` and listening, inheritable by a child process."""
    if not 0 <= port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, not {port}.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CliError(f"--host {host!r} is not an address of this machine ({exc}).") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise CliError(
            f"cannot listen on {host} port {port}: {exc.strerror}"
            + (" (choose another with --port)" if exc.errno == errno.EADDRINUSE else "")
        ) from exc
    sock.set_inheritable(True)
    return sock


def gunicorn_options(
    *, bind: str, workers: int, threads: int = 4, debug: bool = False
) -> dict[str, Any]:
    """The gunicorn settings ``lodestar web`` runs with."""
    return {
        "bind": [bind],
        "workers": workers,
        # Threads let a worker keep serving while another request waits on a slow client or
        # the database; no reverse proxy is required in front of Lodestar.
        "worker_class": "gthread",
        "threads": threads,
        "graceful_timeout": GRACEFUL_SECONDS,
        "timeout": 60,
        # Gunicorn's maximum (its default, 4094 bytes, is below Lodestar's own limit on API URLs,
        # API_MAX_URL_LENGTH): an API URL too long for Lodestar gets its 414 problem+json; only
        # a request line over 8190 bytes gets gunicorn's plain-text answer.
        "limit_request_line": REQUEST_LINE_LIMIT,
        "preload_app": True,
        "errorlog": "-",
        "accesslog": "-" if debug else None,
        "loglevel": "info",
        "proc_name": "lodestar-web",
        # Gunicorn's control socket would live in the home directory and clash between servers.
        "control_socket_disable": True,
    }


def run_gunicorn(options: dict[str, Any]) -> None:
    """Serve Lodestar's WSGI application with gunicorn in this process until it is stopped."""
    from gunicorn.app.base import BaseApplication

    class WebApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Any]:
            from lodestar.config.wsgi import application

            return application

    WebApplication().run()


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM when the supervisor dies (Linux only)."""
    if sys.platform != "linux":
        return
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    pr_set_pdeathsig = 1
    ctypes.CDLL(libc_name, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)


class Supervisor:
    """Runs children in the foreground and stops them together (see the module docstring)."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.stop_requested_at: float | None = None
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)

    def start(self, name: str, args: list[str], *, pass_fds: tuple[int, ...] = ()) -> None:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "lodestar.cli.main", *args],
            pass_fds=pass_fds,
            start_new_session=True,
            # preexec_fn is unsafe only with threads, and the supervisor runs none.
            preexec_fn=_die_with_parent,
        )
        self.children.append(Child(name, process))

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if self.stop_requested_at is None:
            self.stop_requested_at = now
        elif now - self.stop_requested_at > DUPLICATE_SIGNAL_SECONDS:
            for child in self.children:
                child.signal(signal.SIGKILL)
        self._wake()

    def _on_child(self, signum: int, frame: FrameType | None) -> None:
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.write(self._wake_write, b"x")

    def run(self) -> Child | None:
        """Wait for a stop signal or a child's exit, then stop every child.

        Returns the child that exited on its own, or None when a signal asked to stop.
        """
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        previous[signal.SIGCHLD] = signal.signal(signal.SIGCHLD, self._on_child)
        try:
            exited = self._wait()
            self.stop()
            return exited
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _wait(self) -> Child | None:
        while self.stop_requested_at is None:
            for child in self.children:
                if not child.running:
                    return child
            # The handlers write to the pipe, so a signal ends the wait at once; the timeout
            # only bounds how long a missed wake-up could go unnoticed.
            readable, _, _ = select.select([self._wake_read], [], [], 5.0)
            if readable:
                os.read(self._wake_read, 512)
        return None

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """SIGTERM every child, wait up to ``timeout`` seconds, then SIGKILL the rest."""
        for child in self.children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.signal(signal.SIGKILL)
                child.process.wait()
