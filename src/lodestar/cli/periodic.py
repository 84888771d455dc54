"""Periodic tasks: the worker enqueues the due ones every hour. Each context declares its own
(``PeriodicTask`` in its plugin, ``core.registry``).

A task is due when it was never enqueued, or last enqueued ``every`` ago (less a little slack,
so an hourly check does not push a daily task an hour later each day). The claim is a
conditional UPDATE in the same transaction as the enqueue, so two workers never both enqueue
the same run, and a failed enqueue leaves the task due.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from lodestar.cli.models import PeriodicTaskRun
from lodestar.core.registry import PeriodicTask, registry

logger = logging.getLogger("lodestar.worker")

CHECK_INTERVAL = dt.timedelta(hours=1)
# Covers the jitter between a run and the check one period later.
SLACK = dt.timedelta(minutes=5)


def enqueue_due(
    now: dt.datetime | None = None, tasks: Sequence[PeriodicTask] | None = None
) -> list[str]:
    """Enqueue every periodic task (the declared ones, or ``tasks``) that is due at ``now``;
    returns the paths enqueued."""
    now = now or timezone.now()
    enqueued = []
    for periodic in registry().periodic_tasks() if tasks is None else tasks:
        try:
            task = import_string(periodic.path)
        except ImportError:
            logger.warning("Periodic task %s does not exist; skipped.", periodic.path)
            continue
        with transaction.atomic():
            PeriodicTaskRun.objects.get_or_create(task_path=periodic.path)
            claimed = (
                PeriodicTaskRun.objects.filter(task_path=periodic.path)
                .filter(
                    Q(last_enqueued_at__isnull=True)
                    | Q(last_enqueued_at__lte=now - periodic.every + SLACK)
                )
                .update(last_enqueued_at=now)
            )
            if claimed:
                task.enqueue()
                enqueued.append(periodic.path)
    for path in enqueued:
        logger.info("Enqueued periodic task %s.", path)
    return enqueued


class Scheduler(threading.Thread):
    """A daemon thread of the worker process: checks for due periodic tasks every hour."""

    def __init__(self, interval: dt.timedelta = CHECK_INTERVAL) -> None:
        super().__init__(name="lodestar-periodic", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                enqueue_due()
            except Exception:
                # A database hiccup must not kill the schedule; the next check retries.
                logger.exception("Could not enqueue the periodic tasks; retrying in an hour.")
            finally:
                connection.close()
            self.stopped.wait(self.interval.total_seconds())

    def stop(self) -> None:
        self.stopped.set()
