"""Named personas shared by every test: owner, admin, po, developer, viewer, outsider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from lodestar.people.models import (
    ApiToken,
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Workspace,
)
from lodestar.people.policy import Actor
from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret
from tests.smtp import smtp_server  # noqa: F401  (a fixture every test may ask for)

PASSWORD = "correct-horse-battery"


@dataclass
class Persona:
    user: User
    membership: Membership

    @property
    def actor(self) -> Actor:
        return Actor(user=self.user, membership=self.membership)

    @property
    def email(self) -> str:
        return self.user.email


def _member(workspace: Workspace, email: str, role: str, job_title: str = "") -> Persona:
    user = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0].title())
    membership = Membership.objects.create(
        workspace=workspace, user=user, role=role, job_title=job_title
    )
    return Persona(user=user, membership=membership)


@pytest.fixture
def workspace(db: None) -> Workspace:
    return Workspace.objects.create(slug="acme", name="Acme")


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return Workspace.objects.create(slug="globex", name="Globex")


@pytest.fixture
def team(workspace: Workspace) -> Team:
    return Team.objects.create(workspace=workspace, slug="core", name="Core")


@pytest.fixture
def owner(workspace: Workspace) -> Persona:
    return _member(workspace, "owner@acme.test", Role.OWNER, "Founder")


@pytest.fixture
def admin(workspace: Workspace) -> Persona:
    return _member(workspace, "admin@acme.test", Role.ADMIN, "Engineering Manager")


@pytest.fixture
def po(workspace: Workspace, team: Team) -> Persona:
    """A member (a QA engineer by job) who wears the product owner hat of the product that
    ``team`` works from: the ``product`` fixtures give it (``tests/strategy/conftest.py``)."""
    return _member(workspace, "po@acme.test", Role.MEMBER, "QA Engineer")


@pytest.fixture
def developer(workspace: Workspace, team: Team) -> Persona:
    persona = _member(workspace, "dev@acme.test", Role.MEMBER, "Engineer")
    TeamMembership.objects.create(team=team, member=persona.membership, role=TeamRole.DEVELOPER)
    return persona


@pytest.fixture
def pm(workspace: Workspace) -> Persona:
    return _member(workspace, "pm@acme.test", Role.MEMBER, "Product Manager")


@pytest.fixture
def viewer(workspace: Workspace) -> Persona:
    return _member(workspace, "viewer@acme.test", Role.VIEWER, "Designer")


@pytest.fixture
def outsider(other_workspace: Workspace) -> Persona:
    """An owner of another workspace: sees nothing of ``acme``."""
    return _member(other_workspace, "boss@globex.test", Role.OWNER)


@pytest.fixture
def make_token() -> Callable[[Persona], str]:
    """Create an API token for a persona in its workspace; returns the secret."""

    def make(persona: Persona, name: str = "test") -> str:
        secret = new_secret(API_TOKEN_PREFIX)
        ApiToken.objects.create(
            workspace=persona.membership.workspace,
            user=persona.user,
            name=name,
            prefix=secret[:8],
            token_hash=hash_secret(secret),
        )
        return secret

    return make


@pytest.fixture
def api_client(make_token: Callable[[Persona], str]) -> Callable[[Persona], Client]:
    """A test client that authenticates as a persona with a bearer token."""

    def make(persona: Persona) -> Client:
        return Client(headers={"Authorization": f"Bearer {make_token(persona)}"})

    return make
