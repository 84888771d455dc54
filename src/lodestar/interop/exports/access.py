"""The gate of an export a path names: the workspace's owners and admins only (403 for other
members), and 404 when missing or of another workspace."""

from __future__ import annotations

from pathlib import Path

from lodestar.core.errors import Conflict, NotFound
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.exports.models import ExportRun
from lodestar.interop.exports.permissions import ExportPermission
from lodestar.interop.exports.services import export_dir
from lodestar.people.policy import Actor, require


def access_export(actor: Actor, run_id: int | str) -> ExportRun:
    require(actor, ExportPermission.EXPORT_WORKSPACE)
    try:
        key = int(run_id)
    except (TypeError, ValueError):
        raise NotFound("No such export.") from None
    run = (
        ExportRun.objects.filter(pk=key, workspace_id=actor.workspace_id)
        .select_related("requested_by")
        .first()
    )
    if run is None:
        raise NotFound("No such export.")
    return run


def export_file(run: ExportRun) -> Path:
    """The file of a finished export, or Conflict saying why there is none."""
    if run.downloadable:
        path = export_dir() / run.file_name
        if path.is_file():
            return path
    if run.expires_at is not None and not run.file_name:
        raise Conflict(
            "This export's file was deleted after its retention.", code=Code.EXPORT_NOT_READY
        )
    raise Conflict(
        f"This export is {run.state}: there is no file to download yet.", code=Code.EXPORT_NOT_READY
    )
