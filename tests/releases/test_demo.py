"""The demo's releases: two live weeks ago with their items done, notes written and success
criteria set (outcomes' demo takes them live), one in progress with a forecast, one cancelled;
deterministic."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import demo as backlog_demo
from lodestar.backlog.models import ItemStatus
from lodestar.discovery import demo as discovery_demo
from lodestar.discovery.models import Customer, Feedback
from lodestar.outcomes import demo as outcomes_demo
from lodestar.people import demo as people_demo
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.releases import demo, roadmap, roadmap_selectors
from lodestar.releases.checklist import checklist
from lodestar.releases.forecasts import release_forecast
from lodestar.releases.models import Release, ReleaseItem, ReleaseState, RoadmapShare
from lodestar.sprints import demo as sprints_demo

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
