"""Breakdown rules: which kind sits under which, no loops, depth bounded by the kinds."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lodestar.backlog import hierarchy, services
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Invalid
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

KINDS = list(hierarchy.ALLOWED_PARENTS)


@pytest.mark.parametrize(
    ("parent_kind", "child_kind", "allowed"),
    [
        ("epic", "story", True),
        ("epic", "bug", True),
        ("epic", "spike", True),
        ("epic", "task", False),
        ("epic", "epic", False),
        ("story", "task", True),
        ("story", "bug", True),
        ("story", "story", False),
        ("story", "epic", False),
        ("bug", "task", True),
        ("spike", "task", True),
        ("task", "task", False),
        ("task", "story", False),
    ],
)
def test_kinds(
    owner: Persona, make_item: MakeItem, parent_kind: str, child_kind: str, allowed: bool
) -> None:
    parent = make_item("Parent", kind=parent_kind)
    if allowed:
        child = make_item("Child", kind=child_kind, parent=parent)
        assert child.parent_id == parent.pk
        return
    with pytest.raises(Invalid) as caught:
        make_item("Child", kind=child_kind, parent=parent)
    assert caught.value.code == "parent_kind"
    assert caught.value.errors[0].field == "parent"
    assert BacklogItem.objects.count() == 1


def test_own_parent_is_a_cycle(owner: Persona, make_item: MakeItem) -> None:
    story = make_item("Story")
    with pytest.raises(Invalid) as caught:
        services.item_update(actor=owner.actor, item=story, parent=story)
    assert caught.value.code == "parent_cycle"


def test_descendant_as_parent_is_a_cycle(owner: Persona, make_item: MakeItem) -> None:
    epic = make_item("Epic", kind="epic")
    story = make_item("Story", parent=epic)
    bug = make_item("Bug", kind="bug", parent=story)
    task = make_item("Task", kind="task", parent=bug)
    # A bug may sit under a story, but not under its own descendant.
    with pytest.raises(Invalid) as caught:
        services.item_update(actor=owner.actor, item=bug, parent=task)
    assert caught.value.code in {"parent_cycle", "parent_kind"}
    with pytest.raises(Invalid) as caught:
        services.item_update(actor=owner.actor, item=story, parent=task)
    assert caught.value.code == "parent_cycle"
    story.refresh_from_db()
    assert story.parent_id == epic.pk


def test_depth_is_bounded(owner: Persona, make_item: MakeItem) -> None:
    epic = make_item("Epic", kind="epic")
    story = make_item("Story", parent=epic)
    bug = make_item("Bug", kind="bug", parent=story)
    task = make_item("Task", kind="task", parent=bug)
    with pytest.raises(Invalid):
        make_item("Deeper", kind="task", parent=task)
    with pytest.raises(Invalid) as caught:
        services.item_split(actor=owner.actor, item=task, children=[services.ChildSpec("x")])
    assert caught.value.code == "split_invalid"


def test_parent_from_another_product(owner: Persona, make_item: MakeItem) -> None:
    from lodestar.strategy import services as strategy

    shop = strategy.product_create(actor=owner.actor, key="SHOP", name="Shop")
    foreign = services.item_create(actor=owner.actor, product=shop, title="Epic", kind="epic")
    with pytest.raises(Invalid) as caught:
        make_item("Story", parent=foreign)
    assert caught.value.code == "parent_invalid"


def test_trashed_parent_is_refused(owner: Persona, make_item: MakeItem) -> None:
    epic = make_item("Epic", kind="epic")
    services.item_delete(actor=owner.actor, item=epic)
    epic.refresh_from_db()
    with pytest.raises(Invalid):
        make_item("Story", parent=epic)


def test_api_cycle_is_422(api_client: object, owner: Persona, make_item: MakeItem) -> None:

    epic = make_item("Epic", kind="epic")
    story = make_item("Story", parent=epic)
    task = make_item("Task", kind="task", parent=story)
    client = api_client(owner)
    response = client.patch(
        f"/api/v1/workspaces/acme/items/{story.key}",
        json.dumps({"parent": task.key}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "parent_cycle"
    assert response.json()["errors"][0]["field"] == "parent"


@given(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
def test_every_legal_chain_is_at_most_max_depth(chain: list[str]) -> None:
    legal = all(hierarchy.may_contain(p, c) for p, c in itertools.pairwise(chain))
    if legal:
        assert len(chain) <= hierarchy.MAX_DEPTH


@given(st.dictionaries(st.integers(1, 20), st.integers(1, 20) | st.none()), st.integers(1, 20))
def test_cycle_in_terminates(parents: dict[int, int | None], start: int) -> None:
    result = hierarchy.cycle_in(start, parents.get(start) or start, parents.get)
    assert isinstance(result, bool)
