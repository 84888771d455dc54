"""The opportunity map of a Product Goal: the problems under it by evidence, the items that
solve each, the outcomes measured, and the gaps marked; the page, 404 elsewhere, and a
constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.backlog import services as backlog
from lodestar.coverage.opportunity import opportunity_map
from lodestar.discovery import services as discovery
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona
from tests.coverage.test_trace import Loop, loop
from tests.strategy.conftest import goal, product

__all__ = ["goal", "loop", "make_item", "product"]

pytestmark = pytest.mark.django_db


def _evidence(owner: Persona, problem: Any, customers: int) -> None:
    for n in range(customers):
        customer = discovery.customer_create(actor=owner.actor, name=f"{problem.title} {n}")
        feedback = discovery.feedback_create(
            actor=owner.actor, text=f"It hurts ({n})", customer=customer
        )
        discovery.insight_create(
            actor=owner.actor, feedback=feedback, quote="It hurts", problems=[problem]
        )


def test_problems_by_evidence_their_items_and_the_gaps(
    owner: Persona, product: Product, goal: ProductGoal, make_item: MakeItem
) -> None:
    actor = owner.actor
    small = discovery.problem_create(actor=actor, title="Exports are slow", product=product)
    big = discovery.problem_create(actor=actor, title="Sharing is hard", product=product)
    bare = discovery.problem_create(actor=actor, title="Dark mode", product=product)
    _evidence(owner, small, 1)
    _evidence(owner, big, 3)
    epic = make_item("Share by link", kind="epic", goal=goal)
    story = make_item("Link expiry", parent=epic)
    backlog.item_update(actor=actor, item=story, status="done")
    export = make_item("Stream exports", goal=goal)
    theme = make_item("Dark theme", goal=goal)
    lonely = make_item("Refactor the grid", goal=goal)
    make_item("Another goal's item")
    discovery.problem_items_link(actor=actor, problem=big, items=[epic])
    discovery.problem_items_link(actor=actor, problem=small, items=[export])
    discovery.problem_items_link(actor=actor, problem=bare, items=[theme])

    found = opportunity_map(goal)

    assert [o.problem.title for o in found.opportunities] == [
        "Sharing is hard",
        "Exports are slow",
        "Dark mode",
    ]
    sharing, exports, dark = found.opportunities
    assert [s.item.title for s in exports.solutions] == ["Stream exports"]
    assert (sharing.customers, sharing.insights) == (3, 3)
    assert [s.item.title for s in sharing.solutions] == ["Share by link"]
    assert dark.gaps == ["problem_without_evidence"]
    assert [s.item.title for s in found.unlinked] == ["Refactor the grid"]
    assert found.unlinked[0].gaps == ["solution_without_problem"]
    assert "Link expiry" not in [s.item.title for s in found.unlinked]  # its epic solves one
    assert lonely.pk == found.unlinked[0].item.pk
    assert found.gap_count == 2


def test_outcomes_measured_and_the_finished_items_nobody_measured(
    owner: Persona, loop: Loop, goal: ProductGoal, make_item: MakeItem
) -> None:
    actor = owner.actor
    backlog.item_update(actor=actor, item=loop.epic, goal=goal)
    done = make_item("Shipped, never measured", goal=goal)
    backlog.item_update(actor=actor, item=done, status="done")
    discovery.problem_items_link(actor=actor, problem=loop.problem, items=[done])

    found = opportunity_map(goal)

    [opportunity] = found.opportunities
    by_title = {s.item.title: s for s in opportunity.solutions}
    story = by_title["Cache the cart"]
    assert [(o.verdict, o.review_id is not None) for o in story.outcomes] == [("missed", True)]
    assert story.gaps == ["missed"]
    assert story.releases == [("2026.6", "live")]
    assert by_title["Shipped, never measured"].gaps == ["done_not_measured"]


def test_the_page_draws_the_tree_and_another_workspace_gets_404(
    client: Client, viewer: Persona, outsider: Persona, goal: ProductGoal, make_item: MakeItem
) -> None:
    make_item("Refactor the grid", goal=goal)
    client.force_login(viewer.user)
    page = client.get(f"/w/acme/goals/{goal.pk}/map")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="opportunity-map"' in html
    assert 'data-gap="solution_without_problem"' in html
    assert "Solves no customer problem" in html
    goal_page = client.get(f"/w/acme/products/{goal.product.key}/goal").content.decode()
    assert f"/w/acme/goals/{goal.pk}/map" in goal_page
    client.force_login(outsider.user)
    assert client.get(f"/w/acme/goals/{goal.pk}/map").status_code == 404
    assert client.get("/w/acme/goals/999999/map").status_code == 404


def test_the_map_costs_the_same_queries_whatever_its_size(
    owner: Persona, product: Product, goal: ProductGoal, make_item: MakeItem
) -> None:
    problem = discovery.problem_create(actor=owner.actor, title="Slow", product=product)
    first = make_item("One", goal=goal)
    discovery.problem_items_link(actor=owner.actor, problem=problem, items=[first])
    opportunity_map(goal)
    with CaptureQueriesContext(connection) as few:
        opportunity_map(goal)
    for n in range(15):
        other = discovery.problem_create(actor=owner.actor, title=f"P{n}", product=product)
        item = make_item(f"Item {n}", goal=goal, kind="epic")
        make_item(f"Child {n}", parent=item)
        discovery.problem_items_link(actor=owner.actor, problem=other, items=[item])
    with CaptureQueriesContext(connection) as many:
        found = opportunity_map(goal)
    assert len(found.opportunities) == 16
    assert len(many.captured_queries) <= len(few.captured_queries) + 1  # one level deeper
