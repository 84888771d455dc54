"""Suggest order: the backlog sorted by a framework beside the product owner's order."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.prioritization.frameworks import Framework
from lodestar.backlog.prioritization.selectors import (
    SUGGESTED_STATUSES,
    parse_framework,
    scorecard_get,
    suggest_order,
)
from lodestar.backlog.views._common import ORDER_HINT, compact, rights_for
from lodestar.core.errors import Invalid
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import active_goal, product_detail


def _page(
    request: WorkspaceRequest,
    product: Product,
    framework: Framework,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    actor = request.actor
    suggestion = suggest_order(actor=actor, product=product, framework=framework)
    current = sorted(suggestion.items, key=lambda row: row.current_position)
    has_scorecard = scorecard_get(actor=actor, product=product) is not None
    return render(
        request,
        "backlog/suggest.html",
        {
            "product": product,
            "goal": active_goal(product),
            "tab": "suggest",
            "rights": rights_for(actor, product),
            "order_hint": ORDER_HINT,
            "framework": framework,
            "frameworks": [f for f in Framework if f is not Framework.SCORECARD or has_scorecard],
            "suggested": [
                (row, compact(row.score) if row.score is not None else "", abs(row.moved))
                for row in suggestion.items
            ],
            "current": current,
            "changed": sum(1 for row in suggestion.items if row.moved),
            "moves_needed": suggestion.moves_needed,
            "unscored": len(suggestion.unscored),
            "statuses": [s.label.lower() for s in SUGGESTED_STATUSES],
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def suggest(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """GET compares the orders; POST applies all of the suggestion or the items ticked."""
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    source = request.POST if request.method == "POST" else request.GET
    framework = parse_framework(source.get("framework") or Framework.RICE.value)
    if request.method != "POST":
        return _page(request, product, framework)
    keys = None if source.get("apply") == "all" else source.getlist("items")
    try:
        if keys is not None and not keys:
            raise Invalid.field("items", "tick the items to move, or apply the whole suggestion")
        moved = scoring.suggest_apply(
            actor=actor, product=product, framework=framework, item_keys=keys
        )
    except Invalid as error:
        detail = error.errors[0].message if error.errors else error.detail
        return _page(request, product, framework, status=422, error=detail[:1].upper() + detail[1:])
    if moved:
        messages.success(
            request,
            f"Applied the {framework.display_name} order: moved {len(moved)} "
            f"item{'s' if len(moved) != 1 else ''}.",
        )
    else:
        messages.info(request, "Nothing to move: the backlog already follows that order.")
    url = reverse("backlog:suggest_order", args=[actor.workspace.slug, product.key])
    return redirect(f"{url}?{urlencode({'framework': framework.value})}")
