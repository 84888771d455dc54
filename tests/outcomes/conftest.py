"""Outcomes fixtures: product ``ACME`` with a metric."""

from __future__ import annotations

import pytest

from lodestar.outcomes import services
from lodestar.outcomes.models import Metric
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.strategy.conftest import product

__all__ = ["product"]


@pytest.fixture
def metric(owner: Persona, product: Product) -> Metric:
    return services.metric_create(
        actor=owner.actor,
        product=product,
        key="conversion",
        name="Checkout conversion",
        unit="%",
        direction="higher",
    )
