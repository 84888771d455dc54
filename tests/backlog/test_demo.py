"""The demo backlog: a product, its goals, its teams and a lived-in, partly flagged backlog."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lodestar.backlog import demo
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.saved_views import demo as saved_views_demo
from lodestar.backlog.saved_views.models import SavedView
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


@pytest.mark.django_db
def test_demo_history_reads_like_a_teams_weeks() -> None:
    """Not everything by one person "just now": several people, over the past months."""
    from django.utils import timezone

    from lodestar.core.history import history_recent
    from lodestar.core.models import HistoryEntry

    people = people_demo.seed()
    product = demo.seed(people)
    now = timezone.now()
    recent = history_recent(workspace_id=people.workspace.pk, limit=20)
    assert len({entry.actor_id for entry in recent}) >= 3
    assert dt.timedelta(hours=1) < now - recent[0].created_at < dt.timedelta(days=4)
    entries = HistoryEntry.objects.filter(workspace=people.workspace)
    oldest = entries.order_by("created_at").first()
    assert oldest is not None
    assert now - oldest.created_at > dt.timedelta(days=60)
    assert not entries.filter(created_at__gt=now).exists()
    # Work is started and finished by the person it is assigned to, after it was written.
    for item in BacklogItem.objects.filter(product=product, assignee__isnull=False):
        started_or_finished = entries.filter(
            object_type="backlog.backlogitem",
            object_id=item.pk,
            action=HistoryEntry.Action.UPDATED,
            changes__has_key="status",
        )
        for entry in started_or_finished:
            assert entry.actor_id == item.assignee.user_id
            assert entry.created_at > item.created_at
    # An item's dates follow its history.
    item = BacklogItem.objects.filter(product=product).order_by("pk").first()
    assert item is not None
    assert now - item.created_at > dt.timedelta(days=30)


@pytest.mark.django_db
def test_saving_an_unchanged_estimate_records_no_change(make_item: Any, owner: Any) -> None:
    from lodestar.backlog import services
    from lodestar.core.models import HistoryEntry

    item = make_item("Five points", estimate=5)
    item.refresh_from_db()  # reads back Decimal("5.0")
    before = HistoryEntry.objects.count()
    services.item_update(actor=owner.actor, item=item, estimate=5, title="Five points")
    assert HistoryEntry.objects.count() == before


@pytest.mark.django_db
def test_the_demo_keeps_saved_views_shared_and_personal() -> None:
    people = people_demo.seed()
    saved_views_demo.seed(people, demo.seed(people))
    views = {view.name: view for view in SavedView.objects.select_related("owner__user")}
    assert sorted(views) == ["Flagged", "Open bugs", "Ready for the sprint"]
    assert views["Open bugs"].shared
    assert not views["Flagged"].shared
    assert views["Flagged"].owner.user.email == "quinn@acme.example"
