"""A sprint board's poll: 304 while no card changed; who changed one (and when) once it did."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.sprints import services
from lodestar.sprints.models import Sprint
from tests.conftest import Persona
from tests.sprints.conftest import MakeItem


@pytest.fixture
def items(make_item: MakeItem) -> list[BacklogItem]:
    return [make_item(f"Item {n}", estimate=n + 1) for n in range(3)]


@pytest.fixture
def started(owner: Persona, sprint: Sprint, items: list[BacklogItem]) -> Sprint:
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items[:2])
    return services.sprint_start(actor=owner.actor, sprint=sprint, goal="Ship the export")


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _poll_url(sprint: Sprint) -> str:
    return f"/w/acme/sprints/{sprint.pk}/board/live"


def _tag(client: Client, sprint: Sprint) -> str:
    page = client.get(f"/w/acme/sprints/{sprint.pk}/board").content.decode()
    found = re.search(r'data-live-url="([^"]+)" data-live-etag="([^"]+)"', page)
    assert found is not None
    assert found.group(1) == _poll_url(sprint)
    return found.group(2).replace("&quot;", '"')


def _poll(client: Client, sprint: Sprint, tag: str) -> Any:
    return client.get(_poll_url(sprint), headers={"If-None-Match": tag})


def _changed(client: Client, sprint: Sprint, tag: str) -> dict[str, Any]:
    response = _poll(client, sprint, tag)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = json.loads(response.content)
    assert body["etag"] == response["ETag"] != tag
    return body


def _item(pk: int) -> BacklogItem:
    return BacklogItem.objects.get(pk=pk)


def test_the_board_carries_a_tag_its_poll_answers_304_to(
    client: Client, developer: Persona, started: Sprint
) -> None:
    tag = _tag(_as(client, developer), started)
    response = _poll(client, started, tag)
    assert response.status_code == 304
    assert response.content == b""


def test_a_card_moved_by_someone_else_is_a_change_that_names_them(
    client: Client, developer: Persona, po: Persona, started: Sprint, items: list[BacklogItem]
) -> None:
    tag = _tag(_as(client, developer), started)
    backlog.item_update(actor=po.actor, item=_item(items[0].pk), status="in_progress")
    body = _changed(client, started, tag)
    assert body["changed_by"] == "Po"
    assert body["mine"] is False
    assert _poll(client, started, body["etag"]).status_code == 304


def test_scope_added_or_taken_out_and_trashing_are_changes(
    client: Client, developer: Persona, owner: Persona, started: Sprint, items: list[BacklogItem]
) -> None:
    tag = _tag(_as(client, developer), started)
    services.sprint_items_add(actor=owner.actor, sprint=started, items=[_item(items[2].pk)])
    tag = _changed(client, started, tag)["etag"]
    services.sprint_items_remove(actor=owner.actor, sprint=started, items=[_item(items[2].pk)])
    tag = _changed(client, started, tag)["etag"]
    backlog.item_delete(actor=owner.actor, item=_item(items[1].pk))
    body = _changed(client, started, tag)
    assert body["changed_by"] == "Owner"


def test_an_item_outside_the_sprint_is_no_change(
    client: Client, developer: Persona, owner: Persona, started: Sprint, items: list[BacklogItem]
) -> None:
    tag = _tag(_as(client, developer), started)
    backlog.item_update(actor=owner.actor, item=_item(items[2].pk), title="Not on the board")
    assert _poll(client, started, tag).status_code == 304


def test_an_unchanged_board_poll_reads_one_aggregate(
    client: Client, developer: Persona, started: Sprint
) -> None:
    tag = _tag(_as(client, developer), started)
    with CaptureQueriesContext(connection) as queries:
        assert _poll(client, started, tag).status_code == 304
    assert len([q for q in queries.captured_queries if "sprints_sprintitem" in q["sql"]]) == 1
    assert len(queries) <= 6


def test_outsiders_and_missing_sprints_get_404(
    client: Client, outsider: Persona, developer: Persona, started: Sprint
) -> None:
    assert _as(client, outsider).get(_poll_url(started)).status_code == 404
    member = _as(Client(), developer)
    assert member.get("/w/acme/sprints/999999/board/live").status_code == 404
    assert member.get("/w/acme/sprints/nope/board/live").status_code == 404
    assert member.post(_poll_url(started)).status_code == 405
