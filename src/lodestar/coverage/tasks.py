"""Background work of the coverage context."""

from __future__ import annotations

from django_tasks import task


@task()
def seal_rollups() -> int:
    """Hourly: the next slice of each workspace's daily rollup that is behind (its first
    build, or days that ended since), for workspaces whose events do not come to build it; the
    slices after it follow as tasks of their own (``seal_rollups_next``)."""
    return _seal_and_go_on()


@task()
def seal_rollups_next() -> int:
    """The next slice, queued by the one before while a rollup is still behind: each waits
    its turn behind the worker's other tasks."""
    return _seal_and_go_on()


def _seal_and_go_on() -> int:
    from lodestar.coverage.rollup import any_behind, seal_behind

    sealed = seal_behind()
    if sealed and any_behind():
        seal_rollups_next.enqueue()
    return sealed
