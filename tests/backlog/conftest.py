"""Backlog fixtures: the ``ACME`` product worked on by team ``core``, its goal, and items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.strategy.conftest import goal, product

__all__ = ["goal", "make_item", "product"]

MakeItem = Callable[..., BacklogItem]


@pytest.fixture
def make_item(owner: Persona, product: Product) -> MakeItem:
    """Create an item of ``product`` at the bottom of its backlog, as the workspace owner."""

    def make(title: str = "An item", **fields: Any) -> BacklogItem:
        fields.setdefault("actor", owner.actor)
        fields.setdefault("product", product)
        return services.item_create(title=title, **fields)

    return make


def ordered_keys(product: Product) -> list[str]:
    return list(
        BacklogItem.objects.filter(product=product).order_by("rank").values_list("key", flat=True)
    )
