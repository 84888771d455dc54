"""Background work of core: purging the trash once rows are past their retention period, the
outbox once its events are delivered, rate counters whose window has ended, and the rows of
finished background tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from lodestar.core import events, ratelimit
from lodestar.core.trash import purge_trashed_before, retention


def _moment(now: str | None) -> dt.datetime:
    if not now:
        return timezone.now()
    moment = dt.datetime.fromisoformat(now)
    if moment.tzinfo is None:
        raise ValueError(f"now must carry a time zone: {now!r}")
    return moment


@task()
def purge_trash(now: str | None = None) -> int:
    """Delete for good what has been in the trash longer than the retention period.

    ``now`` (an ISO 8601 time with zone) replaces the current time, for tests and for catching
    up after downtime. Returns how many rows were purged.
    """
    return purge_trashed_before(_moment(now) - retention())


@task()
def purge_outbox(now: str | None = None) -> int:
    """Delete domain events every durable subscriber has had, once ``OUTBOX_RETENTION_DAYS``
    old. Returns how many were deleted."""
    return events.purge_delivered(
        older_than=dt.timedelta(days=settings.OUTBOX_RETENTION_DAYS), now=_moment(now)
    )


@task()
def purge_rate_counters() -> int:
    """Delete the rate-limit and sign-in counters whose window has ended (they count as zero
    already; this only keeps the table small). Returns how many were deleted."""
    return ratelimit.purge()


# How long the worker keeps a finished task's row: a day for those that ran, a week for those
# that failed (to read why). Task rows hold their arguments, among them the links emailed to
# people (an invitation, an email change), so they are not kept for longer than that.
FINISHED_TASKS_KEPT = dt.timedelta(days=1)
FAILED_TASKS_KEPT = dt.timedelta(days=7)


@task()
def purge_finished_tasks(now: str | None = None) -> int:
    """Delete the database backend's rows of tasks that finished a day ago (failed ones: a week
    ago). Returns how many were deleted."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    moment = _moment(now)
    deleted, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=moment - FINISHED_TASKS_KEPT
    ).delete()
    failed, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=moment - FAILED_TASKS_KEPT
    ).delete()
    return deleted + failed
