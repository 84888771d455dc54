"""The demo's releases: two live weeks ago with their items done, notes written and success
criteria set (outcomes' demo takes them live), one in progress with a forecast, one cancelled;
deterministic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import demo as backlog_demo
from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.discovery import demo as discovery_demo
from lodestar.discovery.models import Customer, Feedback, Problem
from lodestar.outcomes import demo as outcomes_demo
from lodestar.people import demo as people_demo
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.releases import demo, roadmap, roadmap_selectors
from lodestar.releases.checklist import checklist
from lodestar.releases.forecasts import release_forecast
from lodestar.releases.models import Release, ReleaseItem, ReleaseState, RoadmapShare
from lodestar.sprints import demo as sprints_demo
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona
from tests.strategy.conftest import product

__all__ = ["make_item", "product"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases() -> list[Release]:
    people = people_demo.seed()
    product = backlog_demo.seed(people)
    discovery_demo.seed({"people": people, "backlog": product})
    sprints_demo.seed(people, product)
    made = demo.seed(people, product)
    outcomes_demo.seed({"people": people, "backlog": product, "releases": made})
    for release in made:
        release.refresh_from_db()
    return made


def test_the_demo_releases(releases: list[Release]) -> None:
    older, live, planned, cancelled = releases
    today = timezone.localdate()
    for each in (older, live):
        assert each.state == ReleaseState.LIVE
        assert each.went_live_at is not None
        assert (today - each.went_live_at.date()).days >= 21
        assert not each.forced
        entries = ReleaseItem.objects.filter(release=each)
        assert entries.count() == demo.LIVE_ITEMS
        assert all(entry.item.status == ItemStatus.DONE for entry in entries)
        assert each.notes_html.startswith("<h1>")
    assert older.went_live_at < live.went_live_at  # type: ignore[operator]
    assert planned.state == ReleaseState.IN_PROGRESS
    assert planned.target_date is not None
    assert planned.target_date > today
    statuses = set(
        ReleaseItem.objects.filter(release=planned).values_list("item__status", flat=True)
    )
    assert ItemStatus.IN_PROGRESS in statuses
    assert [c.key for c in checklist(planned) if not c.met][:2] == ["items", "notes"]
    forecast = release_forecast(planned)
    assert forecast.when is not None, forecast.reason
    assert forecast.teams == ["Checkout", "Insights"]
    assert forecast.chance is not None
    assert cancelled.state == ReleaseState.CANCELLED


def test_the_demo_roadmap_and_its_share_page_show_no_customer_data(
    releases: list[Release],
) -> None:
    product = releases[0].product
    lanes = {lane.name: lane.cards for lane in roadmap_selectors.lanes(product)}
    assert all(lanes[name] for name in ("now", "next", "later")), lanes
    kinds = {card.type for cards in lanes.values() for card in cards}
    assert kinds == {"goal", "item", "problem", "release"}
    assert RoadmapShare.objects.filter(product=product).count() == 1
    owner = RoadmapShare.objects.get(product=product).created_by
    actor = Actor(owner, Membership.objects.get(user=owner, workspace_id=product.workspace_id))
    _, token = roadmap.roadmap_share_create(actor=actor, product=product, label="Check")
    html = Client().get(f"/share/roadmap/{token}").content.decode()
    customers = list(Customer.objects.values_list("name", flat=True))
    assert customers
    for name in customers:
        assert name not in html, name
    for text in Feedback.objects.values_list("text", flat=True):
        assert text[:40] not in html
    assert "ARR" not in html


def test_a_ready_release_holds_the_work_of_its_theme_when_enough_of_it_was_finished(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    today = timezone.localdate()

    def finished(title: str, weeks_ago: int) -> BacklogItem:
        item = make_item(title)
        BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
        day = today - dt.timedelta(weeks=weeks_ago)
        ItemStatusChange.objects.create(
            workspace=product.workspace,
            product=product,
            item=item,
            from_status=ItemStatus.IN_PROGRESS,
            to_status=ItemStatus.DONE,
            at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
            day=day,
        )
        return item

    # Off the theme and finished first: what the release would take without one.
    off = [finished(f"Validate input on receipts {n}", 19) for n in range(demo.LIVE_ITEMS)]
    loading = [finished(f"Speed up dashboard loading {n}", 17) for n in range(3)]
    segments = [finished("Design the segment comparison screen", 18)]
    about = ("dashboard loading", "segment comparison")

    themed = demo._ready(owner.actor, product, "Speed-up", "", (16, 20), today, about)

    assert themed is not None
    held = set(ReleaseItem.objects.filter(release=themed).values_list("item_id", flat=True))
    assert held == {item.pk for item in [*loading, *segments]}  # half a release says it
    ReleaseItem.objects.filter(release=themed).delete()
    BacklogItem.objects.filter(pk=segments[0].pk).update(deleted_at=timezone.now())

    fewer = demo._ready(owner.actor, product, "Another", "", (16, 20), today, about)

    assert fewer is not None  # three say it: the first finished, whatever they say
    held = set(ReleaseItem.objects.filter(release=fewer).values_list("item_id", flat=True))
    assert held == {item.pk for item in off}


def test_the_demos_slow_dashboards_problem_names_a_dashboard_item_of_the_speed_up(
    releases: list[Release],
) -> None:
    speed_up = next(r for r in releases if r.name == outcomes_demo.SPEED_UP)
    problem = Problem.objects.get(title=outcomes_demo.SLOW_PROBLEM)
    held = ReleaseItem.objects.filter(release=speed_up).values_list("item_id", flat=True)
    linked = problem.items.filter(pk__in=held)
    if ReleaseItem.objects.filter(release=speed_up, item__title__icontains="dashboard").exists():
        assert linked.filter(title__icontains="dashboard").exists()
    else:  # no dashboard item finished in its weeks (the demo's dates move with today)
        assert linked.exists()
