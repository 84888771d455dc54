"""The polls of the backlog's pages (``core.live``): ``304`` while nothing the page shows has
changed, else who changed it last and when; the page then fetches its fresh part itself."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from lodestar.backlog import live
from lodestar.backlog.access import access_item_stamp
from lodestar.core.live import etag, poll_answer
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.access import access_product


@require_GET
@workspace_view
def item_live(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """An item's page (or panel): the item, its children and its comments."""
    item = access_item_stamp(request.actor, item_key)
    tag = etag(*live.item_stamp(item))
    return poll_answer(request, tag, lambda: live.item_last_change(item), gone=item.in_trash)


@require_GET
@workspace_view
def backlog_live(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """A product's backlog: any of its items changed, moved, added, trashed or restored."""
    product = access_product(request.actor, product_key)
    tag = etag(*live.backlog_stamp(product))
    return poll_answer(request, tag, lambda: live.backlog_last_change(product))
