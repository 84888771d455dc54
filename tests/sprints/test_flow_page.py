"""The team's flow page: every chart, the forecasts with their record, the period selector and
its bad input, and who may read it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lodestar.backlog import demo as backlog_demo
from lodestar.people import demo as people_demo
from lodestar.people.models import Team
from lodestar.sprints import demo
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def _demo() -> people_demo.DemoPeople:
    people = people_demo.seed()
    demo.seed(people, backlog_demo.seed(people))
    return people


def _url(team: str, query: str = "") -> str:
    return f"/w/acme/teams/{team}/flow{query}"


def test_a_member_outside_the_team_sees_every_chart_and_the_forecasts(client: Client) -> None:
    people = _demo()
    client.force_login(people.users["victor"])
    response = client.get(_url("checkout"))
    assert response.status_code == 200
    html = response.content.decode()
    for chart in (
        "velocity",
        "throughput",
        "cycle-time",
        "aging-wip",
        "cumulative-flow",
        "forecast",
    ):
        assert f'data-chart="{chart}"' in html, chart
    assert "chart-empty" not in html
    assert re.search(r"85%: by <time datetime=\"\d{4}-\d\d-\d\d\"", html)
    # The demo's teams have ten months of history: their record is known.
    assert re.search(r"For this team: Plain 85% forecasts came true \d+% of the time", html)
    assert 'aria-current="page">90 days' in html


def test_the_period_and_the_epic_are_chosen_and_a_bad_one_says_so(client: Client) -> None:
    people = _demo()
    client.force_login(people.users["lee"])
    html = client.get(_url("insights", "?days=30")).content.decode()
    assert 'aria-current="page">30 days' in html
    html = client.get(_url("insights", "?days=45")).content.decode()
    assert "There is no &#x27;45&#x27;-day view: showing 90 days" in html
    assert 'aria-current="page">90 days' in html
    html = client.get(_url("insights", "?epic=ACME-99999")).content.decode()
    assert "ACME-99999 is not an open epic of ACME" in html


def test_a_team_without_a_product_says_so(client: Client, owner: Persona, team: Team) -> None:
    client.force_login(owner.user)
    response = client.get(f"/w/{team.workspace.slug}/teams/{team.slug}/flow")
    assert response.status_code == 200
    assert "works from no product yet" in response.content.decode()


def test_strangers_and_unknown_teams(client: Client, owner: Persona, team: Team) -> None:
    client.force_login(owner.user)
    assert client.get(f"/w/{team.workspace.slug}/teams/nope/flow").status_code == 404
    client.logout()
    response = client.get(f"/w/{team.workspace.slug}/teams/{team.slug}/flow")
    assert response.status_code == 302


def test_the_team_page_links_to_the_flow(client: Client) -> None:
    people = _demo()
    client.force_login(people.users["victor"])
    html = client.get("/w/acme/teams/checkout").content.decode()
    assert 'href="/w/acme/teams/checkout/flow"' in html
