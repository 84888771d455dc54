"""The import page: choose a CSV file of customers or feedback, see the columns found (and
change them), check it (a dry run that writes nothing and lists every bad row by line and
column), then import it.

The form is never replaced: htmx posts it and swaps only the report inside it, so the file
chosen stays chosen, and the import sends it again with the columns as they were checked.
Nothing is kept on the server between the check and the import.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from lodestar.core.errors import DomainError, Invalid, error_sentence
from lodestar.discovery.imports import (
    IMPORT_MAX_BYTES,
    KINDS,
    ImportRefused,
    ImportReport,
    customers_import,
    feedback_import,
    headers_of,
    read_limited,
    too_large,
)
from lodestar.discovery.imports.dates import DAY_FIRST, MONTH_FIRST
from lodestar.discovery.models import FeedbackSource
from lodestar.people.policy import Permission, can
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view

# What a form adds to its file (the other fields, the multipart boundaries), at most.
FORM_OVERHEAD = 64 * 1024
NOT_IMPORTED = ""


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt
def import_page(request: HttpRequest, workspace_slug: str) -> HttpResponse | StreamingHttpResponse:
    """The page (GET), a check or an import (POST). A file over the limit is refused by its
    declared length, before its bytes are read (and so before the CSRF check, which would
    read the whole form; nothing is written either way)."""
    if request.method == "POST" and _declared_length(request) > IMPORT_MAX_BYTES + FORM_OVERHEAD:
        return _refused_unread(request, workspace_slug)
    return _checked(request, workspace_slug)


@workspace_view
def _refused_unread(request: WorkspaceRequest) -> HttpResponse:
    return _answer(request, {"kind": "feedback", "problem": error_sentence(too_large())}, 422)


@workspace_view
@csrf_protect
def _checked(request: WorkspaceRequest) -> HttpResponse:
    if request.method != "POST":
        return _answer(request, {"kind": request.GET.get("kind", "feedback")})
    kind = request.POST.get("kind", "feedback")
    if kind not in KINDS:
        kind = "feedback"
    context: dict[str, Any] = {"kind": kind, "options": request.POST}
    upload = request.FILES.get("file")
    if upload is None:
        context["problem"] = "Choose a CSV file to import."
        return _answer(request, context, 422)
    context["file_name"] = upload.name
    try:
        data = read_limited(upload, size=upload.size)
    except Invalid as error:
        context["problem"] = error_sentence(error)
        return _answer(request, context, 422)
    headers = headers_of(data)
    context.update(headers=headers, columns_of=_signature(headers))
    mapping = _mapping(request, kind, headers)
    dry_run = request.POST.get("action") != "import"
    try:
        report = _run(request, kind, data, mapping, dry_run=dry_run)
    except ImportRefused as refused:
        report = refused.report
    except DomainError as error:
        context.update(problem=error_sentence(error), fields=_fields(kind, headers, mapping))
        return _answer(request, context, 422)
    context.update(report=report, fields=_fields(kind, headers, report.mapping))
    return _answer(request, context, 200 if report.ok else 422)


def _signature(headers: list[str]) -> str:
    """What identifies a header line: columns chosen for one file are not applied to another."""
    return hashlib.sha256(json.dumps(headers).encode()).hexdigest()[:16]


def _mapping(request: WorkspaceRequest, kind: str, headers: list[str]) -> dict[str, str]:
    """The columns chosen on the page, when they were chosen for this file's header line."""
    if request.POST.get("columns_of") != _signature(headers):
        return {}
    chosen: dict[str, str] = {}
    for field in KINDS[kind]:
        value = request.POST.get(f"map-{field.name}")
        if value is not None and (value == NOT_IMPORTED or value in headers):
            chosen[field.name] = value
    return chosen


def _run(
    request: WorkspaceRequest, kind: str, data: bytes, mapping: dict[str, str], *, dry_run: bool
) -> ImportReport:
    create = request.POST.get("create_customers") == "on"
    if kind == "customers":
        return customers_import(
            actor=request.actor,
            data=data,
            mapping=mapping,
            dry_run=dry_run,
            create_customers=create,
        )
    return feedback_import(
        actor=request.actor,
        data=data,
        mapping=mapping,
        dry_run=dry_run,
        create_customers=create,
        date_format=request.POST.get("date_format") or None,
        source=request.POST.get("source") or None,
    )


def _fields(kind: str, headers: list[str], mapping: dict[str, str]) -> list[dict[str, Any]]:
    """Each field of the import with the column it is read from, for the selects."""
    return [
        {"name": field.name, "label": field.label, "required": field.required,
         "column": mapping.get(field.name, NOT_IMPORTED)}
        for field in KINDS[kind]
    ] if headers else []  # fmt: skip


def _answer(request: WorkspaceRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("options", {})
    context.setdefault("fields", [])
    context.setdefault("headers", [])
    context.update(
        kinds=[("feedback", "Feedback"), ("customers", "Customers")],
        sources=FeedbackSource.choices,
        date_formats=[DAY_FIRST, MONTH_FIRST],
        limit_mb=IMPORT_MAX_BYTES // 1024 // 1024,
        writes=can(request.actor, Permission.EDIT_CONTENT),
    )
    template = (
        "discovery/imports/_report.html" if is_htmx(request) else "discovery/imports/page.html"
    )
    return render(request, template, context, status=status)
