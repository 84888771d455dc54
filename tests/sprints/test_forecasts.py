"""Team forecasts: the history read from the team's flow, calibrated and on working days by
default; an epic's rest; and every bad input a 422 naming its field."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.api.forecasts import LAST_TIME_ZONE
from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.people import demo as people_demo
from lodestar.people.models import Team
from lodestar.sprints import demo, forecasts
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

URL = "/api/v1/workspaces/acme/forecasts"


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


def _field(response: Any) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def demo_client() -> tuple[Client, people_demo.DemoPeople]:
    from lodestar.backlog import demo as backlog_demo

    people = people_demo.seed()
    demo.seed(people, backlog_demo.seed(people))
    client = Client()
    client.force_login(people.users["victor"])  # a stakeholder: any member may ask
    return client, people


def _open_epic() -> tuple[BacklogItem, int]:
    for epic in BacklogItem.objects.filter(kind=ItemKind.EPIC).order_by("rank"):
        if left := forecasts.epic_remaining(epic):
            return epic, left
    raise AssertionError("the demo has an open epic with open children")


def test_a_team_forecast_reads_the_teams_history(demo_client: Any) -> None:
    client, people = demo_client
    response = _post(client, {"question": "when", "team": "checkout", "items": 20, "seed": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    # The API's "today" is the day in the last time zone to reach it (UTC-12): before noon UTC,
    # that is yesterday, and the history ends a day (or, on a Monday, a week) earlier.
    today = (dt.datetime.now(dt.UTC) - LAST_TIME_ZONE).date()
    history = forecasts.team_history(people.teams["checkout"], today=today)
    assert body["inputs"]["throughput"] == history
    assert len(history) >= 15
    assert body["inputs"]["calibrate"] is True
    assert body["inputs"]["working_days"] is True
    assert body["inputs"]["period"] == "week"
    assert body["calibration"]["asked"] is True
    assert body["calibration"]["sentence"]
    assert body["inputs"]["start"] == dt.datetime.now(dt.UTC).date().isoformat()
    # Each week's date is a working day.
    assert all(dt.date.fromisoformat(p["date"]).weekday() < 5 for p in body["percentiles"])
    plain = _post(
        client,
        {"question": "odds", "team": "checkout", "items": 5, "periods": 2, "calibrate": False},
    ).json()
    assert plain["calibration"]["asked"] is False
    assert 0 <= plain["probability"] <= 1
    daily = _post(
        client, {"question": "how_many", "team": "insights", "periods": 10, "period": "day"}
    ).json()
    assert daily["inputs"]["period"] == "day"
    assert daily["inputs"]["throughput"] == forecasts.team_history(
        people.teams["insights"], period="day", today=today
    )


def test_the_rest_of_an_epic(demo_client: Any) -> None:
    client, _ = demo_client
    epic, left = _open_epic()
    body = _post(client, {"question": "when", "team": "checkout", "epic": epic.key}).json()
    assert body["inputs"]["items"] == left
    story = BacklogItem.objects.filter(kind=ItemKind.STORY).first()
    assert story is not None
    assert _field(_post(client, {"question": "when", "team": "checkout", "epic": story.key})) == [
        "epic"
    ]
    assert _field(
        _post(client, {"question": "when", "team": "checkout", "epic": epic.key, "items": 3})
    ) == ["epic"]
    assert _field(_post(client, {"question": "when", "team": "checkout", "epic": "ACME-9999"})) == [
        "epic"
    ]
    done = BacklogItem.objects.filter(kind=ItemKind.EPIC).exclude(pk=epic.pk)
    finished = next((e for e in done if not forecasts.epic_remaining(e)), None)
    if finished is not None:
        response = _post(client, {"question": "when", "team": "checkout", "epic": finished.key})
        assert _field(response) == ["epic"]
        assert "no open child items" in response.json()["detail"]


@pytest.fixture
def client(viewer: Persona, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(viewer)


def test_team_or_throughput_one_of_them(client: Client, team: Team, product: Product) -> None:
    assert _field(_post(client, {"question": "when", "items": 5})) == ["team"]
    both = _post(client, {"question": "when", "items": 5, "team": "core", "throughput": [1, 2]})
    assert _field(both) == ["team"]
    unknown = _post(client, {"question": "when", "items": 5, "team": "nope"})
    assert _field(unknown) == ["team"]
    assert "no team 'nope'" in unknown.json()["detail"]


def test_a_team_without_product_or_history_is_refused(
    client: Client, owner: Persona, team: Team, product: Product, make_item: MakeItem
) -> None:
    response = _post(client, {"question": "when", "items": 5, "team": "core"})
    assert _field(response) == ["team"]
    assert "has finished nothing yet" in response.json()["detail"]
    other = Team.objects.create(workspace=team.workspace, slug="lone", name="Lone")
    response = _post(client, {"question": "when", "items": 5, "team": other.slug})
    assert _field(response) == ["team"]
    assert "works from no product" in response.json()["detail"]
    # Finished three weeks ago, nothing since: a one-week window holds only a zero.
    item = make_item("Old work", status=ItemStatus.DONE)
    old = timezone.now() - dt.timedelta(days=21)
    ItemStatusChange.objects.filter(item=item).update(at=old, day=timezone.localdate(old))
    response = _post(client, {"question": "when", "items": 5, "team": "core", "window": 1})
    assert _field(response) == ["team"]
    assert response.json()["code"] == "forecast_history_all_zero"
    assert _post(client, {"question": "when", "items": 5, "team": "core"}).status_code == 200


def test_the_throughput_list_keeps_its_defaults(client: Client) -> None:
    body = _post(client, {"question": "when", "items": 5, "throughput": [1, 2, 3]}).json()
    assert body["inputs"]["calibrate"] is False
    assert body["inputs"]["working_days"] is False
    response = _post(client, {"question": "when", "epic": "ACME-1", "throughput": [1, 2]})
    assert _field(response) == ["epic"]


def test_the_cli_forecasts_for_a_team(demo_client: Any) -> None:
    from tests.cli.support import error_line, run

    epic, left = _open_epic()
    result = run("forecast", "when", "--team", "checkout", "-w", "acme", "--epic", epic.key)
    assert result.exit_code == 0, result.output
    assert "When will the items be done" in result.output
    assert "backtest" in result.output
    result = run(
        "forecast",
        "odds",
        "--team",
        "insights",
        "-w",
        "acme",
        "--items",
        "8",
        "--periods",
        "3",
        "--json",
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["inputs"]["calibrate"] is True
    assert body["inputs"]["working_days"] is True
    result = run(
        "forecast",
        "when",
        "--team",
        "checkout",
        "-w",
        "acme",
        "--items",
        "5",
        "--no-calibrate",
        "--json",
    )
    assert json.loads(result.stdout)["calibration"]["asked"] is False
    assert "--team needs --workspace" in error_line(
        run("forecast", "when", "--team", "checkout", "--items", "5")
    )
    assert "one of them" in error_line(run("forecast", "when", "--items", "5"))
    assert "one of them" in error_line(
        run(
            "forecast",
            "when",
            "--items",
            "5",
            "--team",
            "checkout",
            "-w",
            "acme",
            "--throughput",
            "1,2",
        )
    )
    assert "no team 'nope'" in error_line(
        run("forecast", "when", "--items", "5", "--team", "nope", "-w", "acme")
    )
    assert "Epic: no item 'ACME-9999'" in error_line(
        run("forecast", "when", "--team", "checkout", "-w", "acme", "--epic", "ACME-9999")
    )
    assert "only one" in error_line(
        run(
            "forecast",
            "when",
            "--team",
            "checkout",
            "-w",
            "acme",
            "--epic",
            epic.key,
            "--items",
            "3",
        )
    )
    assert left > 0


def test_the_scatterplot_samples_a_busy_team_and_keeps_the_slowest(demo_client: Any) -> None:
    _, people = demo_client
    team = people.teams["checkout"]
    today = timezone.localdate()
    start = today - dt.timedelta(days=180)
    full = forecasts.team_completions(team, start=start, end=today)
    assert full.total > 40
    assert not full.sampled
    assert [c.days for c in full.shown] == full.days
    sample = forecasts.team_completions(team, start=start, end=today, limit=30)
    assert sample.sampled
    assert len(sample.shown) == 30
    assert sample.days == full.days  # the percentiles still read every item
    # By day, the slowest kept, and each one drawn is one of the completions.
    assert [c.day for c in sample.shown] == sorted(c.day for c in sample.shown)
    slowest = sorted(full.days, reverse=True)[:5]
    assert sorted((c.days for c in sample.shown), reverse=True)[:5] == slowest
    keys = {(c.key, c.day, c.days) for c in full.shown}
    assert all((c.key, c.day, c.days) in keys for c in sample.shown)


def test_a_sample_spreads_across_the_period() -> None:
    cycle = list(range(5_000))
    chosen = forecasts._sample(5_000, cycle, 1_000)
    assert len(chosen) == 1_000
    assert chosen == sorted(set(chosen))
    assert set(range(4_950, 5_000)) <= set(chosen)  # the 50 slowest
    assert chosen[0] == 0
    assert max(b - a for a, b in itertools.pairwise(chosen)) <= 6
    assert forecasts._sample(3, [1, 2, 3], 1_000) == [0, 1, 2]
