"""What the backlog's pages poll (``core.live``): a stamp read in one query that changes
whenever what the page shows does, and, only when it did, who changed it last.

- An item's page: the item's own version (every change to its fields, its rank and its trip to
  the trash bumps it), its children's newest change and count, and what each ``ITEM_LIVE``
  source adds (comments).
- A product's backlog: its items' newest ``updated_at`` (a move, an edit, trashing and restoring
  all write it; trashed items included) and its newest item's ``number`` (a new item, even one
  imported with dates of the past), each read one step down an index. Purging removes only
  items already in the trash, which the backlog does not show; a rebalance writes ranks alone
  and changes no order.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from lodestar.backlog.extensions import ITEM_LIVE
from lodestar.backlog.models import BacklogItem
from lodestar.core.live import LastChange, latest, newest
from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product

_ITEM = BacklogItem._meta.label_lower


def item_stamp_queryset() -> QuerySet[BacklogItem]:
    """Items (trashed ones too) with only what their page's stamp needs, in one query."""
    children = BacklogItem.all_objects.filter(parent_id=OuterRef("pk")).order_by().values("parent")
    annotations: dict[str, Any] = {
        "live_children_at": Subquery(children.annotate(at=Max("updated_at")).values("at")[:1]),
        "live_children_n": Subquery(children.annotate(n=Count("id")).values("n")[:1]),
    }
    for source in ITEM_LIVE.providers():
        for name, expression in source.stamp().items():
            annotations[f"live_{source.name}_{name}"] = expression
    items: QuerySet[BacklogItem] = BacklogItem.all_objects.only(
        "id", "key", "workspace_id", "product_id", "version", "deleted_at"
    )
    return items.annotate(**annotations)


def item_stamp(item: BacklogItem) -> tuple[Any, ...]:
    """The values of an item read through ``item_stamp_queryset``."""
    names = sorted(name for name in vars(item) if name.startswith("live_"))
    return (item.pk, item.version, *(getattr(item, name) for name in names))


def item_last_change(item: BacklogItem) -> LastChange | None:
    """Who changed the item, one of its children or what a live source adds, last."""
    family = BacklogItem.all_objects.filter(Q(pk=item.pk) | Q(parent_id=item.pk)).values("id")
    own = latest(
        HistoryEntry.objects.filter(
            workspace_id=item.workspace_id, object_type=_ITEM, object_id__in=Subquery(family)
        )
    )
    return newest([own, *(source.last(item) for source in ITEM_LIVE.providers())])


def backlog_stamp(product: Product) -> tuple[Any, ...]:
    """The newest change to any of the product's items, and its newest item's number, in one
    query of two subqueries, each one step down an index (``(product, updated_at)`` and
    ``(product, number)``), whatever the backlog's size."""
    items = BacklogItem.all_objects.filter(product_id=OuterRef("pk")).order_by()
    found = (
        Product.objects.filter(pk=product.pk)
        .annotate(
            live_at=Subquery(items.order_by("-updated_at").values("updated_at")[:1]),
            live_number=Subquery(items.order_by("-number").values("number")[:1]),
        )
        .values_list("live_at", "live_number")
        .first()
    )
    return (product.pk, *(found or ()))


def backlog_last_change(product: Product) -> LastChange | None:
    """Who changed the product's most recently changed item last."""
    newest_item = (
        BacklogItem.all_objects.filter(product_id=product.pk)
        .order_by("-updated_at", "-id")
        .values("id")[:1]
    )
    return latest(
        HistoryEntry.objects.filter(
            workspace_id=product.workspace_id, object_type=_ITEM, object_id=Subquery(newest_item)
        )
    )
