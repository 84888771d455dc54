"""Reads of saved views: the views an actor may see, and the address each one opens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse

from lodestar.backlog.saved_views.models import COLUMNS, SavedView
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product


def visible_to(actor: Actor) -> Q:
    """The views ``actor`` may see: their own, and those shared with the workspace."""
    return Q(owner_id=actor.membership.pk) | Q(shared=True)


def saved_view_list(*, actor: Actor, product: Product | None = None) -> QuerySet[SavedView]:
    """The views of ``product`` (or of every product) that ``actor`` sees, by name."""
    qs = SavedView.objects.filter(visible_to(actor), workspace_id=actor.workspace_id)
    if product is not None:
        qs = qs.filter(product=product)
    return qs.select_related("product__workspace", "owner__user").order_by(
        "product__key", "name", "id"
    )


def query_of(
    filters: Mapping[str, Any], columns: list[str] | None = None, view_id: int | None = None
) -> str:
    """The backlog page's query string for ``filters`` (as ``clean_filters`` stores them), the
    optional ``columns`` shown (left out when all are) and the view it opens, if any."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        if isinstance(value, bool):
            params[name] = "1" if value else "0"
        elif value not in (None, ""):
            params[name] = str(value)
    # ``finished`` is a checkbox on the page: present means shown, absent means hidden.
    if params.get("finished") == "0":
        del params["finished"]
    if columns is not None and list(columns) != list(COLUMNS):
        params["columns"] = ",".join(columns) or "none"
    if view_id is not None:
        params["view"] = str(view_id)
    return urlencode(params)


def columns_from_query(value: str | None) -> list[str]:
    """The optional columns a backlog address shows (``columns=goal,estimate``; ``none``;
    left out: all of them). Unknown names are ignored: an old link still opens."""
    if not value:
        return list(COLUMNS)
    named = {part.strip() for part in value.split(",")}
    return [column for column in COLUMNS if column in named]


def saved_view_url(view: SavedView) -> str:
    """The backlog page with the view's filters and columns: the view as a link."""
    base = reverse(
        "backlog:backlog",
        kwargs={"workspace_slug": view.product.workspace.slug, "product_key": view.product.key},
    )
    return f"{base}?{query_of(view.filters, view.columns, view.pk)}"
