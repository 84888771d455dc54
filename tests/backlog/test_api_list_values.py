"""The backlog list answers plain values (no model objects per row), exactly as ``ItemOut``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models.signals import post_init
from django.test import Client

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import ProductGoal
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"


@pytest.fixture
def varied(
    make_item: MakeItem, owner: Persona, developer: Persona, goal: ProductGoal
) -> list[BacklogItem]:
    """Items covering every shape a row takes: parent, goal or none (flagged), assignee with and
    without a full name, labels, points, zero points, "?", Markdown, criteria; and a trashed
    item, which the list leaves out."""
    epic = make_item("Epic", kind="epic", goal=goal, description="**Bold** _and_ `code`")
    owner.user.full_name = ""
    owner.user.save(update_fields=["full_name"])
    items = [
        epic,
        make_item(
            "Child",
            parent=epic,
            labels=["b", "a"],
            estimate=5,
            assignee=developer.membership,
            acceptance_criteria=["Works *offline*", "Second"],
        ),
        make_item("Flagged", estimate="?", assignee=owner.membership),
        make_item("Zero", goal=goal, estimate=0),
        make_item("Task", kind="task", goal=goal),
    ]
    services.item_delete(actor=owner.actor, item=make_item("Trashed"))
    return items


def test_every_row_of_the_list_is_the_item_as_the_api_shows_it(
    api_client: ApiClient, owner: Persona, varied: list[BacklogItem]
) -> None:
    client = api_client(owner)
    answer = client.get(f"{BASE}/products/ACME/backlog?limit=50")
    assert answer.status_code == 200
    rows = answer.json()["items"]
    assert [row["key"] for row in rows] == [item.key for item in varied]
    for row in rows:
        single = client.get(f"{BASE}/items/{row['key']}")
        assert single.status_code == 200
        assert row == single.json()
        assert answer["Content-Type"] == single["Content-Type"] == "application/json; charset=utf-8"
    by_key = {row["key"]: row for row in rows}
    assert by_key[varied[1].key]["labels"] == ["a", "b"]
    assert by_key[varied[1].key]["parent"] == varied[0].key
    assert by_key[varied[2].key]["estimate"] == "?"
    assert (
        by_key[varied[2].key]["flag_reason"]
        == "serves no Product Goal and solves no customer problem"
    )
    email = owner.user.email  # no full name: the email stands for it
    assert by_key[varied[2].key]["assignee"] == {"email": email, "name": email}
    assert by_key[varied[3].key]["estimate"] == 0
    assert by_key[varied[4].key]["kind"] == "task"


@pytest.fixture
def built_items() -> Iterator[list[Any]]:
    """Every ``BacklogItem`` object built while the block runs."""
    built: list[Any] = []

    def record(sender: type, instance: Any, **kwargs: Any) -> None:
        built.append(instance)

    post_init.connect(record, sender=BacklogItem)
    try:
        yield built
    finally:
        post_init.disconnect(record, sender=BacklogItem)


def test_the_list_builds_no_item_object_per_row(
    api_client: ApiClient,
    owner: Persona,
    varied: list[BacklogItem],
    built_items: list[Any],
    django_assert_max_num_queries: Any,
) -> None:
    client = api_client(owner)
    client.get(f"{BASE}/products/ACME/backlog?limit=1")  # the token's last-used write
    built_items.clear()
    with django_assert_max_num_queries(6):
        answer = client.get(f"{BASE}/products/ACME/backlog?limit=50&finished=false")
    assert len(answer.json()["items"]) == len(varied)
    assert built_items == []
