"""Sprint fixtures: team ``core`` works from ``ACME``; a planned sprint; people in hats."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.people.models import Role, Team, TeamMembership, TeamRole, Workspace
from lodestar.sprints import services
from lodestar.sprints.models import Sprint
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona, _member
from tests.strategy.conftest import goal, product

__all__ = ["MakeItem", "goal", "make_item", "product"]

START = dt.date(2026, 3, 2)
END = dt.date(2026, 3, 13)


@pytest.fixture
def scrum_master(workspace: Workspace, team: Team) -> Persona:
    persona = _member(workspace, "sm@acme.test", Role.MEMBER, "Agile Coach")
    TeamMembership.objects.create(team=team, member=persona.membership, role=TeamRole.SCRUM_MASTER)
    return persona


@pytest.fixture
def stranger(workspace: Workspace) -> Persona:
    """A member of the workspace in no hat of the team."""
    return _member(workspace, "stranger@acme.test", Role.MEMBER, "Engineer")


@pytest.fixture
def sprint(owner: Persona, team: Team, product: Product) -> Sprint:
    return services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 1", start_date=START, end_date=END
    )
