"""Every read of the releases context."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from lodestar.backlog.models import ItemStatus
from lodestar.people.policy import Actor
from lodestar.releases.models import ProductCheck, Release, ReleaseItem, ReleaseState
from lodestar.strategy.models import Product

STATES = tuple(ReleaseState.values)


def release_list(*, actor: Actor, product: Product, state: str | None = None) -> QuerySet[Release]:
    """The product's releases with their item counts (``item_count``: not dropped;
    ``done_count``: of those, done), in one query."""
    rows = Release.objects.filter(workspace_id=actor.workspace_id, product_id=product.pk)
    if state:
        rows = rows.filter(state=state)
    live = Q(entries__dropped_at__isnull=True, entries__item__deleted_at__isnull=True)
    return rows.select_related("product", "forced_by").annotate(
        item_count=Count("entries", filter=live),
        done_count=Count("entries", filter=live & Q(entries__item__status=ItemStatus.DONE)),
    )


def release_items(*, release: Release, dropped: bool | None = None) -> QuerySet[ReleaseItem]:
    """The release's items in backlog order, each with its item (and who dropped it). An item
    in the trash is left out until it is restored (and counts nowhere meanwhile)."""
    rows = ReleaseItem.objects.filter(release=release, item__deleted_at__isnull=True)
    rows = rows.select_related("item", "dropped_by")
    if dropped is not None:
        rows = rows.filter(dropped_at__isnull=not dropped)
    return rows.order_by("item__rank", "id")


@dataclass(frozen=True)
class Progress:
    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def release_progress(release: Release) -> Progress:
    """Done items of the release's items that are not dropped (from the list's annotations
    when present)."""
    total = getattr(release, "item_count", None)
    done = getattr(release, "done_count", None)
    if total is None or done is None:
        rows = ReleaseItem.objects.filter(
            release=release, dropped_at__isnull=True, item__deleted_at__isnull=True
        )
        total = rows.count()
        done = rows.filter(item__status=ItemStatus.DONE).count()
    return Progress(total, done)


def product_checks(*, actor: Actor, product: Product) -> QuerySet[ProductCheck]:
    """The product's own go-live checks, in the order they were added."""
    return ProductCheck.objects.filter(
        workspace_id=actor.workspace_id, product_id=product.pk
    ).order_by("created_at", "id")


def item_releases(item_ids: list[int]) -> dict[int, Release]:
    """The release each item is in (not dropped), by item id."""
    return {
        entry.item_id: entry.release
        for entry in ReleaseItem.objects.filter(
            item_id__in=item_ids, dropped_at__isnull=True
        ).select_related("release")
    }
