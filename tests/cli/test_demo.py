"""``lodestar demo``: the Acme Analytics workspace, its people and hats, and how to sign in."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from lodestar.core.models import HistoryEntry
from lodestar.core.registry import Demo, registry
from lodestar.people.demo import DEMO_PASSWORD, DemoPeople
from lodestar.people.models import Membership, Role, TeamMembership, TeamRole, User
from lodestar.strategy.models import Product, ProductOwnerHat
from tests.cli.support import error_line, run

pytestmark = pytest.mark.django_db


def _current(team: str, role: TeamRole) -> list[str]:
    return sorted(
        TeamMembership.objects.filter(
            team__workspace__slug="acme", team__slug=team, role=role, ended_at__isnull=True
        ).values_list("member__user__email", flat=True)
    )


def test_demo_creates_the_workspace_with_its_people_and_hats() -> None:
    result = run("demo", "--address", "http://127.0.0.1:9999/")
    assert result.exit_code == 0, result.output

    members = {
        m.user.email: (m.role, m.job_title)
        for m in Membership.objects.filter(workspace__slug="acme").select_related("user")
    }
    assert members == {
        "olivia@acme.example": (Role.OWNER, "Founder"),
        "priya@acme.example": (Role.ADMIN, "Product Manager"),
        "quinn@acme.example": (Role.MEMBER, "QA Engineer"),
        "diego@acme.example": (Role.MEMBER, "Engineer"),
        "dana@acme.example": (Role.MEMBER, "Engineer"),
        "sam@acme.example": (Role.MEMBER, "Engineer"),
        "lee@acme.example": (Role.MEMBER, "Engineer"),
        "victor@acme.example": (Role.VIEWER, "Sales Lead"),
    }
    # One product owner for ACME, shared by both teams; no team holds the hat itself.
    acme = ProductOwnerHat.objects.get(product__key="ACME", ended_at__isnull=True)
    assert acme.member.user.email == "quinn@acme.example"
    assert not TeamMembership.objects.filter(role=TeamRole.PRODUCT_OWNER).exists()
    assert _current("checkout", TeamRole.SCRUM_MASTER) == ["sam@acme.example"]
    assert _current("checkout", TeamRole.DEVELOPER) == ["dana@acme.example", "diego@acme.example"]
    assert _current("checkout", TeamRole.STAKEHOLDER) == ["victor@acme.example"]
    assert _current("insights", TeamRole.DEVELOPER) == ["dana@acme.example", "lee@acme.example"]
    assert User.objects.get(email="quinn@acme.example").check_password(DEMO_PASSWORD)

    out = result.stdout
    assert "http://127.0.0.1:9999/" in out
    assert DEMO_PASSWORD in out
    assert "quinn@acme.example" in out
    assert "product owner of ACME" in out


def test_demo_keeps_the_product_owner_hat_history() -> None:
    assert run("demo").exit_code == 0
    acme = Product.objects.get(workspace__slug="acme", key="ACME")
    hats = list(ProductOwnerHat.objects.filter(product=acme).order_by("started_at"))
    assert [hat.member.user.email for hat in hats] == ["priya@acme.example", "quinn@acme.example"]
    assert hats[0].ended_at == hats[1].started_at
    assert hats[0].started_at < hats[0].ended_at
    move = HistoryEntry.objects.get(
        workspace=acme.workspace,
        object_type="strategy.product",
        object_id=acme.pk,
        action="moved",
        created_at=hats[1].started_at,
    )
    assert move.changes == {"product_owner": ["priya@acme.example", "quinn@acme.example"]}


def test_demo_if_empty_is_idempotent_and_still_shows_the_logins() -> None:
    assert run("demo", "--if-empty").exit_code == 0
    counts = (User.objects.count(), TeamMembership.objects.count(), HistoryEntry.objects.count())

    again = run("demo", "--if-empty")
    assert again.exit_code == 0, again.output
    assert (User.objects.count(), TeamMembership.objects.count(), HistoryEntry.objects.count()) == (
        counts
    )
    assert "olivia@acme.example" in again.stdout


def test_demo_refuses_a_database_that_has_users() -> None:
    User.objects.create_user("someone@example.com", "x")
    line = error_line(run("demo"))
    assert "already has users" in line
    assert not Membership.objects.exists()


def test_demo_if_empty_on_someone_elses_data_loads_nothing() -> None:
    User.objects.create_user("someone@example.com", "x")
    result = run("demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "no demo loaded" in result.stdout
    assert DEMO_PASSWORD not in result.stdout
    assert User.objects.count() == 1


@contextlib.contextmanager
def _backlog_demo(seed: Callable[[dict[str, Any]], Any]) -> Iterator[None]:
    """The backlog's declared demo replaced by ``seed`` for the block."""
    with registry().scoped():
        backlog = registry().plugins["backlog"]
        registry().plugins["backlog"] = replace(backlog, demo=Demo(seed=seed, after=("people",)))
        yield


def test_demo_hands_the_people_to_the_other_contexts_demo() -> None:
    received: list[DemoPeople] = []
    with _backlog_demo(lambda world: received.append(world["people"])):
        assert run("demo").exit_code == 0
    assert len(received) == 1
    people = received[0]
    assert people.workspace.slug == "acme"
    assert people.actor("quinn").membership.job_title == "QA Engineer"
    assert set(people.teams) == {"checkout", "insights"}


def test_a_failing_context_demo_leaves_the_database_empty() -> None:
    def seed(world: dict[str, Any]) -> None:
        raise RuntimeError("broken demo")

    with _backlog_demo(seed):
        result = run("demo")
    assert isinstance(result.exception, RuntimeError)
    assert not User.objects.exists()
