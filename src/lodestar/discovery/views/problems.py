"""The problem pages: problems with their evidence, sortable by it, and a problem with its
evidence (a weekly trend chart drawn on the server), its insights and the backlog items that
solve it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lodestar.backlog.access import access_item
from lodestar.backlog.refs import item_ref
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Invalid, StaleVersion
from lodestar.core.pagination import paginate
from lodestar.discovery import services
from lodestar.discovery.access import access_problem
from lodestar.discovery.extensions import PROBLEM_SECTIONS
from lodestar.discovery.forms import ItemLinkForm, ProblemEditForm, ProblemForm
from lodestar.discovery.models import Problem, ProblemStatus
from lodestar.discovery.page_exports import problems_csv
from lodestar.discovery.portal_selectors import problem_portal_ideas
from lodestar.discovery.selectors import (
    PROBLEM_SORTS,
    insight_list,
    problem_evidence,
    problem_items,
    problem_list_ranked,
)
from lodestar.discovery.views._pages import trend_chart
from lodestar.discovery.views.feedback import apply_service_errors
from lodestar.people.policy import Permission, can
from lodestar.people.refs import member_ref
from lodestar.people.selectors import member_list
from lodestar.people.web import WorkspaceRequest, workspace_view

SORTS = [("customers", "Customers"), ("arr", "ARR"), ("newest", "Newest")]
PAGE_SIZE = 50
QUOTES_SHOWN = 50  # the latest; the evidence counts them all


def _problem_url(request: WorkspaceRequest, problem: Problem) -> str:
    return reverse(
        "discovery:problem_detail",
        kwargs={"workspace_slug": request.workspace.slug, "problem_id": problem.pk},
    )


# -- the list ------------------------------------------------------------------------------------


def _list_page(
    request: WorkspaceRequest, form: ProblemForm | None = None, status: int = 200
) -> HttpResponse | StreamingHttpResponse:
    actor = request.actor
    sort = request.GET.get("sort", "customers")
    sort = sort if sort in PROBLEM_SORTS else "customers"
    state = request.GET.get("status", "")
    state = state if state in ProblemStatus.values else ""
    if wants_csv(request):
        rows = problem_list_ranked(actor=actor, status=state or None)
        return problems_csv(request, rows, PROBLEM_SORTS[sort])
    page = paginate(
        problem_list_ranked(actor=actor, status=state or None),
        order=PROBLEM_SORTS[sort],
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    evidence = problem_evidence([p.pk for p in page.items])
    keep = {"sort": sort, **({"status": state} if state else {})}
    return render(
        request,
        "discovery/problems/list.html",
        {
            "tab": "problems",
            "rows": [(p, evidence[p.pk]) for p in page.items],
            "sort": sort,
            "sorts": [(key, label, "?" + urlencode({**keep, "sort": key})) for key, label in SORTS],
            "status": state,
            "statuses": ProblemStatus.choices,
            "next_url": "?" + urlencode({**keep, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(keep) if request.GET.get("cursor") else "",
            "writes": can(actor, Permission.EDIT_CONTENT),
            "form": form or ProblemForm(),
            "currency": request.workspace.currency,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def problem_list_page(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    """Problems with their evidence, the most customers first; writers create one here."""
    if request.method != "POST":
        return _list_page(request)
    form = ProblemForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=422)
    try:
        problem = services.problem_create(
            actor=request.actor,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
    except Invalid as error:
        apply_service_errors(form, error)
        return _list_page(request, form, status=422)
    messages.success(request, "Problem created. Its evidence grows as insights link to it.")
    return redirect(_problem_url(request, problem))


# -- one problem ---------------------------------------------------------------------------------


def _detail_page(
    request: WorkspaceRequest,
    problem: Problem,
    *,
    form: ProblemEditForm | None = None,
    item_form: ItemLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    evidence = problem_evidence([problem.pk])[problem.pk]
    writes = can(actor, Permission.EDIT_CONTENT)
    members = list(member_list(actor=actor)) if writes else []
    return render(
        request,
        "discovery/problems/detail.html",
        {
            "tab": "problems",
            "problem": problem,
            "evidence": evidence,
            "chart": trend_chart(evidence.trend),
            "insights": insight_list(actor=actor, problem=problem).order_by(
                "-feedback__received_at", "-id"
            )[:QUOTES_SHOWN],
            "items": problem_items(problem),
            "portal_ideas": list(problem_portal_ideas(actor=actor, problem_id=problem.pk)),
            "writes": writes,
            "form": form
            or ProblemEditForm(
                members=members,
                initial={
                    "title": problem.title,
                    "status": problem.status,
                    "owner": problem.owner.user.email if problem.owner else "",
                    "description": problem.description,
                    "version": problem.version,
                },
            ),
            "item_form": item_form or ItemLinkForm(auto_id="item_%s"),
            "currency": request.workspace.currency,
            # What later contexts add to the page (``extensions.PROBLEM_SECTIONS``).
            "problem_sections": [
                html
                for section in PROBLEM_SECTIONS.providers()
                if (html := section.render(request, problem))
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def problem_detail(request: WorkspaceRequest, problem_id: int) -> HttpResponse:
    """The problem and its evidence; writers change its title, status, owner and description."""
    actor = request.actor
    problem = access_problem(actor, problem_id)
    if request.method != "POST":
        return _detail_page(request, problem)
    form = ProblemEditForm(request.POST, members=list(member_list(actor=actor)))
    if not form.is_valid():
        return _detail_page(request, problem, form=form, status=422)
    data = form.cleaned_data
    try:
        services.problem_update(
            actor=actor,
            problem=problem,
            title=data["title"],
            status=data["status"],
            owner=member_ref(actor, data["owner"], field="owner") if data["owner"] else None,
            description=data["description"],
            expected_version=data["version"],
        )
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, problem, form=form, status=422)
    except StaleVersion:
        messages.warning(
            request, "Someone else changed this problem meanwhile: here it is now. Edit again."
        )
        return _detail_page(request, access_problem(actor, problem_id), status=412)
    messages.success(request, "Problem saved.")
    return redirect(_problem_url(request, problem))


@require_POST
@workspace_view
def item_link(request: WorkspaceRequest, problem_id: int) -> HttpResponse:
    """Link a backlog item, by its key, to the problem."""
    actor = request.actor
    problem = access_problem(actor, problem_id)
    form = ItemLinkForm(request.POST, auto_id="item_%s")
    if not form.is_valid():
        return _detail_page(request, problem, item_form=form, status=422)
    try:
        with transaction.atomic():
            item = item_ref(actor, form.cleaned_data["item"].strip(), field="item")
            linked = services.problem_items_link(actor=actor, problem=problem, items=[item])
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, problem, item_form=form, status=422)
    if linked:
        messages.success(request, f"{item.key} now solves this problem.")
    else:
        messages.info(request, f"{item.key} was already linked to this problem.")
    return redirect(_problem_url(request, problem) + "#items")


@require_POST
@workspace_view
def item_unlink(request: WorkspaceRequest, problem_id: int, item_key: str) -> HttpResponse:
    actor = request.actor
    problem = access_problem(actor, problem_id)
    item = access_item(actor, item_key)
    if services.problem_item_unlink(actor=actor, problem=problem, item=item):
        messages.success(request, f"{item.key} no longer linked to this problem.")
    return redirect(_problem_url(request, problem) + "#items")
