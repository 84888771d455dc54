"""Notification fixtures: product ``ACME`` with an item and a problem (``tests/comments``),
people in every seat, and the durable subscriber's cursor set before each test's changes (a
new subscriber hears what comes after it arrives)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.comments.access import Target, access_target
from lodestar.core import events
from tests.conftest import Persona
from tests.decisions.conftest import foreign_item, item, make_item, problem, product

__all__ = ["foreign_item", "item", "make_item", "problem", "product"]


@pytest.fixture
def deliver(db: None) -> Callable[[], int]:
    """Deliver the outbox to the durable subscribers (as the worker's pump does); the cursor
    is placed when the fixture is set up."""
    events.deliver_pending()
    return events.deliver_pending


@pytest.fixture
def on_item(owner: Persona, item: BacklogItem) -> Target:
    return access_target(owner.actor, "items", item.key)
