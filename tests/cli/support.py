"""Helpers for the CLI tests: run a command in-process and read its one-line error; start real
server processes on a database of their own."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner, Result

from lodestar.cli.main import app


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def error_line(result: Result) -> str:
    """The single ``Error: ...`` line of a command that refused its input with exit code 2."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert result.stdout == ""
    return lines[0]


# -- real server processes ---------------------------------------------------------------------


@contextlib.contextmanager
def fresh_server_env(data_dir: Path, suffix: str = "serve") -> Iterator[dict[str, str]]:
    """A production environment for server processes (``lodestar serve``, ``web``, ...) with a
    database of their own: a new SQLite file in ``data_dir``, or on PostgreSQL a new database
    on the tests' server, dropped afterwards."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "LODESTAR_DEBUG", "LODESTAR_TESTING"}
    }
    env |= {
        "LODESTAR_SECRET_KEY": secrets.token_urlsafe(50),
        "LODESTAR_INSECURE_HTTP": "1",
        "LODESTAR_DATA_DIR": str(data_dir),
    }
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    params = connection.settings_dict
    name = f"lodestar_cli_{suffix}_{os.getpid()}"
    base = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield env | {"DATABASE_URL": f"{base}/{name}"}
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_lodestar(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``lodestar ARGS`` in a child process, its output piped."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "lodestar.cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_until(process: subprocess.Popen[bytes], pattern: str, deadline: float) -> re.Match[str]:
    """Read the process's stdout until ``pattern`` matches, or fail at ``deadline``."""
    assert process.stdout is not None
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            match = re.search(pattern, seen.decode())
            if match:
                return match
        elif process.poll() is not None:
            break
    process.kill()
    _, stderr = process.communicate()
    pytest.fail(f"no {pattern!r} in {seen.decode()!r}; stderr: {stderr.decode()}")


def http_get(url: str, deadline: float) -> tuple[int, str, bytes]:
    """GET ``url``, retrying until the server answers or ``deadline`` passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our server
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling a server that is starting up, not an assertion
