"""The benchmarks' seed builds its workspace through the same services as the product, so a
change to a service it calls breaks it; this keeps ``bench/`` runnable (the benchmarks
themselves are never run here: their figures live in docs/PERFORMANCE.md)."""

from __future__ import annotations

import random

import pytest
from bench.harness import seed

from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import ProductOwnerHat

pytestmark = pytest.mark.django_db


def test_the_benchmark_seed_builds_its_backlog() -> None:
    made = seed.seed(30, random.Random(1))
    assert made.items == 30
    assert BacklogItem.objects.filter(product_id=made.product_id).count() == 30
    owner = ProductOwnerHat.objects.get(product_id=made.product_id, ended_at__isnull=True)
    assert owner.member.user.email == "po@bench.test"
