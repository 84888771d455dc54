"""A product worked on by team ``core``, whose product owner is the ``po`` persona when the
test has one (the hat is the product's, shared by every team on it)."""

from __future__ import annotations

import pytest

from lodestar.people.models import Team
from lodestar.strategy import services
from lodestar.strategy.models import Product, ProductGoal, ProductOwnerHat
from tests.conftest import Persona


def give_hat_to_po(request: pytest.FixtureRequest, product: Product) -> None:
    """The ``po`` persona, when the test uses it, wears ``product``'s product owner hat."""
    if "po" in request.fixturenames:
        po: Persona = request.getfixturevalue("po")
        ProductOwnerHat.objects.create(product=product, member=po.membership)


@pytest.fixture
def product(request: pytest.FixtureRequest, owner: Persona, team: Team) -> Product:
    product = services.product_create(
        actor=owner.actor, key="ACME", name="Acme Analytics", vision="Answers in *seconds*."
    )
    services.team_product_set(actor=owner.actor, team=team, product=product)
    give_hat_to_po(request, product)
    product.refresh_from_db()
    return product


@pytest.fixture
def goal(owner: Persona, product: Product) -> ProductGoal:
    return services.goal_set(
        actor=owner.actor, product=product, statement="Self-serve dashboards for SMB customers"
    )
