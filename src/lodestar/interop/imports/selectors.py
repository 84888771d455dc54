"""Reads of imports: a workspace's runs, newest first, and one run by its id."""

from __future__ import annotations

from django.db.models import QuerySet

from lodestar.core.errors import NotFound
from lodestar.core.pagination import Page, paginate
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.imports.models import ImportRun
from lodestar.interop.permissions import InteropPermission
from lodestar.people.policy import Actor, require


def _runs(actor: Actor) -> QuerySet[ImportRun]:
    require(actor, InteropPermission.IMPORT_DATA)
    return (
        ImportRun.objects.filter(workspace_id=actor.workspace_id)
        .select_related("product", "team", "created_by")
        .defer("data")
    )


def import_runs(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None
) -> Page[ImportRun]:
    """The workspace's imports, newest first (owners and admins only)."""
    return paginate(_runs(actor), order=["-created_at", "-id"], cursor=cursor, limit=limit)


def import_runs_recent(*, actor: Actor, limit: int = 20) -> list[ImportRun]:
    return list(_runs(actor).order_by("-created_at", "-id")[:limit])


def import_run(*, actor: Actor, run_id: int) -> ImportRun:
    """One import of the workspace, or 404 (an import of another workspace is never found)."""
    run = _runs(actor).filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No import {run_id} in this workspace.", code=Code.IMPORT_NOT_FOUND)
    return run
