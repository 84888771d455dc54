"""Decision fixtures: product ``ACME`` with items and a problem; a second product; another
workspace's product and item; people in every seat (``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Problem
from lodestar.people.models import Role, Workspace
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona, _member
from tests.strategy.conftest import product

__all__ = ["MakeItem", "make_item", "product"]


@pytest.fixture
def item(make_item: MakeItem) -> BacklogItem:
    return make_item("Share a dashboard by link")


@pytest.fixture
def problem(owner: Persona, product: Product) -> Problem:
    return discovery.problem_create(
        actor=owner.actor, title="Sharing a dashboard takes a seat", product=product
    )


@pytest.fixture
def other_product(owner: Persona) -> Product:
    return strategy.product_create(actor=owner.actor, key="MOBI", name="Acme Mobile")


@pytest.fixture
def foreign_item(other_workspace: Workspace) -> BacklogItem:
    """An item of GLOB, a product of the other workspace (``globex``)."""
    boss = _member(other_workspace, "chief@globex.test", Role.OWNER)
    glob = strategy.product_create(actor=boss.actor, key="GLOB", name="Globex")
    return backlog.item_create(actor=boss.actor, product=glob, title="Globex only")
