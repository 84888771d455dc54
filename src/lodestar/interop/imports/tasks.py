"""Background work of imports: one import, run by the worker."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(run_id: int) -> str:
    """Read and import the file of run ``run_id``; returns the run's state."""
    from lodestar.interop.imports.services import import_run_execute

    run = import_run_execute(run_id)
    return run.state if run is not None else "missing"
