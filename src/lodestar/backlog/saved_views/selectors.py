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


def query_of(filters: Mapping[str, Any], columns: list[str] | None = None) -> str:
    """The backlog page's query string for ``filters`` (as ``clean_filters`` stores them) and
    the optional ``columns`` shown (left out when all are)."""
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
    return urlencode(params)


def saved_view_url(view: SavedView) -> str:
    """The backlog page with the view's filters and columns: the view as a link."""
    base = reverse(
        "backlog:backlog",
        kwargs={"workspace_slug": view.product.workspace.slug, "product_key": view.product.key},
    )
    query = query_of(view.filters, view.columns)
    return f"{base}?{query}" if query else base
