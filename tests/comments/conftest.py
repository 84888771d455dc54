"""Comment fixtures: product ``ACME`` with an item and a problem, another workspace's item,
people in every seat (``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.comments.access import Target, access_target
from lodestar.discovery.models import Problem
from tests.conftest import Persona
from tests.decisions.conftest import foreign_item, item, make_item, problem, product

__all__ = ["foreign_item", "item", "make_item", "problem", "product"]


@pytest.fixture
def on_item(owner: Persona, item: BacklogItem) -> Target:
    return access_target(owner.actor, "items", item.key)


@pytest.fixture
def on_problem(owner: Persona, problem: Problem) -> Target:
    return access_target(owner.actor, "problems", str(problem.pk))
