"""Backlog focus: the top of the backlog by velocity, the evidence behind it, its items
without any, the stronger problems left without an item, stale items and readiness; the strip
on the backlog page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.coverage.focus import STALE_DAYS, TOP_WITHOUT_VELOCITY, backlog_focus
from lodestar.discovery import services as discovery
from lodestar.people.models import Team
from lodestar.sprints import services as sprints
from lodestar.sprints.models import Sprint
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona
from tests.strategy.conftest import product

__all__ = ["make_item", "product"]

pytestmark = pytest.mark.django_db


def _backed(owner: Persona, problem: Any, customers: int, arr: int = 1_000) -> None:
    for n in range(customers):
        customer = discovery.customer_create(
            actor=owner.actor, name=f"{problem.title} {n}", arr=arr
        )
        feedback = discovery.feedback_create(actor=owner.actor, text="It hurts", customer=customer)
        discovery.insight_create(
            actor=owner.actor, feedback=feedback, quote="It hurts", problems=[problem]
        )


def _velocity(owner: Persona, team: Team, points: int) -> None:
    today = timezone.localdate()
    sprint = sprints.sprint_create(
        actor=owner.actor,
        team=team,
        name="Past",
        start_date=today - dt.timedelta(days=20),
        end_date=today - dt.timedelta(days=7),
    )
    Sprint.objects.filter(pk=sprint.pk).update(
        state="closed", completed_points=points, goal="Done", started_at=timezone.now()
    )


def test_the_top_its_evidence_and_what_is_missing(
    owner: Persona, product: Product, team: Team, make_item: MakeItem
) -> None:
    _velocity(owner, team, 5)  # two sprints: 10 points
    sharing = discovery.problem_create(actor=owner.actor, title="Sharing", product=product)
    exports = discovery.problem_create(actor=owner.actor, title="Exports", product=product)
    stronger = discovery.problem_create(actor=owner.actor, title="Dark mode", product=product)
    _backed(owner, sharing, 2, arr=5_000)
    _backed(owner, exports, 1, arr=1_000)
    _backed(owner, stronger, 3)
    epic = make_item("Share", kind="epic", estimate=3)
    make_item("Share by link", parent=epic, estimate=3)
    bare = make_item("Refactor", estimate=3, status="in_progress")
    make_item("Below the top", estimate=5)
    discovery.problem_items_link(actor=owner.actor, problem=sharing, items=[epic])
    discovery.problem_items_link(actor=owner.actor, problem=exports, items=[bare])
    BacklogItem.objects.filter(pk=bare.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=STALE_DAYS + 1)
    )

    focus = backlog_focus(product)

    assert focus.velocity == Decimal("5.0")
    assert [item.title for item in focus.top] == ["Share", "Share by link", "Refactor"]
    assert focus.points == Decimal("9")
    assert (focus.customers, focus.arr) == (3, Decimal("11000"))
    assert focus.without_evidence == []  # the story solves Sharing through its epic
    assert [(p.title, n) for p, n in focus.stronger_left_out] == [("Dark mode", 3)]
    assert [item.title for item in focus.stale] == ["Refactor"]
    assert focus.ready == 1


def test_without_velocity_the_first_items_and_without_evidence(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    for n in range(TOP_WITHOUT_VELOCITY + 2):
        make_item(f"Item {n}")
    weak = discovery.problem_create(actor=owner.actor, title="No insight yet", product=product)
    first = BacklogItem.objects.get(title="Item 0")
    discovery.problem_items_link(actor=owner.actor, problem=weak, items=[first])
    backlog.item_delete(actor=owner.actor, item=BacklogItem.objects.get(title="Item 1"))

    focus = backlog_focus(product)

    assert focus.velocity is None
    assert len(focus.top) == TOP_WITHOUT_VELOCITY
    assert "Item 1" not in [item.title for item in focus.top]  # trashed
    assert len(focus.without_evidence) == TOP_WITHOUT_VELOCITY  # a problem with no insight
    assert focus.customers == 0


def test_the_backlog_page_loads_the_strip(
    client: Client, viewer: Persona, outsider: Persona, product: Product, make_item: MakeItem
) -> None:
    make_item("One")
    client.force_login(viewer.user)
    page = client.get("/w/acme/products/ACME/backlog").content.decode()
    assert 'data-testid="focus-slot"' in page
    strip = client.get("/w/acme/products/ACME/focus", headers={"HX-Request": "true"})
    assert strip.status_code == 200
    assert 'data-testid="backlog-focus"' in strip.content.decode()
    client.force_login(outsider.user)
    assert client.get("/w/acme/products/ACME/focus").status_code == 404
