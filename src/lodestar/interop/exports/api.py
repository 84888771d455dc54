"""The exports API: ask for an export of the whole workspace (the worker writes it), follow
its progress, download the zip while it is kept. Owners and admins only."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router
from ninja.responses import Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.pagination import paginate
from lodestar.interop.exports import selectors, services
from lodestar.interop.exports.access import access_export
from lodestar.interop.exports.files import download
from lodestar.interop.exports.schemas import ExportOut

router = Router(tags=["exports"])

EXPORTS = "/{workspace_slug}/exports"
EXPORT = EXPORTS + "/{run_id}"


@router.post(EXPORTS, response={202: ExportOut, **WRITE_ERRORS}, operation_id="export_create")
def export_create(request: HttpRequest, workspace_slug: str) -> Status[ExportOut]:
    """Export the whole workspace (docs/EXPORT.md): answers at once with the run, queued; the
    worker writes the zip, and ``GET .../exports/{id}`` tells its progress."""
    actor = request_actor(request, workspace_slug)
    run = services.export_start(actor=actor)
    return Status(202, ExportOut.of(run, workspace_slug))


@router.get(EXPORTS, response={200: PageOut[ExportOut], **ERRORS}, operation_id="export_list")
def export_list(
    request: HttpRequest,
    workspace_slug: str,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ExportOut]:
    """The workspace's exports, newest first."""
    actor = request_actor(request, workspace_slug)
    page = paginate(
        selectors.export_list(actor=actor), order=["-created_at", "-id"], cursor=cursor, limit=limit
    )
    return PageOut[ExportOut](
        items=[ExportOut.of(run, workspace_slug) for run in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(EXPORT, response={200: ExportOut, **ERRORS}, operation_id="export_get")
def export_get(request: HttpRequest, workspace_slug: str, run_id: int) -> ExportOut:
    """One export: its state and progress, and its download link when done."""
    actor = request_actor(request, workspace_slug)
    return ExportOut.of(access_export(actor, run_id), workspace_slug)


@router.get(
    EXPORT + "/download",
    response={200: None, 409: ERRORS[400], **ERRORS},
    operation_id="export_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The export, a zip (docs/EXPORT.md)",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_download(
    request: HttpRequest, workspace_slug: str, run_id: int
) -> StreamingHttpResponse:
    """The export's zip, while it is kept (409 before it is done and after it is deleted)."""
    actor = request_actor(request, workspace_slug)
    run = access_export(actor, run_id)
    return download(run, workspace_slug)
