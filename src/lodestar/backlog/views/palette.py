"""What the command palette (``palette.js``) asks the server: items by key or title, and
product backlogs by name, in the actor's workspace (every member may see every item)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from lodestar.backlog.selectors import item_search
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.selectors import product_list

QUERY_MAX = 200
LIMIT = 8


@require_GET
@workspace_view
def palette_search(request: WorkspaceRequest) -> HttpResponse:
    """``?q=`` -> ``{"items": [...], "pages": [...]}`` (JSON; at most eight items)."""
    actor = request.actor
    slug = actor.workspace.slug
    text = (request.GET.get("q") or "")[:QUERY_MAX]
    items = [
        {
            "key": item.key,
            "title": item.title,
            "status": item.get_status_display(),
            "url": reverse("backlog:item_detail", args=[slug, item.key]),
        }
        for item in item_search(actor=actor, text=text, limit=LIMIT)
    ]
    folded = text.strip().casefold()
    pages = [
        {
            "label": f"{product.name} backlog",
            "hint": product.key,
            "url": reverse("backlog:backlog", args=[slug, product.key]),
        }
        for product in product_list(actor=actor)
        if folded and (folded in product.name.casefold() or folded in product.key.casefold())
    ][:LIMIT]
    return JsonResponse({"items": items, "pages": pages})
