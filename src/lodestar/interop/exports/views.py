"""The exports page: the workspace's exports with their progress (polled while one runs),
"Export now", and a download link for each file while it is kept. Owners and admins only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from lodestar.interop.exports import selectors, services
from lodestar.interop.exports.access import access_export
from lodestar.interop.exports.files import download
from lodestar.interop.exports.models import ExportRun, ExportState
from lodestar.interop.exports.schemas import percent
from lodestar.people.web import WorkspaceRequest, workspace_view

PAGE_SIZE = 20
POLL_SECONDS = 2


def _rows(request: WorkspaceRequest) -> dict[str, object]:
    runs: list[ExportRun] = list(selectors.export_list(actor=request.actor)[:PAGE_SIZE])
    for run in runs:
        run.percent = percent(run)  # type: ignore[attr-defined]
    active = any(run.state in (ExportState.QUEUED, ExportState.RUNNING) for run in runs)
    return {
        "runs": runs,
        "active": active,
        "poll_seconds": POLL_SECONDS,
        "retention_days": services.retention().days,
    }


@require_GET
@workspace_view
def export_list(request: WorkspaceRequest) -> HttpResponse:
    """The exports; the list alone for the page's poll (htmx)."""
    context = _rows(request)
    if request.headers.get("HX-Request"):
        return render(request, "interop/exports/_runs.html", context)
    return render(request, "interop/exports/list.html", context)


@require_POST
@workspace_view
def export_create(request: WorkspaceRequest) -> HttpResponse:
    services.export_start(actor=request.actor)
    messages.success(request, "Export started: its progress shows below.")
    return redirect("interop:export_list", workspace_slug=request.workspace.slug)


@require_GET
@workspace_view
def export_download(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    run = access_export(request.actor, run_id)
    # A streamed answer: the page gate takes it as any answer.
    return download(run, request.workspace.slug)  # type: ignore[return-value]
