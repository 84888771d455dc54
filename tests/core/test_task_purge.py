"""Finished tasks' rows go after a day (failed ones after a week): they hold their arguments,
among them links emailed to people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lodestar.core.tasks import purge_finished_tasks

pytestmark = pytest.mark.django_db


def _row(status: str, finished: dt.datetime | None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished,
        args_kwargs={"args": ["https://lodestar.test/invitations/secret"], "kwargs": {}},
        task_path="lodestar.people.tasks.send_email",
        backend_name="default",
    )


def test_finished_rows_go_after_a_day_and_failed_ones_after_a_week() -> None:
    now = timezone.now()
    old_done = _row(TaskResultStatus.SUCCESSFUL, now - dt.timedelta(days=2))
    new_done = _row(TaskResultStatus.SUCCESSFUL, now - dt.timedelta(hours=2))
    old_failed = _row(TaskResultStatus.FAILED, now - dt.timedelta(days=8))
    new_failed = _row(TaskResultStatus.FAILED, now - dt.timedelta(days=2))
    waiting = _row(TaskResultStatus.READY, None)
    assert purge_finished_tasks.call() == 2
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {new_done.id, new_failed.id, waiting.id}
    assert old_done.id not in left
    assert old_failed.id not in left
    # Catching up with a given time, with its zone, as the other purges take it.
    assert purge_finished_tasks.call(now=(now + dt.timedelta(days=8)).isoformat()) == 2
    with pytest.raises(ValueError, match="time zone"):
        purge_finished_tasks.call(now="2026-12-01T10:00:00")
