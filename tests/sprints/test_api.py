"""The sprints API: conventions (pages, ETags, If-Match, Idempotency-Key, problem+json) and
bad input, answered with a field to fix and nothing written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.people.models import Team
from lodestar.sprints import services
from lodestar.sprints.models import Sprint, SprintCapacity, SprintItem, SprintState
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductGoal
from tests.conftest import Persona
from tests.sprints.conftest import END, START, MakeItem

pytestmark = pytest.mark.django_db

W = "/api/v1/workspaces/acme"
Clients = Callable[[Persona], Client]


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json"
    return response.json()  # type: ignore[no-any-return]


def _fields(response: Any) -> list[str]:
    return [error["field"] for error in _problem(response)["errors"] or []]


@pytest.fixture
def dev(api_client: Clients, developer: Persona) -> Client:
    return api_client(developer)


def test_plan_commit_start_and_close_through_the_api(
    dev: Client,
    api_client: Clients,
    owner: Persona,
    po: Persona,
    product: Product,
    goal: ProductGoal,
    make_item: MakeItem,
) -> None:
    done = make_item("Done one", estimate=3)
    make_item("Open one", estimate=5)
    created = _send(
        dev,
        "POST",
        f"{W}/teams/core/sprints",
        {"name": "Sprint 1", "start_date": "2026-03-02", "end_date": "2026-03-13"},
    )
    assert created.status_code == 201, created.content
    sprint = created.json()
    assert (sprint["state"], sprint["product"], created["ETag"]) == ("planned", "ACME", '"1"')
    url = f"{W}/sprints/{sprint['id']}"
    assert _send(dev, "POST", url + "/items", {"items": ["acme-1", "ACME-2"]}).status_code == 200
    capacity = _send(
        dev,
        "PUT",
        url + "/capacity",
        {"capacity": [{"member": "dev@acme.test", "days": 8, "points": 5}]},
    )
    assert capacity.json() == [
        {"member": "dev@acme.test", "name": "Dev", "days": 8.0, "points": 5.0}
    ]
    detail = dev.get(url).json()
    assert detail["planning"]["committed_points"] == 8.0
    assert detail["planning"]["warnings"] == [
        "The commitment (8 points) exceeds the team's capacity (5 points)."
    ]
    started = _send(dev, "POST", url + "/start", {"goal": "Exports people trust"})
    assert started.status_code == 200, started.content
    assert started.json()["product_goal"]["id"] == goal.pk
    backlog.item_update(actor=owner.actor, item=done, status="done")
    items = dev.get(url + "/items").json()["items"]
    assert [(i["key"], i["status"]) for i in items] == [("ACME-1", "done"), ("ACME-2", "new")]
    burndown = dev.get(url + "/burndown").json()
    days = burndown["days"]
    assert days[0]["ideal_points"] == 8.0
    assert (days[11]["day"], days[11]["ideal_points"]) == (END.isoformat(), 0.0)
    # Its dates are past and it is still active: the burndown runs on to today.
    assert days[-1]["day"] == timezone.localdate().isoformat()
    assert days[-1]["ideal_points"] == 0.0
    assert dev.get(url + "/snapshots").json()["items"][0]["scope_points"] == 8.0
    closed = _send(
        api_client(po),
        "POST",
        url + "/close",
        {
            "goal_met": False,
            "decisions": {"ACME-2": "backlog_top"},
            "retrospective_notes": "*Pair*",
        },
    )
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["state"], body["goal_met"], body["completed_points"]) == ("closed", False, 3.0)
    assert body["retrospective_notes_html"] == "<p><em>Pair</em></p>\n"
    again = _send(dev, "POST", url + "/close", {"goal_met": True})
    assert again.status_code == 422
    assert _problem(again)["code"] == "sprint_closed"


def test_a_stale_if_match_is_412_and_changes_nothing(
    dev: Client, sprint: Sprint, product: Product
) -> None:
    url = f"{W}/sprints/{sprint.pk}"
    response = _send(dev, "PATCH", url, {"name": "Renamed"}, **{"If-Match": '"7"'})
    assert response.status_code == 412
    ok = _send(dev, "PATCH", url, {"name": "Renamed"}, **{"If-Match": '"1"'})
    assert (ok.status_code, ok["ETag"]) == (200, '"2"')


def test_an_idempotency_key_creates_one_sprint(dev: Client, product: Product) -> None:
    body = {"name": "Sprint 1", "start_date": "2026-03-02", "end_date": "2026-03-13"}
    first = _send(dev, "POST", f"{W}/teams/core/sprints", body, **{"Idempotency-Key": "k1"})
    second = _send(dev, "POST", f"{W}/teams/core/sprints", body, **{"Idempotency-Key": "k1"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert Sprint.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "start_date": "2026-03-02", "end_date": "2026-03-13"}, "name"),
        ({"name": "S", "start_date": "2026-03-13", "end_date": "2026-03-02"}, "end_date"),
        ({"name": "S", "start_date": "March", "end_date": "2026-03-02"}, "start_date"),
        ({"name": "S", "start_date": "2026-03-02"}, "end_date"),
        ({"name": "S", "start_date": "2026-03-02", "end_date": "2026-03-13", "x": 1}, "x"),
    ],
)
def test_bad_sprints_are_422_naming_the_field(
    dev: Client, product: Product, body: dict[str, Any], field: str
) -> None:
    response = _send(dev, "POST", f"{W}/teams/core/sprints", body)
    assert response.status_code == 422
    assert any(field in name for name in _fields(response)), _problem(response)
    assert not Sprint.objects.exists()


def test_items_of_another_product_or_workspace_are_422(
    dev: Client, owner: Persona, outsider: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    other = strategy.product_create(actor=owner.actor, key="OTHR", name="Other")
    make_item("Ours")
    make_item("Elsewhere", product=other)
    foreign = strategy.product_create(actor=outsider.actor, key="GLBX", name="Globex")
    backlog.item_create(actor=outsider.actor, product=foreign, title="Theirs")
    url = f"{W}/sprints/{sprint.pk}/items"
    for keys, field, words in (
        (["ACME-1", "OTHR-1"], "items[1]", "not in the backlog of ACME"),
        (["GLBX-1"], "items[0]", "no item 'GLBX-1'"),
        (["ACME-404"], "items[0]", "no item 'ACME-404'"),
    ):
        response = _send(dev, "POST", url, {"items": keys})
        assert response.status_code == 422
        assert _fields(response) == [field]
        assert words in _problem(response)["errors"][0]["message"]
    assert not SprintItem.objects.exists()


def test_capacity_below_zero_is_422(dev: Client, sprint: Sprint) -> None:
    url = f"{W}/sprints/{sprint.pk}/capacity"
    for entry, field in (
        ({"member": "dev@acme.test", "days": -1}, "capacity[0].days"),
        ({"member": "dev@acme.test", "points": -3}, "capacity[0].points"),
        ({"member": "nobody@acme.test", "days": 2}, "capacity[0].member"),
    ):
        response = _send(dev, "PUT", url, {"capacity": [entry]})
        assert response.status_code == 422
        assert _fields(response) == [field]
    assert not SprintCapacity.objects.exists()


def test_starting_without_a_goal_and_a_second_active_sprint_are_422(
    dev: Client, owner: Persona, team: Team, sprint: Sprint
) -> None:
    url = f"{W}/sprints/{sprint.pk}/start"
    response = _send(dev, "POST", url, {})
    assert (response.status_code, _fields(response)) == (422, ["goal"])
    assert _send(dev, "POST", url, {"goal": "Ship"}).status_code == 200
    second = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 2", start_date=START, end_date=END
    )
    response = _send(dev, "POST", f"{W}/sprints/{second.pk}/start", {"goal": "Also"})
    assert response.status_code == 422
    assert _problem(response)["code"] == "sprint_already_active"
    second.refresh_from_db()
    assert second.state == SprintState.PLANNED


def test_closing_without_decisions_names_each_item(
    dev: Client, owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[make_item("Open")])
    services.sprint_start(actor=owner.actor, sprint=sprint, goal="Ship")
    url = f"{W}/sprints/{sprint.pk}/close"
    response = _send(dev, "POST", url, {"goal_met": True})
    assert (response.status_code, _fields(response)) == (422, ["decisions[ACME-1]"])
    bad = _send(dev, "POST", url, {"goal_met": True, "decisions": {"ACME-1": "later"}})
    assert bad.status_code == 422
    no_goal_met = _send(dev, "POST", url, {"decisions": {"ACME-1": "backlog"}})
    assert (no_goal_met.status_code, _fields(no_goal_met)) == (422, ["goal_met"])
    sprint.refresh_from_db()
    assert sprint.state == SprintState.ACTIVE


def test_the_goal_after_the_start_needs_a_reason(
    dev: Client, owner: Persona, sprint: Sprint
) -> None:
    services.sprint_start(actor=owner.actor, sprint=sprint, goal="Ship")
    url = f"{W}/sprints/{sprint.pk}"
    response = _send(dev, "PATCH", url, {"goal": "Ship less"})
    assert (response.status_code, _fields(response)) == (422, ["goal_reason"])
    ok = _send(dev, "PATCH", url, {"goal": "Ship less", "goal_reason": "A dependency slipped"})
    assert ok.status_code == 200
    changes = dev.get(url).json()["goal_changes"]
    assert [(c["before"], c["after"], c["reason"], c["changed_by"]) for c in changes] == [
        ("Ship", "Ship less", "A dependency slipped", "dev@acme.test")
    ]


def test_sprints_of_another_workspace_are_404(
    api_client: Clients, outsider: Persona, sprint: Sprint
) -> None:
    client = api_client(outsider)
    response = client.get(f"/api/v1/workspaces/globex/sprints/{sprint.pk}")
    assert response.status_code == 404
    assert _problem(response)["code"] == "sprint_not_found"


def test_lists_cost_the_same_queries_whatever_their_size(
    dev: Client,
    owner: Persona,
    team: Team,
    sprint: Sprint,
    make_item: MakeItem,
    django_assert_max_num_queries: Any,
) -> None:
    items = [make_item(f"Item {n}", estimate=2) for n in range(30)]
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    for n in range(2, 12):
        services.sprint_create(
            actor=owner.actor,
            team=team,
            name=f"Sprint {n}",
            start_date=START + dt.timedelta(days=14 * n),
            end_date=END + dt.timedelta(days=14 * n),
        )
    with django_assert_max_num_queries(8):
        assert len(dev.get(f"{W}/sprints/{sprint.pk}/items").json()["items"]) == 30
    with django_assert_max_num_queries(8):
        assert len(dev.get(f"{W}/teams/core/sprints").json()["items"]) == 11


def test_team_flow(dev: Client, owner: Persona, product: Product, make_item: MakeItem) -> None:
    item = make_item("Export")
    backlog.item_update(actor=owner.actor, item=item, status="in_progress")
    backlog.item_update(actor=owner.actor, item=item, status="done")
    make_item("Started")
    started = BacklogItem.objects.get(key="ACME-2")
    backlog.item_update(actor=owner.actor, item=started, status="in_progress")
    response = dev.get(f"{W}/teams/core/flow?period=day&days=7")
    assert response.status_code == 200, response.content
    flow = response.json()
    assert sum(row["count"] for row in flow["throughput"]) == 1
    assert len(flow["throughput"]) == 7
    assert flow["cycle_times"]["count"] == 1
    assert [w["key"] for w in flow["work_in_progress"]] == ["ACME-2"]
    assert flow["cumulative_flow"][-1]["counts"]["done"] == 1
    for query, field in (
        ("period=month", "period"),
        ("days=0", "days"),
        ("start=2026-03-10&end=2026-03-01", "end"),
        ("start=2020-01-01&end=2026-03-01", "start"),
    ):
        bad = dev.get(f"{W}/teams/core/flow?{query}")
        assert bad.status_code == 422, query
        assert any(field in name for name in _fields(bad)), (query, _problem(bad))


def test_removing_an_item_the_sprint_does_not_hold_is_404(
    dev: Client, owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    inside, outside = make_item("Inside"), make_item("Outside")
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[inside])
    url = f"{W}/sprints/{sprint.pk}/items/"
    for key, code in (("ACME-2", "sprint_item_not_in_sprint"), ("ACME-99", "item_not_found")):
        response = dev.delete(url + key)
        assert response.status_code == 404
        assert _problem(response)["code"] == code
    assert dev.delete(url + "acme-1").status_code == 204
    assert not SprintItem.objects.filter(item=outside).exists()
    assert not SprintItem.objects.exists()
