"""The sprint pages: the sprints of a team, planning, the board and the report, for each
persona; bad input in words with nothing written; the board's stale move."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.people.models import Team
from lodestar.sprints import selectors, services
from lodestar.sprints.models import BoardLimit, Outcome, Sprint, SprintItem, SprintState
from lodestar.strategy.models import Product, ProductGoal
from tests.conftest import Persona
from tests.sprints.conftest import END, MakeItem

HTMX = {"HTTP_HX_REQUEST": "true"}


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _url(sprint: Sprint, tail: str = "") -> str:
    base = f"/w/acme/sprints/{sprint.pk}"
    return f"{base}/{tail}" if tail else base


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def items(make_item: MakeItem) -> list[BacklogItem]:
    return [make_item(f"Item {n}", estimate=n + 1) for n in range(3)]


def _started(owner: Persona, sprint: Sprint, items: list[BacklogItem]) -> Sprint:
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    return services.sprint_start(actor=owner.actor, sprint=sprint, goal="Ship the export")


# -- the sprints of a team ---------------------------------------------------------------------


def test_sprints_home_lists_teams_with_their_open_sprints(
    client: Client, developer: Persona, sprint: Sprint
) -> None:
    page = _text(_as(client, developer).get("/w/acme/sprints"))
    assert "Core" in page
    assert "Sprint 1" in page
    assert "Your team" in page
    assert 'href="/w/acme/sprints"' in page  # the sidebar's entry


def test_creating_a_sprint_and_its_bad_input(
    client: Client, developer: Persona, team: Team, product: Product
) -> None:
    _as(client, developer)
    url = "/w/acme/teams/core/sprints"
    response = client.post(url, {"name": "S1", "start_date": "2026-03-02", "end_date": "soon"})
    assert response.status_code == 422
    assert "End date: give a date as YYYY-MM-DD." in _text(response)
    response = client.post(
        url, {"name": "S1", "start_date": "2026-03-10", "end_date": "2026-03-02"}
    )
    assert response.status_code == 422
    assert 'value="S1"' in _text(response)
    assert not Sprint.objects.exists()
    response = client.post(
        url, {"name": "S1", "start_date": "2026-03-02", "end_date": "2026-03-13"}
    )
    sprint = Sprint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(sprint, "plan")


@pytest.mark.parametrize("who", ["viewer", "stranger", "scrum_master"])
def test_readers_see_no_create_form_and_are_refused(
    client: Client, request: pytest.FixtureRequest, who: str, team: Team, product: Product
) -> None:
    persona = request.getfixturevalue(who)
    _as(client, persona)
    page = _text(client.get("/w/acme/teams/core/sprints"))
    assert "Plan a sprint" not in page
    response = client.post(
        "/w/acme/teams/core/sprints",
        {"name": "S1", "start_date": "2026-03-02", "end_date": "2026-03-13"},
    )
    assert response.status_code == 403
    assert not Sprint.objects.exists()


# -- planning ----------------------------------------------------------------------------------


def test_planning_adds_and_removes_items_and_the_bar_follows(
    client: Client, developer: Persona, sprint: Sprint, items: list[BacklogItem]
) -> None:
    _as(client, developer)
    page = _text(client.get(_url(sprint, "plan")))
    assert "Product Backlog" in page
    assert items[0].key in page
    response = client.post(_url(sprint, "items/add"), {"item": items[2].key}, **HTMX)
    assert response.status_code == 200
    assert 'id="planning"' in _text(response)
    assert "3 points" in _text(response)
    assert selectors.sprint_has_item(sprint=sprint, item=items[2])
    response = client.post(_url(sprint, "items/remove"), {"item": items[2].key}, **HTMX)
    assert "0 points" in _text(response)
    assert not selectors.sprint_has_item(sprint=sprint, item=items[2])


def test_planning_bad_item_is_one_sentence(
    client: Client, developer: Persona, sprint: Sprint
) -> None:
    _as(client, developer)
    response = client.post(_url(sprint, "items/add"), {"item": "ACME-999"}, **HTMX)
    assert response.status_code == 422
    assert "no item &#x27;ACME-999&#x27;" in _text(response) or "ACME-999" in _text(response)
    assert not SprintItem.objects.exists()


def test_capacity_saved_and_bad_amount_names_the_member(
    client: Client, developer: Persona, sprint: Sprint
) -> None:
    _as(client, developer)
    member = developer.membership
    response = client.post(
        _url(sprint, "capacity"), {f"days-{member.pk}": "8", f"points-{member.pk}": "lots"}, **HTMX
    )
    assert response.status_code == 422
    assert "Dev&#x27;s points must be a number." in _text(response)
    assert not selectors.sprint_capacity(sprint=sprint)
    response = client.post(
        _url(sprint, "capacity"), {f"days-{member.pk}": "8", f"points-{member.pk}": "13"}, **HTMX
    )
    assert response.status_code == 200
    assert "Capacity: 13 points" in _text(response)


def test_capacity_over_the_velocity_warns(
    client: Client, developer: Persona, sprint: Sprint, items: list[BacklogItem]
) -> None:
    _as(client, developer)
    member = developer.membership
    client.post(_url(sprint, "capacity"), {f"points-{member.pk}": "2"}, **HTMX)
    response = client.post(_url(sprint, "items/add"), {"item": items[2].key}, **HTMX)
    assert "exceeds the team&#x27;s capacity" in _text(response)
    assert "is-over" in _text(response)


def test_start_without_goal_is_refused_in_one_sentence(
    client: Client, developer: Persona, sprint: Sprint
) -> None:
    _as(client, developer)
    response = client.post(_url(sprint, "start"), {"version": sprint.version}, **HTMX)
    assert response.status_code == 422
    assert "A sprint starts with a sprint goal: say what this sprint is for." in _text(response)
    sprint.refresh_from_db()
    assert sprint.state == SprintState.PLANNED


def test_goal_then_start_serves_the_product_goal(
    client: Client, developer: Persona, sprint: Sprint, goal: ProductGoal
) -> None:
    _as(client, developer)
    client.post(_url(sprint, "goal"), {"goal": "Export works", "version": sprint.version}, **HTMX)
    sprint.refresh_from_db()
    assert sprint.goal == "Export works"
    response = client.post(
        _url(sprint, "start"), {"version": sprint.version, "product_goal": goal.pk}, **HTMX
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == _url(sprint, "board")
    sprint.refresh_from_db()
    assert sprint.state == SprintState.ACTIVE
    assert sprint.product_goal == goal


@pytest.mark.parametrize("who", ["viewer", "stranger", "scrum_master"])
def test_planning_readers_see_no_controls_and_are_refused(
    client: Client,
    request: pytest.FixtureRequest,
    who: str,
    sprint: Sprint,
    items: list[BacklogItem],
) -> None:
    _as(client, request.getfixturevalue(who))
    page = _text(client.get(_url(sprint, "plan")))
    assert "Start sprint" not in page
    assert "Save capacity" not in page
    assert 'data-writes="0"' in page
    for tail, data in (
        ("items/add", {"item": items[0].key}),
        ("goal", {"goal": "Mine"}),
        ("start", {"goal": "Mine"}),
    ):
        response = client.post(_url(sprint, tail), data, **HTMX)
        assert response.status_code == 403, tail
    sprint.refresh_from_db()
    assert sprint.state == SprintState.PLANNED
    assert not sprint.goal
    assert not SprintItem.objects.exists()


# -- the board ---------------------------------------------------------------------------------


def test_board_moves_a_card_and_a_stale_move_is_explained(
    client: Client, developer: Persona, owner: Persona, sprint: Sprint, items: list[BacklogItem]
) -> None:
    _started(owner, sprint, items)
    _as(client, developer)
    page = _text(client.get(_url(sprint, "board")))
    assert 'data-status="new"' in page
    assert "In progress" in page
    item = BacklogItem.objects.get(pk=items[0].pk)
    response = client.post(
        _url(sprint, "board/move"),
        {"item": item.key, "status": "in_progress", "version": item.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="board"' in _text(response)
    item.refresh_from_db()
    assert item.status == "in_progress"
    # Someone else moved it meanwhile: the stale version is refused and the board redrawn.
    stale = item.version
    backlog.item_update(actor=owner.actor, item=item, status="new")
    response = client.post(
        _url(sprint, "board/move"),
        {"item": item.key, "status": "done", "version": stale},
        **HTMX,
    )
    assert response.status_code == 412
    text = _text(response)
    assert re.search(
        rf"{item.key} was changed by Owner at \d{{4}}-\d\d-\d\d \d\d:\d\d UTC since the board "
        "was shown",
        text,
    )
    assert 'id="board"' in text
    item.refresh_from_db()
    assert item.status == "new"


def test_board_bad_moves(
    client: Client,
    developer: Persona,
    owner: Persona,
    sprint: Sprint,
    items: list[BacklogItem],
    make_item: MakeItem,
) -> None:
    _started(owner, sprint, items[:2])
    _as(client, developer)
    item = items[0]
    outside = items[2]
    for data in (
        {"item": item.key, "status": "wont_do", "version": item.version},
        {"item": item.key, "status": "done", "version": "x"},
        {"item": outside.key, "status": "done", "version": outside.version},
    ):
        response = client.post(_url(sprint, "board/move"), data, **HTMX)
        assert response.status_code == 422, data
    assert not BacklogItem.objects.filter(status="done").exists()


def test_board_limits_warn_and_refuse_bad_input(
    client: Client, developer: Persona, owner: Persona, sprint: Sprint, items: list[BacklogItem]
) -> None:
    _started(owner, sprint, items)
    _as(client, developer)
    response = client.post(_url(sprint, "board/limits"), {"limit-new": "zero"}, **HTMX)
    assert response.status_code == 422
    assert "must be a whole number from 1 to 999" in _text(response)
    assert not BoardLimit.objects.exists()
    response = client.post(_url(sprint, "board/limits"), {"limit-new": "2"}, **HTMX)
    text = _text(response)
    assert "3 of 2" in text
    assert "is-over" in text


def test_board_swimlanes_by_assignee_and_epic(
    client: Client,
    developer: Persona,
    owner: Persona,
    sprint: Sprint,
    items: list[BacklogItem],
    make_item: MakeItem,
) -> None:
    epic = make_item("Reporting", kind="epic")
    backlog.item_update(
        actor=owner.actor, item=items[0], parent=epic, assignee=developer.membership
    )
    _started(owner, sprint, items)
    _as(client, developer)
    by_who = _text(client.get(_url(sprint, "board") + "?lanes=assignee"))
    assert "Unassigned" in by_who
    assert "Dev" in by_who
    by_epic = _text(client.get(_url(sprint, "board") + "?lanes=epic"))
    assert f"{epic.key} Reporting" in by_epic
    assert "No epic" in by_epic


@pytest.mark.parametrize("who", ["viewer", "stranger"])
def test_board_readers_see_no_controls_and_are_refused(
    client: Client,
    request: pytest.FixtureRequest,
    who: str,
    owner: Persona,
    sprint: Sprint,
    items: list[BacklogItem],
) -> None:
    _started(owner, sprint, items)
    _as(client, request.getfixturevalue(who))
    page = _text(client.get(_url(sprint, "board")))
    assert "Save limits" not in page
    assert 'name="version"' not in page
    item = items[0]
    response = client.post(
        _url(sprint, "board/move"),
        {"item": item.key, "status": "done", "version": item.version},
        **HTMX,
    )
    assert response.status_code == 403
    response = client.post(_url(sprint, "board/limits"), {"limit-new": "2"}, **HTMX)
    assert response.status_code == 403
    assert not BacklogItem.objects.filter(status="done").exists()
    assert not BoardLimit.objects.exists()


# -- the report and closing --------------------------------------------------------------------


def test_report_shows_charts_and_closes_carrying_an_item(
    client: Client,
    developer: Persona,
    po: Persona,
    owner: Persona,
    team: Team,
    sprint: Sprint,
    items: list[BacklogItem],
) -> None:
    _started(owner, sprint, items)
    nxt = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 2", start_date=END, end_date=END
    )
    backlog.item_update(
        actor=owner.actor, item=BacklogItem.objects.get(pk=items[0].pk), status="done"
    )
    _as(client, po)
    page = _text(client.get(_url(sprint)))
    assert 'data-chart="burndown"' in page
    assert 'data-chart="burnup"' in page
    assert "Close the sprint" in page
    # Bad input: every problem named, nothing closed.
    response = client.post(_url(sprint, "close"), {f"decision-{items[1].key}": "backlog"})
    assert response.status_code == 422
    text = _text(response)
    assert "Say whether the sprint goal was met." in text
    assert f"Choose what happens to {items[2].key}." in text
    sprint.refresh_from_db()
    assert sprint.state == SprintState.ACTIVE
    response = client.post(
        _url(sprint, "close"),
        {
            f"decision-{items[1].key}": "backlog",
            f"decision-{items[2].key}": "next_sprint",
            "next_sprint": nxt.pk,
            "goal_met": "no",
            "review_notes": "**Demoed** the export",
        },
    )
    assert response.status_code == 302
    sprint.refresh_from_db()
    assert sprint.state == SprintState.CLOSED
    assert sprint.goal_met is False
    assert SprintItem.objects.get(sprint=nxt).item_id == items[2].pk
    outcomes = dict(SprintItem.objects.filter(sprint=sprint).values_list("item_id", "outcome"))
    assert outcomes[items[0].pk] == Outcome.DONE
    assert outcomes[items[2].pk] == Outcome.NEXT_SPRINT
    page = _text(client.get(_url(sprint)))
    assert "<strong>Demoed</strong>" in page
    assert "Into the next sprint" in page
    assert "Close the sprint" not in page
    assert "Start sprint" not in page


def test_goal_change_after_start_needs_a_reason(
    client: Client, developer: Persona, owner: Persona, sprint: Sprint, items: list[BacklogItem]
) -> None:
    _started(owner, sprint, items)
    sprint.refresh_from_db()
    _as(client, developer)
    response = client.post(_url(sprint, "goal"), {"goal": "Another", "version": sprint.version})
    assert response.status_code == 302
    sprint.refresh_from_db()
    assert sprint.goal == "Ship the export"
    client.post(
        _url(sprint, "goal"),
        {"goal": "Another", "goal_reason": "A customer asked", "version": sprint.version},
    )
    page = _text(client.get(_url(sprint)))
    assert "A customer asked" in page
    assert "Another" in page


@pytest.mark.parametrize("who", ["viewer", "stranger", "scrum_master"])
def test_report_readers_see_no_close_and_are_refused(
    client: Client,
    request: pytest.FixtureRequest,
    who: str,
    owner: Persona,
    sprint: Sprint,
    items: list[BacklogItem],
) -> None:
    _started(owner, sprint, items)
    _as(client, request.getfixturevalue(who))
    page = _text(client.get(_url(sprint)))
    assert "Close the sprint" not in page
    assert "Change the sprint goal" not in page
    decisions = {f"decision-{item.key}": "backlog" for item in items}
    response = client.post(_url(sprint, "close"), {**decisions, "goal_met": "yes"})
    assert response.status_code == 403
    sprint.refresh_from_db()
    assert sprint.state == SprintState.ACTIVE
