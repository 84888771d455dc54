"""Discovery inside the backlog: the section of an item's panel and page that shows the
problems it solves with their evidence, linking and unlinking problems from there, and the
page where a product owner chooses what reach from evidence counts.

The backlog renders the section through ``backlog.extensions.ITEM_SECTIONS`` without knowing
discovery. A link or an unlink answers the section re-rendered, which htmx swaps in place of
the old one; its events ask the backlog list to refresh its rows (``backlog-changed``) and,
after the swap, the item's view to reload (``problems-changed``), since a flag or a score may
move.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.backlog.access import access_item
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Invalid, StaleVersion, field_sentence
from lodestar.core.registry import registry
from lodestar.discovery import services
from lodestar.discovery.access import access_problem
from lodestar.discovery.models import Problem, ReachFrom
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.reach import (
    item_reach,
    product_discovery_get,
    product_discovery_set,
    reach_from_of,
    reach_text,
)
from lodestar.discovery.selectors import Evidence, item_problems, problem_evidence
from lodestar.people.policy import Actor, Permission, can
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view
from lodestar.strategy.access import access_product

SEARCH_LIMIT = 8
TEMPLATES = "discovery/backlog"


def money(amount: Decimal, currency: str) -> str:
    """An ARR as a reader takes it in at a glance: USD 1.2M, USD 85k, USD 900."""
    value = float(amount)
    if value >= 1_000_000:
        text = f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    elif value >= 10_000:
        text = f"{value / 1000:.0f}k"
    else:
        text = f"{value:,.0f}"
    return f"{currency} {text}"


@dataclass(frozen=True)
class ProblemRow:
    problem: Problem
    evidence: Evidence
    arr: str
    url: str


def _problem_url(problem: Problem) -> str:
    declared = registry().object_type("problem")
    return declared.url(problem) if declared is not None and declared.url is not None else ""


def _rows(actor: Actor, problems: list[Problem]) -> list[ProblemRow]:
    evidence = problem_evidence([p.pk for p in problems])
    currency = actor.workspace.currency
    return [
        ProblemRow(p, evidence[p.pk], money(evidence[p.pk].arr, currency), _problem_url(p))
        for p in problems
    ]


def _section_context(request: HttpRequest, item: BacklogItem, in_panel: bool) -> dict[str, Any]:
    """What the section shows, in a constant number of queries (the links, the evidence, the
    item's reach and the product's choice)."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    problems = item_problems(item)
    counting = reach_from_of([item.product_id])[item.product_id]
    reach, sentence = reach_text(item_reach([item.pk])[item.pk], counting)
    return {
        "item": item,
        "workspace": actor.workspace,
        "in_panel": in_panel,
        "rows": _rows(actor, problems),
        "reach": reach,
        "reach_sentence": sentence,
        "counting": ReachFrom(counting).label.lower(),
        "may_link": can(actor, Permission.EDIT_CONTENT),
        "may_choose": can(
            actor, DiscoveryPermission.CHANGE_DISCOVERY_SETTINGS, product=item.product
        ),
    }


def item_section(request: HttpRequest, item: BacklogItem, in_panel: bool) -> str:
    """``backlog.extensions.ITEM_SECTIONS``: the problems the item solves, with evidence."""
    return render_to_string(
        f"{TEMPLATES}/_item_problems.html",
        _section_context(request, item, in_panel),
        request=request,
    )


def _in_panel(request: WorkspaceRequest) -> bool:
    return request.POST.get("panel", request.GET.get("panel", "")) == "1"


def _changed(request: WorkspaceRequest, item: BacklogItem) -> HttpResponse:
    """After a link changed: htmx gets the section re-rendered, to swap in place of the old
    one, and events for the rest (the list refreshes its rows at once; the item's view reloads
    after the swap, for its flag and score); a plain form goes back to the item's page."""
    if is_htmx(request):
        html = item_section(request, item, _in_panel(request))
        return HttpResponse(
            html,
            headers={
                "HX-Trigger": "backlog-changed",
                "HX-Trigger-After-Settle": "problems-changed",
            },
        )
    return redirect("backlog:item_detail", workspace_slug=request.workspace.slug, item_key=item.key)


def _refused(request: WorkspaceRequest, item: BacklogItem, message: str) -> HttpResponse:
    if is_htmx(request):
        html = render_to_string(
            f"{TEMPLATES}/_link_error.html", {"item": item, "message": message}, request=request
        )
        # Under the search box, not in place of the section the forms target.
        return HttpResponse(
            html,
            status=422,
            headers={"HX-Retarget": f"#ip-results-{item.key}", "HX-Reswap": "innerHTML"},
        )
    messages.error(request, message)
    return redirect("backlog:item_detail", workspace_slug=request.workspace.slug, item_key=item.key)


@require_GET
@workspace_view
def item_problem_search(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Problems whose title holds the words typed, not yet linked to the item, with their
    evidence: a fragment under the search box, or a page of its own without scripts."""
    item = access_item(request.actor, item_key)
    query = request.GET.get("q", "").strip()[:200]
    found: list[Problem] = []
    if query:
        rows = Problem.objects.filter(workspace_id=request.actor.workspace_id)
        for word in query.split()[:8]:
            rows = rows.filter(title__icontains=word)
        found = list(
            rows.exclude(item_links__item=item)
            .select_related("workspace")
            .order_by("title", "pk")[:SEARCH_LIMIT]
        )
    context = {
        "item": item,
        "query": query,
        "rows": _rows(request.actor, found),
        "in_panel": _in_panel(request),
    }
    if is_htmx(request):
        return render(request, f"{TEMPLATES}/_search_results.html", context)
    return render(request, f"{TEMPLATES}/problem_search.html", context)


@require_POST
@workspace_view
def item_problem_link(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Link the problem the form names to the item."""
    item = access_item(request.actor, item_key)
    ref = request.POST.get("problem", "").strip()
    if not ref:
        return _refused(request, item, "Problem: choose a problem to link.")
    problem = access_problem(request.actor, ref)
    added = services.problem_items_link(actor=request.actor, problem=problem, items=[item])
    if added:
        messages.success(request, f"{item.key} now solves “{problem.title}”.")
    return _changed(request, item)


@require_POST
@workspace_view
def item_problem_unlink(request: WorkspaceRequest, item_key: str, problem_id: int) -> HttpResponse:
    """Unlink a problem from the item."""
    item = access_item(request.actor, item_key)
    problem = access_problem(request.actor, problem_id)
    if services.problem_item_unlink(actor=request.actor, problem=problem, item=item):
        messages.success(request, f"{item.key} no longer solves “{problem.title}”.")
    return _changed(request, item)


@require_http_methods(["GET", "POST"])
@workspace_view
def product_discovery(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """What reach from evidence counts for the product; its product owner (or an admin)
    changes it."""
    product = access_product(request.actor, product_key)
    settings = product_discovery_get(actor=request.actor, product=product)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            settings = product_discovery_set(
                actor=request.actor,
                product=product,
                reach_from=request.POST.get("reach_from", ""),
                expected_version=int(version) if version.isdigit() else None,
            )
        except Invalid as error:
            errors = [field_sentence(e) for e in error.errors] or [error.detail]
            status = 422
        except StaleVersion as error:
            errors = [error.detail]
            status = 412
            settings = product_discovery_get(actor=request.actor, product=product)
        else:
            messages.success(
                request, f"{product.key}'s reach now counts {settings.get_reach_from_display()}."
            )
            url = reverse(
                "discovery:product_discovery",
                kwargs={"workspace_slug": request.workspace.slug, "product_key": product.key},
            )
            return redirect(url)
    context = {
        "product": product,
        "settings": settings,
        "choices": ReachFrom.choices,
        "may_choose": can(
            request.actor, DiscoveryPermission.CHANGE_DISCOVERY_SETTINGS, product=product
        ),
        "errors": errors,
    }
    return render(request, f"{TEMPLATES}/product_discovery.html", context, status=status)
