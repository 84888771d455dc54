"""Background work of the coverage context."""

from __future__ import annotations

from django_tasks import task


@task()
def seal_rollups() -> int:
    """Every minute: the next slice of each workspace's daily rollup that is behind (its first
    build, or days that ended since), for workspaces whose events do not come to build it."""
    from lodestar.coverage.rollup import seal_behind

    return seal_behind()
