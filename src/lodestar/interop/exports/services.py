"""Writes of exports: asking for one (the worker writes it), writing it, and deleting the files
of old ones."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lodestar.interop.exports.models import ExportRun, ExportState
from lodestar.interop.exports.permissions import ExportPermission
from lodestar.interop.exports.writer import write_export
from lodestar.people.policy import Actor, require

logger = logging.getLogger("lodestar.interop")

# How long a finished export's file is kept for download.
DEFAULT_RETENTION_DAYS = 7
# How often, at most, a running export writes its progress.
PROGRESS_SECONDS = 1.0


def export_dir() -> Path:
    """Where export files are kept: ``EXPORT_DIR``, else the data directory's ``exports/``."""
    configured = getattr(settings, "EXPORT_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "exports"


def retention() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "EXPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def export_start(*, actor: Actor) -> ExportRun:
    """Ask for an export of the actor's workspace (owners and admins); the worker writes it
    (``tasks.run_export``) once this commits."""
    from lodestar.interop.exports.tasks import run_export

    require(actor, ExportPermission.EXPORT_WORKSPACE)
    with transaction.atomic():
        run = ExportRun.objects.create(workspace_id=actor.workspace_id, requested_by=actor.user)
        transaction.on_commit(functools.partial(run_export.enqueue, run.pk))
    return run


def _set(run: ExportRun, **values: object) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    ExportRun.objects.filter(pk=run.pk).update(**values)


def export_write(*, run_id: int) -> ExportRun | None:
    """Write the export of ``run_id`` (the worker's task): progress as it goes, then the file
    and its expiry, or the error. None when the run is gone or not queued (run once)."""
    claimed = ExportRun.objects.filter(pk=run_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = ExportRun.objects.select_related("workspace").get(pk=run_id)
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A name nobody can guess, though downloads always go through the API's gate.
    name = f"{run.workspace.slug}-{run.pk}-{secrets.token_hex(8)}.zip"
    partial = folder / f".{name}"
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS or done == total:
            last[0] = now
            _set(run, rows_done=done, rows_total=total)

    try:
        with partial.open("wb") as out:
            write_export(run.workspace, out, progress=progress, snapshot=False)
        partial.replace(folder / name)
    except Exception as error:
        partial.unlink(missing_ok=True)
        logger.exception("Export %s failed", run.pk)
        _set(run, state=ExportState.FAILED, error=str(error)[:1000], finished_at=timezone.now())
        return run
    finished = timezone.now()
    _set(
        run,
        state=ExportState.DONE,
        file_name=name,
        size=(folder / name).stat().st_size,
        finished_at=finished,
        expires_at=finished + retention(),
    )
    return run


def exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their expiry (the runs stay, without a file); returns
    how many were deleted."""
    now = now or timezone.now()
    folder = export_dir()
    expired = ExportRun.objects.filter(expires_at__lte=now).exclude(file_name="")
    count = 0
    for run in expired:
        (folder / run.file_name).unlink(missing_ok=True)
        _set(run, file_name="")
        count += 1
    return count
