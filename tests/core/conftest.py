"""Fixtures of the core tests: a trash registry with backlog items in it, on real rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.core.ranking import key_between
from lodestar.core.registry import ObjectType, TrashRules, registry
from lodestar.people.models import Workspace
from lodestar.strategy.models import Product

MakeItem = Callable[..., BacklogItem]


@pytest.fixture
def trash_registry() -> Iterator[Callable[..., ObjectType]]:
    """The registry for the test, with backlog items (type ``item``) in the trash without the
    backlog's hooks; call it to change the item's declaration (``on_restore=...``)."""

    def declare(**trash_rules: Any) -> ObjectType:
        workspace = trash_rules.pop("workspace", "workspace")
        declared = replace(base, workspace=workspace, trash=TrashRules(**trash_rules), title=_title)
        registry().replace(declared)
        return declared

    with registry().scoped():
        base = registry().object_type("item")
        assert base is not None
        declare()
        yield declare


def _title(item: BacklogItem) -> str:
    return f"{item.key} {item.title}"


@pytest.fixture
def make_item(trash_registry: Callable[..., ObjectType]) -> MakeItem:
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
