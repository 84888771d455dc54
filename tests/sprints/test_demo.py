"""The demo's sprints: twenty-two closed sprints and one active per team, a flow to measure, and
forecasts that work on it."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from lodestar.backlog import demo as backlog_demo
from lodestar.people import demo as people_demo
from lodestar.sprints import demo, forecasts, selectors
from lodestar.sprints.models import Outcome, Sprint, SprintItem, SprintSnapshot, SprintState

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> people_demo.DemoPeople:
    people = people_demo.seed()
    product = backlog_demo.seed(people)
    demo.seed(people, product)
    return people


def test_each_team_has_its_closed_sprints_and_one_active(seeded: people_demo.DemoPeople) -> None:
    today = timezone.localdate()
    for team in seeded.teams.values():
        closed = Sprint.objects.filter(team=team, state=SprintState.CLOSED)
        assert closed.count() == demo.CLOSED_SPRINTS == 22
        active = Sprint.objects.get(team=team, state=SprintState.ACTIVE)
        assert active.start_date < today <= active.end_date
        assert closed.filter(goal_met=False).exists()
        assert closed.filter(goal_met=True).exists()
        entries = SprintItem.objects.filter(sprint__team=team)
        assert entries.filter(added_after_start=True).exists()
        assert entries.filter(carried_from__isnull=False).exists()
        assert entries.filter(outcome=Outcome.NEXT_SPRINT).exists()
        # The active sprint is under way: some done, some in progress, some not started.
        statuses = set(entries.filter(sprint=active).values_list("item__status", flat=True))
        assert {"done", "in_progress"} <= statuses
        # A snapshot for every day of every sprint up to today.
        for sprint in Sprint.objects.filter(team=team):
            days = (min(sprint.end_date, today) - sprint.start_date).days + 1
            assert SprintSnapshot.objects.filter(sprint=sprint).count() == days
        velocity = selectors.team_velocity(team)
        assert velocity.sprints == 3
        assert velocity.average
        assert velocity.average > 0


def test_the_demo_flow_is_measurable_and_forecasts_work(seeded: people_demo.DemoPeople) -> None:
    team = seeded.teams["checkout"]
    flow = selectors.team_flow(team=team, days=180)
    assert sum(count for _, count in flow.throughput) >= 30
    assert flow.cycle_times.count >= 30
    assert flow.cycle_times.mean_days
    assert 0.5 < flow.cycle_times.mean_days < 20
    assert flow.work_in_progress
    assert len(forecasts.team_history(team)) >= 15
    answer = forecasts.team_forecast(team, question="when", items=20, seed=1)
    assert answer.calibration.asked
    # Ten months of history: enough known outcomes for the record and the calibration.
    assert answer.calibration.calibrated
    assert answer.calibration.backtests >= 20
    assert answer.percentiles[2].date is not None
    assert answer.percentiles[2].date > timezone.localdate() + dt.timedelta(days=7)
    chance = forecasts.sprint_chance(Sprint.objects.get(team=team, state=SprintState.ACTIVE))
    assert chance is not None
    assert 0 <= chance.probability <= 1
    assert chance.remaining > 0


def test_the_sprint_api_and_partial_give_the_chance_of_finishing(
    seeded: people_demo.DemoPeople,
) -> None:
    from django.template.loader import render_to_string
    from django.test import Client
    from django.utils.html import escape

    sprint = Sprint.objects.get(team=seeded.teams["insights"], state=SprintState.ACTIVE)
    client = Client()
    client.force_login(seeded.users["victor"])
    answer = client.get(f"/api/v1/workspaces/acme/sprints/{sprint.pk}").json()
    chance = answer["chance_of_finishing"]
    assert 0 <= chance["probability"] <= 1
    assert chance["remaining"] > 0
    assert f"{round(chance['probability'] * 100)}% chance of finishing" in chance["words"]
    html = render_to_string("sprints/_chance.html", {"chance": forecasts.sprint_chance(sprint)})
    assert escape(chance["words"]) in html
    # The sprint's page shows it; a closed sprint's page does not.
    page = client.get(f"/w/acme/sprints/{sprint.pk}").content.decode()
    assert 'data-testid="sprint-chance"' in page
    assert escape(chance["words"]) in page
    closed = Sprint.objects.filter(team=sprint.team, state=SprintState.CLOSED).first()
    assert closed is not None
    assert (
        client.get(f"/api/v1/workspaces/acme/sprints/{closed.pk}").json()["chance_of_finishing"]
        is None
    )
    assert (
        'data-testid="sprint-chance"'
        not in client.get(f"/w/acme/sprints/{closed.pk}").content.decode()
    )
    assert render_to_string("sprints/_chance.html", {"chance": None}).strip() == ""


@pytest.mark.parametrize("offset", range(14))
def test_the_running_sprint_holds_nothing_later_than_yesterday_whatever_the_day(
    offset: int,
) -> None:
    """The demo is loaded on any day at any hour: nothing of its sprints is dated today or later
    (an item created in the future is refused), and the running sprint still has work done and
    work in progress."""
    today = dt.date(2026, 11, 30) + dt.timedelta(days=offset)
    rng = random.Random(10)  # the demo's own seed
    for team in demo.DEVELOPERS:
        sprints, _ = demo._plan(team, today, rng)
        for sprint in sprints:
            for entry in sprint.entries:
                assert entry.added_at.date() < today
                assert entry.started is None or entry.started.date() < today
                assert entry.done is None or entry.done.date() < today
        active = [sprint for sprint in sprints if sprint.active]
        assert len(active) == 1
        assert any(entry.done for entry in active[0].entries), (team, today)
        assert any(entry.started and not entry.done for entry in active[0].entries), (team, today)
