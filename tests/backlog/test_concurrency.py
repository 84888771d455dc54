"""Concurrent writes without If-Match all apply (issue 7, defect 3): on PostgreSQL, where
writers really run side by side."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import Product
from tests.conftest import Persona


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_edits_without_if_match_all_apply(owner: Persona, product: Product) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (SQLite serializes every writer)")
    item = services.item_create(actor=owner.actor, product=product, title="Start")
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            mine = BacklogItem.objects.select_related("product").get(pk=item.pk)  # version 1
            barrier.wait()
            services.item_update(actor=owner.actor, item=mine, description=f"edit {n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = BacklogItem.objects.get(pk=item.pk)
    assert stored.version == 11
    assert stored.description.startswith("edit ")
