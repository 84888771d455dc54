"""``lodestar migrate|worker|serve``: the processes that run Lodestar."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from lodestar.cli import periodic
from lodestar.cli.models import PeriodicTaskRun
from lodestar.cli.periodic import enqueue_due
from lodestar.core.registry import PeriodicTask, registry
from tests.cli.support import fresh_server_env, http_get, read_until, run, start_lodestar

DEADLINE_SECONDS = 60
RAN: list[str] = []


@task()
def remember() -> None:
    RAN.append("remembered")


REMEMBER = PeriodicTask(f"{__name__}.remember", dt.timedelta(days=1))


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    RAN.clear()
    yield
    RAN.clear()


# -- migrate and the periodic tasks ------------------------------------------------------------


@pytest.mark.django_db
def test_migrate_on_an_up_to_date_database() -> None:
    result = run("migrate")
    assert result.exit_code == 0, result.output
    assert "No migrations to apply" in result.stdout


@pytest.mark.django_db
def test_a_periodic_task_is_enqueued_once_per_period() -> None:
    start = timezone.now()
    assert enqueue_due(start, (REMEMBER,)) == [REMEMBER.path]
    assert RAN == ["remembered"]  # the test settings run tasks at once
    assert enqueue_due(start + dt.timedelta(hours=1), (REMEMBER,)) == []
    assert enqueue_due(start + dt.timedelta(hours=23), (REMEMBER,)) == []
    # Checked hourly, a daily task still runs about the same time every day.
    assert enqueue_due(start + dt.timedelta(hours=23, minutes=58), (REMEMBER,)) == [REMEMBER.path]
    assert RAN == ["remembered", "remembered"]
    assert PeriodicTaskRun.objects.get(task_path=REMEMBER.path).last_enqueued_at == (
        start + dt.timedelta(hours=23, minutes=58)
    )


@pytest.mark.django_db
def test_a_missing_periodic_task_is_skipped() -> None:
    missing = PeriodicTask("lodestar.nowhere.tasks.nothing", dt.timedelta(days=1))
    assert enqueue_due(None, (missing, REMEMBER)) == [REMEMBER.path]
    assert not PeriodicTaskRun.objects.filter(task_path=missing.path).exists()


def test_the_declared_periodic_tasks_exist() -> None:
    tasks = registry().periodic_tasks()
    assert [task.path for task in tasks] == [
        "lodestar.core.tasks.purge_trash",
        "lodestar.core.tasks.purge_outbox",
        "lodestar.core.tasks.purge_rate_counters",
        "lodestar.core.tasks.purge_finished_tasks",
        "lodestar.people.tasks.warn_expiring_tokens",
        "lodestar.discovery.portal_tasks.purge_unconfirmed_portal_requests",
        "lodestar.sprints.tasks.take_sprint_snapshots",
        "lodestar.outcomes.tasks.evaluate_due_outcomes",
        "lodestar.coverage.tasks.seal_rollups",
        "lodestar.notifications.tasks.send_notification_digests",
        "lodestar.interop.webhooks.tasks.deliver_due_webhooks",
        "lodestar.interop.webhooks.tasks.purge_webhook_deliveries",
        "lodestar.interop.exports.tasks.purge_expired_exports",
        "lodestar.api.tasks.purge_idempotency",
    ]
    for periodic_task in tasks:
        assert hasattr(import_string(periodic_task.path), "enqueue"), periodic_task.path
        # Longer than the claim's slack: a worker's check never finds a task just enqueued
        # by another due again (two workers starting together enqueue it once).
        assert periodic_task.every > periodic.SLACK, periodic_task.path


@pytest.mark.django_db(transaction=True)
def test_worker_batch_runs_the_due_periodic_tasks_through_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry(), "periodic_tasks", lambda: [REMEMBER])
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        result = run("worker", "--batch")
    assert result.exit_code == 0, result.output
    assert RAN == ["remembered"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# -- serve -------------------------------------------------------------------------------------


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A production environment for a server process, with a database of its own."""
    with fresh_server_env(tmp_path) as env:
        yield env


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads children from /proc")
def test_serve_answers_http_then_stops_with_its_worker_on_sigterm(
    server_env: dict[str, str],
) -> None:
    process = start_lodestar(
        "serve", "--host", "127.0.0.1", "--port", "0", "--workers", "1", env=server_env
    )
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        url = read_until(process, r"running at (http://127\.0\.0\.1:\d+/)", deadline).group(1)
        status, content_type, body = http_get(f"{url}api/v1/workspaces/acme", deadline)
        assert status == 401
        assert content_type == "application/problem+json"
        assert json.loads(body)["status"] == 401
        # Over Lodestar's limit on API URLs, under gunicorn's: Lodestar's problem, not gunicorn's.
        status, content_type, body = http_get(f"{url}api/v1/workspaces/{'a' * 5000}", deadline)
        assert (status, content_type) == (414, "application/problem+json")
        assert json.loads(body)["code"] == "uri_too_long"

        children = _children(process.pid)
        assert len(children) == 2  # the web server and the task worker

        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert "Lodestar stopped." in stdout.decode()
    assert not [pid for pid in children if _alive(pid)]


def test_serve_refuses_production_without_a_secret_key(server_env: dict[str, str]) -> None:
    del server_env["LODESTAR_SECRET_KEY"]
    process = start_lodestar("serve", "--port", "0", env=server_env)
    _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "Error: LODESTAR_SECRET_KEY is missing or is the development default"
    )


def test_serve_says_when_the_port_is_taken(server_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_lodestar("serve", "--port", str(port), env=server_env)
        _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1 port {port}: Address already in use "
        "(choose another with --port)"
    ]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads children from /proc")
def test_serve_stops_everything_when_a_child_dies(server_env: dict[str, str]) -> None:
    process = start_lodestar("serve", "--port", "0", "--workers", "1", env=server_env)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        read_until(process, r"running at http://", deadline)
        children = {
            Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[3].decode(): pid
            for pid in _children(process.pid)
        }
        assert set(children) == {"web", "worker"}
        os.kill(children["worker"], signal.SIGKILL)
        _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 1
    assert "Error: the task worker stopped unexpectedly (exit code -9)" in stderr.decode()
    assert not _alive(children["web"])


def test_loose_modes_of_the_data_directory_are_reported(tmp_path: Any) -> None:
    from lodestar.config.datadir import loose_permissions

    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    database = data / "lodestar.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o600)
    assert loose_permissions(data) == []
    database.chmod(0o644)
    data.chmod(0o755)
    warnings = loose_permissions(data)
    assert len(warnings) == 2
    assert "chmod 700" in warnings[0]
    assert f"chmod 600 '{database}'" in warnings[1]
    assert loose_permissions(tmp_path / "missing") == []


@pytest.mark.django_db
def test_migrate_warns_about_a_readable_data_directory(tmp_path: Any, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    tmp_path.chmod(0o755)
    result = run("migrate")
    assert result.exit_code == 0, result.output
    assert "can be read by other users" in result.stderr
    tmp_path.chmod(0o700)
    assert "can be read by other users" not in run("migrate").stderr


def test_files_the_cli_creates_are_private(tmp_path: Any) -> None:
    import os

    from lodestar.config.datadir import private_umask

    previous = os.umask(0o022)
    try:
        private_umask()
        (tmp_path / "secret").write_text("x")
        (tmp_path / "dir").mkdir()
    finally:
        os.umask(previous)
    assert oct((tmp_path / "secret").stat().st_mode & 0o777) == oct(0o600)
    assert oct((tmp_path / "dir").stat().st_mode & 0o777) == oct(0o700)


def test_the_worker_waits_out_a_locked_database_and_stops_on_anything_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError

    from lodestar.cli import server

    monkeypatch.setattr(server, "LOCKED_RETRY_SECONDS", 0)
    calls: list[str] = []

    def locked_twice() -> None:
        calls.append("run")
        if len(calls) <= 2:
            raise OperationalError("database is locked")

    server._run_tasks_until_stopped(locked_twice)
    assert calls == ["run", "run", "run"]

    def broken() -> None:
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    with pytest.raises(OperationalError, match="no such table"):
        server._run_tasks_until_stopped(broken)

    def stopped() -> None:
        raise SystemExit(0)

    with pytest.raises(SystemExit):
        server._run_tasks_until_stopped(stopped)
