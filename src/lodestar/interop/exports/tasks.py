"""Background work of exports: writing one, and deleting the files of old ones (daily)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_export(run_id: int) -> str:
    """Write the export ``run_id``; returns its state."""
    from lodestar.interop.exports.services import export_write

    run = export_write(run_id=run_id)
    return "skipped" if run is None else run.state


@task()
def purge_expired_exports() -> int:
    """Daily: delete the files of exports kept past their retention."""
    from lodestar.interop.exports.services import exports_purge

    return exports_purge()
