"""Concurrent writes without If-Match all apply (issue 7, defect 3): on PostgreSQL, where
writers really run side by side."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import Product
from tests.concurrency import run_concurrently
from tests.conftest import Persona


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_edits_without_if_match_all_apply(owner: Persona, product: Product) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (SQLite serializes every writer)")
    item = services.item_create(actor=owner.actor, product=product, title="Start")

    def edit(n: int, wait: Callable[[], object]) -> None:
        mine = BacklogItem.objects.select_related("product").get(pk=item.pk)  # version 1
        wait()
        services.item_update(actor=owner.actor, item=mine, description=f"edit {n}")

    run_concurrently(10, edit)
    stored = BacklogItem.objects.get(pk=item.pk)
    assert stored.version == 11
    assert stored.description.startswith("edit ")


@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_edits_over_the_same_items_all_apply_without_deadlock(
    owner: Persona, product: Product
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (SQLite serializes every writer)")
    items = [
        services.item_create(actor=owner.actor, product=product, title=f"Item {n}")
        for n in range(8)
    ]

    def edit(n: int, wait: Callable[[], object]) -> None:
        # Each batch names the items in another order; half of them also move.
        mine = list(BacklogItem.objects.filter(pk__in=[i.pk for i in items]))
        mine = mine[n % 8 :] + mine[: n % 8]
        change = services.BulkChange(add_labels=[f"l{n}"], position="top" if n % 2 else "bottom")
        wait()
        services.items_update_many(actor=owner.actor, product=product, items=mine, change=change)

    run_concurrently(6, edit)
    for item in BacklogItem.objects.filter(pk__in=[i.pk for i in items]):
        assert item.version == 7
        assert {label.name for label in item.labels.all()} == {f"l{n}" for n in range(6)}
    ranks = list(BacklogItem.objects.filter(product=product).values_list("rank", flat=True))
    assert len(set(ranks)) == len(ranks)
