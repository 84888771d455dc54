"""The backlog's questions that later contexts answer (``core.extensions``).

- **Purposes** — what makes an item worth doing. An item with none of them is flagged ("serves
  no Product Goal and solves no customer problem"), never hidden. The backlog declares its own
  (serving a Product Goal); discovery adds solving a customer problem.
- **Velocity** — how many points a product's teams finish per sprint, for the Definition of
  Ready's size check. Sprints answers it; the first source (in order) that knows wins.

Each provider is declared in its context's plugin: ``Plugin(provides=[(PURPOSES, Purpose(...))])``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from lodestar.core.extensions import ExtensionPoint

if TYPE_CHECKING:
    from lodestar.strategy.models import Product


@dataclass(frozen=True)
class Purpose:
    """One reason an item may exist: ``condition()`` matches the items that have it, and
    ``missing`` says in words what an item without it lacks ("serves no Product Goal")."""

    name: str
    condition: Callable[[], Q]
    missing: str
    order: int = 100


@dataclass(frozen=True)
class VelocitySource:
    """Where a product's velocity comes from: ``velocity(product)`` gives the average points
    its teams finish per sprint, or None when it cannot tell (no finished sprints yet)."""

    name: str
    velocity: Callable[[Product], Decimal | None]
    order: int = 100


PURPOSES: ExtensionPoint[Purpose] = ExtensionPoint("backlog.purposes")
VELOCITY: ExtensionPoint[VelocitySource] = ExtensionPoint("backlog.velocity")
