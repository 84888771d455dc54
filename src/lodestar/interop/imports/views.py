"""The import page: choose the source, the product (and a team for its sprints), the file and
the reader's options; *Dry run* shows the report (counts, unreadable rows, statuses that need
a mapping, each with a select), *Import* starts the job and the page follows its progress
until the report is there; the workspace's past imports below.

The form is never replaced: htmx posts it and swaps only the run's part inside it, so the file
chosen stays chosen and the statuses mapped after a dry run are sent with the import. Without
JavaScript a post leads to the run's own page. A file over the limit is refused by its
declared length before its bytes are read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from lodestar.backlog.models import ItemStatus
from lodestar.core.errors import DomainError, Invalid, error_sentence
from lodestar.interop.imports import selectors, services
from lodestar.interop.imports.forms import ImportForm
from lodestar.interop.imports.models import ImportRun
from lodestar.interop.permissions import InteropPermission
from lodestar.people.policy import require
from lodestar.people.selectors import team_list
from lodestar.people.web import WorkspaceRequest, apply_errors, is_htmx, workspace_view
from lodestar.strategy.selectors import product_list

FORM_OVERHEAD = 64 * 1024
POLL_SECONDS = 1


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _form(request: WorkspaceRequest, data: Any = None, files: Any = None) -> ImportForm:
    actor = request.actor
    return ImportForm(
        data,
        files,
        products=list(product_list(actor=actor, owners=False)),
        teams=list(team_list(actor=actor)),
    )


def _counts(report: dict[str, Any]) -> list[dict[str, Any]]:
    created, updated, skipped = (
        report.get(name) or {} for name in ("created", "updated", "skipped")
    )
    return [
        {
            "kind": kind,
            "created": created.get(kind, 0),
            "updated": updated.get(kind, 0),
            "skipped": skipped.get(kind, 0),
        }
        for kind in sorted(set(created) | set(updated) | set(skipped))
    ]


def run_context(run: ImportRun, slug: str) -> dict[str, Any]:
    report = run.report or {}
    return {
        "run": run,
        "report": report,
        "counts": _counts(report),
        "statuses": ItemStatus.choices,
        "poll_seconds": POLL_SECONDS,
        "backlog_url": reverse("backlog:backlog", args=[slug, run.product.key]),
        "percent": int(100 * run.progress_done / run.progress_total) if run.progress_total else 0,
    }


def _page(
    request: WorkspaceRequest,
    form: ImportForm,
    *,
    problem: str = "",
    run: ImportRun | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "problem": problem,
        "limit_mb": settings.IMPORT_MAX_BYTES // 1024 // 1024,
        "runs": selectors.import_runs_recent(actor=request.actor),
    }
    if run is not None:
        context |= run_context(run, request.actor.workspace.slug)
    if is_htmx(request):
        return render(request, "interop/imports/_result.html", context, status=status)
    return render(request, "interop/imports/page.html", context, status=status)


@csrf_exempt
def imports_page(request: HttpRequest, workspace_slug: str) -> HttpResponse | StreamingHttpResponse:
    """The page (GET), a dry run or an import (POST)."""
    if request.method == "POST" and _declared_length(request) > (
        settings.IMPORT_MAX_BYTES + FORM_OVERHEAD
    ):
        return _refused_unread(request, workspace_slug)
    return _checked(request, workspace_slug)


@workspace_view
def _refused_unread(request: WorkspaceRequest) -> HttpResponse:
    require(request.actor, InteropPermission.IMPORT_DATA)
    size = _declared_length(request) - FORM_OVERHEAD
    return _page(
        request, _form(request), problem=error_sentence(services.too_large(size)), status=413
    )


@workspace_view
@csrf_protect
def _checked(request: WorkspaceRequest) -> HttpResponse:
    actor = request.actor
    require(actor, InteropPermission.IMPORT_DATA)
    if request.method != "POST":
        return _page(request, _form(request))
    form = _form(request, request.POST, request.FILES)
    if not form.is_valid():
        problem = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _page(request, form, problem=problem, status=422)
    data = form.cleaned_data
    upload = data["file"]
    try:
        run = services.import_start(
            actor=actor,
            product=form.products[data["product"]],
            source=data["source"],
            file=upload,
            size=upload.size or 0,
            file_name=upload.name or "",
            team=form.teams.get(data["team"]) if data["team"] else None,
            dry_run=request.POST.get("action") != "import",
            date_format=data["date_format"],
            points_field=data["points_field"],
            timezone_name=data["timezone"],
            status_map=[pair for pair in request.POST.getlist("status_map") if pair.strip()],
            invite=data["invite"],
        )
    except DomainError as error:
        if isinstance(error, Invalid):
            apply_errors(form, error)
        return _page(request, form, problem=error_sentence(error), status=error.status)
    run = selectors.import_run(actor=actor, run_id=run.pk)
    if not is_htmx(request):
        return redirect("interop:import_run", workspace_slug=actor.workspace.slug, run_id=run.pk)
    return _page(request, form, run=run, status=202)


@require_GET
@workspace_view
def import_run_page(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    """One import: its progress while it runs, then its report."""
    run = selectors.import_run(actor=request.actor, run_id=run_id)
    return render(
        request, "interop/imports/run.html", run_context(run, request.actor.workspace.slug)
    )


@require_GET
@workspace_view
def import_run_status(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    """The run's part of the page, polled by htmx until the run ends."""
    run = selectors.import_run(actor=request.actor, run_id=run_id)
    return render(
        request, "interop/imports/_run.html", run_context(run, request.actor.workspace.slug)
    )
