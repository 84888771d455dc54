"""Report fixtures: product ``ACME`` with a goal and its items, a closed sprint, a release live
and one planned, a decision taken and one still proposed, and a problem with evidence, all
in October 2026 (``PERIOD``); titles carry Markdown and HTML to prove they are escaped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import ItemStatus
from lodestar.decisions import services as decisions
from lodestar.discovery import services as discovery
from lodestar.people.models import Role, Team, Workspace
from lodestar.releases import services as releases
from lodestar.releases.models import Release
from lodestar.sprints.models import Sprint, SprintState
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona, _member
from tests.strategy.conftest import product

__all__ = ["product"]

SINCE = dt.date(2026, 10, 1)
UNTIL = dt.date(2026, 12, 31)
TODAY = dt.date(2026, 11, 15)
HOSTILE = "Pipes | and\nnew lines <script>alert(1)</script> [link](https://evil.test) **bold**"


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class World:
    product: Product
    live: Release
    planned: Release
    sprint: Sprint


@pytest.fixture
def world(owner: Persona, product: Product, team: Team) -> World:
    actor = owner.actor
    goal = strategy.goal_set(actor=actor, product=product, statement=HOSTILE)
    items = [
        backlog.item_create(actor=actor, product=product, title=f"Story {n}", goal=goal)
        for n in range(4)
    ]
    backlog.item_update(actor=actor, item=items[0], status=ItemStatus.DONE)
    backlog.item_update(actor=actor, item=items[1], status=ItemStatus.WONT_DO)

    sprint = Sprint.objects.create(
        workspace=product.workspace,
        team=team,
        product=product,
        name="Sprint | 1",
        start_date=dt.date(2026, 10, 5),
        end_date=dt.date(2026, 10, 16),
        state=SprintState.CLOSED,
        goal="Export\nevery row",
        goal_met=True,
        committed_points=Decimal("13"),
        completed_points=Decimal("8"),
        committed_items=3,
        completed_items=2,
    )
    # Outside the period: ended the day before it starts.
    Sprint.objects.create(
        workspace=product.workspace,
        team=team,
        product=product,
        name="Sprint 0",
        start_date=dt.date(2026, 9, 16),
        end_date=dt.date(2026, 9, 30),
        state=SprintState.CLOSED,
        goal="Earlier",
        goal_met=False,
    )

    live = releases.release_create(
        actor=actor, product=product, name="2026.1 | Faster", target_date=dt.date(2026, 10, 20)
    )
    live = releases.release_go_live(actor=actor, release=live, force=True, reason="Demo day")
    Release.objects.filter(pk=live.pk).update(went_live_at=at(dt.date(2026, 10, 22)))
    planned = releases.release_create(
        actor=actor, product=product, name="2026.2 Exports", target_date=dt.date(2027, 1, 15)
    )
    releases.release_items_add(actor=actor, release=planned, items=items[2:])

    decisions.decision_create(
        actor=actor,
        product=product,
        title=HOSTILE,
        decision="Stream **every** row.",
        status="decided",
        decided_at=dt.date(2026, 10, 3),
    )
    decisions.decision_create(
        actor=actor,
        product=product,
        title="Too early",
        status="decided",
        decided_at=dt.date(2026, 9, 30),
    )
    decisions.decision_create(actor=actor, product=product, title="Not yet decided")

    customer = discovery.customer_create(actor=actor, name="Initech", arr=Decimal("120000"))
    problem = discovery.problem_create(actor=actor, title=HOSTILE, product=product)
    feedback = discovery.feedback_create(
        actor=actor, text="Exports stop at ten thousand rows.", customer=customer
    )
    discovery.insight_create(
        actor=actor, feedback=feedback, quote="stop at ten thousand rows", problems=[problem]
    )
    return World(product=product, live=live, planned=planned, sprint=sprint)


@pytest.fixture
def foreign_product(other_workspace: Workspace) -> Product:
    boss = _member(other_workspace, "chief@globex.test", Role.OWNER)
    return strategy.product_create(actor=boss.actor, key="GLOB", name="Globex")
