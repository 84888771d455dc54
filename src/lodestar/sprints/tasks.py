"""Background work of the sprints context."""

from __future__ import annotations

from django_tasks import task


@task()
def take_sprint_snapshots() -> int:
    """Hourly: today's snapshot of every active sprint (the day's last one stays)."""
    from lodestar.sprints.services import snapshots_take_active

    return snapshots_take_active()
