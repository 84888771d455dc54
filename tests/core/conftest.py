"""Fixtures of the core tests: a trash registry with backlog items in it, on real rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.core import trash
from lodestar.core.ranking import key_between
from lodestar.people.models import Workspace
from lodestar.strategy.models import Product

MakeItem = Callable[..., BacklogItem]


@pytest.fixture
def trash_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, trash.Trashable]:
    """A registry of its own for the test, holding backlog items as type ``item``."""
    registry: dict[str, trash.Trashable] = {}
    monkeypatch.setattr(trash, "_REGISTRY", registry)
    trash.register_trashable(
        BacklogItem, name="item", label=lambda item: f"{item.key} {item.title}"
    )
    return registry


@pytest.fixture
def make_item(trash_registry: dict[str, trash.Trashable]) -> MakeItem:
    """Create a backlog item in a workspace's ``ACME`` product (created on first use)."""
    last_rank: dict[int, str | None] = {}

    def make(
        workspace: Workspace,
        title: str = "An item",
        *,
        deleted_at: dt.datetime | None = None,
        deleted_by: object = None,
    ) -> BacklogItem:
        product, _ = Product.objects.get_or_create(
            workspace=workspace, key="ACME", defaults={"name": "Acme"}
        )
        number = product.next_item_number
        product.next_item_number = number + 1
        product.save(update_fields=["next_item_number"])
        rank = key_between(last_rank.get(product.pk), None)
        last_rank[product.pk] = rank
        return BacklogItem.all_objects.create(
            workspace=workspace,
            product=product,
            number=number,
            key=f"ACME-{number}",
            title=title,
            rank=rank,
            deleted_at=deleted_at,
            deleted_by=deleted_by,
        )

    return make


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
