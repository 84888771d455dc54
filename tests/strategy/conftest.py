"""A product worked on by team ``core`` (whose product owner is the ``po`` persona)."""

from __future__ import annotations

import pytest

from lodestar.people.models import Team
from lodestar.strategy import services
from lodestar.strategy.models import Product, ProductGoal
from tests.conftest import Persona


@pytest.fixture
def product(owner: Persona, team: Team) -> Product:
    product = services.product_create(
        actor=owner.actor, key="ACME", name="Acme Analytics", vision="Answers in *seconds*."
    )
    services.team_product_set(actor=owner.actor, team=team, product=product)
    return product


@pytest.fixture
def goal(owner: Persona, product: Product) -> ProductGoal:
    return services.goal_set(
        actor=owner.actor, product=product, statement="Self-serve dashboards for SMB customers"
    )
