"""Release fixtures: team ``core`` works from ``ACME``; a planned release with two items and a
success criterion (so that the go-live checks outcomes adds are met unless a test says so)."""

from __future__ import annotations

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.outcomes import services as outcomes
from lodestar.outcomes.models import Metric
from lodestar.releases import services
from lodestar.releases.models import Release
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona
from tests.strategy.conftest import product

__all__ = ["MakeItem", "make_item", "product"]


@pytest.fixture
def items(make_item: MakeItem) -> list[BacklogItem]:
    return [
        make_item("Export dashboards as PDF", kind="story"),
        make_item("Charts cut off on phones", kind="bug"),
    ]


@pytest.fixture
def release(owner: Persona, product: Product, items: list[BacklogItem]) -> Release:
    made = services.release_create(actor=owner.actor, product=product, name="2026.1")
    services.release_items_add(actor=owner.actor, release=made, items=items)
    measure(owner, made)
    made.refresh_from_db()
    return made


def measure(owner: Persona, release: Release) -> None:
    """A success criterion on ``release`` (a metric ``conversion`` of its product)."""
    metric = Metric.objects.filter(product=release.product, key="conversion").first()
    if metric is None:
        metric = outcomes.metric_create(
            actor=owner.actor,
            product=release.product,
            key="conversion",
            name="Conversion",
            direction="higher",
        )
    outcomes.criterion_create(
        actor=owner.actor,
        product=release.product,
        metric=metric,
        release=release,
        target=5,
        target_kind="relative",
    )
