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
