"""Discovery fixtures: a few customers in two segments, and helpers to capture feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lodestar.discovery import services
from lodestar.discovery.models import Customer, Feedback
from tests.backlog.conftest import goal, make_item, product
from tests.conftest import Persona

__all__ = ["goal", "make_item", "product"]

Capture = Callable[..., Feedback]


@pytest.fixture
def customers(pm: Persona) -> dict[str, Customer]:
    """Three customers: two in "SMB" (one without ARR), one in "Enterprise"."""
    actor = pm.actor
    return {
        "globex": services.customer_create(
            actor=actor, name="Globex", segment="Enterprise", arr="120000", external_id="crm-1"
        ),
        "initech": services.customer_create(actor=actor, name="Initech", segment="SMB", arr=9000),
        "hooli": services.customer_create(actor=actor, name="Hooli", segment="SMB"),
    }


@pytest.fixture
def capture(pm: Persona) -> Capture:
    def make(text: str = "Exporting to CSV takes forever.", **fields: Any) -> Feedback:
        fields.setdefault("actor", pm.actor)
        return services.feedback_create(text=text, **fields)

    return make
