"""The demo backlog: a product, its goals, its teams and a lived-in, partly flagged backlog."""

from __future__ import annotations

import pytest

from lodestar.backlog import demo
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.selectors import BacklogFilters, backlog_list, item_readiness
from lodestar.people import demo as people_demo
from lodestar.strategy.models import GoalStatus


@pytest.mark.django_db
def test_demo_backlog() -> None:
    people = people_demo.seed()
    product = demo.seed(people)
    assert (product.key, product.name) == ("ACME", "Acme Analytics")
    assert sorted(team.slug for team in product.teams.all()) == ["checkout", "insights"]
    goals = {goal.status: goal for goal in product.goals.all()}
    assert set(goals) == {GoalStatus.ACTIVE, GoalStatus.ACHIEVED}
    items = BacklogItem.objects.filter(product=product)
    assert 55 <= items.count() <= 70
    assert {item.kind for item in items} == set(ItemKind.values)
    assert items.filter(parent__parent__isnull=False).exists()  # epic -> story -> task
    ready = items.filter(status=ItemStatus.READY)
    assert ready.count() >= 5
    assert all(item_readiness(item).ready for item in ready)
    actor = people.actor("lee")
    flagged = backlog_list(
        actor=actor, product=product, filters=BacklogFilters(flagged=True), limit=500
    )
    assert 3 <= len(flagged.items) <= 12
    page = backlog_list(actor=actor, product=product, limit=500).items
    done = [i.status in (ItemStatus.DONE, ItemStatus.WONT_DO) and i.parent_id is None for i in page]
    # Finished top-level work sits at the bottom.
    assert done == sorted(done)
