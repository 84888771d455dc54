"""The imports API: start an import of another tool's file (a form with the file; the worker
runs it), follow its progress, read its report. Owners and admins only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.errors import Invalid, NotFound
from lodestar.interop.imports import selectors, services
from lodestar.interop.imports.schemas import ImportIn, ImportRunOut, ImportRunReportOut
from lodestar.people.access import access_team
from lodestar.strategy.refs import product_ref

router = Router(tags=["imports"])

W = "/{workspace_slug}"


@router.post(
    W + "/imports",
    response={202: ImportRunOut, **WRITE_ERRORS},
    operation_id="import_create",
)
def import_create(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    file: File[UploadedFile],
    form: Form[ImportIn],
) -> Status[ImportRunOut]:
    """Start an import of another tool's export into a product (multipart/form-data, the file
    in ``file``). Answers 202 with the run and its ``Location``; the worker reads and imports
    the file. A file over the size limit is refused before it is read."""
    actor = request_actor(request, workspace_slug)
    target = product_ref(actor, form.product)
    chosen = None
    if form.team:
        try:
            chosen = access_team(actor, form.team)
        except NotFound as error:
            raise Invalid.field(
                "team", f"there is no team '{form.team}' in this workspace"
            ) from error
    run = services.import_start(
        actor=actor,
        product=target,
        source=form.source,
        file=file,
        size=file.size or 0,
        file_name=file.name or "",
        team=chosen,
        dry_run=form.dry_run,
        date_format=form.date_format,
        points_field=form.points_field,
        timezone_name=form.timezone,
        status_map=form.status_map,
        invite=form.invite,
    )
    run = selectors.import_run(actor=actor, run_id=run.pk)
    response["Location"] = f"{request.path.rstrip('/')}/{run.pk}"
    return Status(202, ImportRunOut.of(run))


@router.get(
    W + "/imports", response={200: PageOut[ImportRunOut], **ERRORS}, operation_id="import_list"
)
def import_list(
    request: HttpRequest,
    workspace_slug: str,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ImportRunOut]:
    """The workspace's imports, newest first."""
    actor = request_actor(request, workspace_slug)
    page = selectors.import_runs(actor=actor, cursor=cursor, limit=limit)
    return PageOut[ImportRunOut](
        items=[ImportRunOut.of(run) for run in page.items], next_cursor=page.next_cursor
    )


@router.get(
    W + "/imports/{import_id}", response={200: ImportRunOut, **ERRORS}, operation_id="import_get"
)
def import_get(request: HttpRequest, workspace_slug: str, import_id: int) -> ImportRunOut:
    """An import's state and progress (items written of the file's)."""
    actor = request_actor(request, workspace_slug)
    return ImportRunOut.of(selectors.import_run(actor=actor, run_id=import_id))


@router.get(
    W + "/imports/{import_id}/report",
    response={200: ImportRunReportOut, **ERRORS},
    operation_id="import_report",
)
def import_report(request: HttpRequest, workspace_slug: str, import_id: int) -> ImportRunReportOut:
    """What the import created, updated and skipped per kind, every row it could not read,
    the statuses that need a mapping, and why it failed, if it did (empty until it ends)."""
    actor = request_actor(request, workspace_slug)
    return ImportRunReportOut.of(selectors.import_run(actor=actor, run_id=import_id).report or {})
