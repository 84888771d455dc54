"""Moving a parent takes its open descendants along (issue 8): right after it, in tree order,
finished ones left where they are, one transaction, a history entry for each row moved."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from lodestar.backlog import hierarchy, services
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import item_history
from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.core.ranking import MAX_KEY_LENGTH
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.concurrency import run_concurrently
from tests.conftest import Persona


def _snapshot() -> list[tuple[Any, ...]]:
    return list(BacklogItem.all_objects.order_by("pk").values_list("pk", "rank", "version"))


@pytest.fixture
def tree(make_item: MakeItem) -> dict[str, BacklogItem]:
    """ACME-1 A, ACME-2 epic E, ACME-3 B, ACME-4 story S1 (under E), ACME-5 C, ACME-6 task T
    (under S1), ACME-7 story S2 (under E), ACME-8 D: the children spread over the backlog."""
    a = make_item("A")
    epic = make_item("Epic", kind="epic")
    b = make_item("B")
    s1 = make_item("Story one", parent=epic)
    c = make_item("C")
    task = make_item("Task", kind="task", parent=s1)
    s2 = make_item("Story two", parent=epic)
    d = make_item("D")
    return {"A": a, "E": epic, "B": b, "S1": s1, "C": c, "T": task, "S2": s2, "D": d}


def test_children_follow_their_parent_in_tree_order(
    po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    moved = services.item_move(actor=po.actor, item=tree["E"], position="bottom")
    # The epic, then its stories in their order, the task right under its story.
    assert ordered_keys(product) == [
        "ACME-1", "ACME-3", "ACME-5", "ACME-8", "ACME-2", "ACME-4", "ACME-6", "ACME-7"
    ]  # fmt: skip
    assert moved.rank == BacklogItem.objects.get(pk=tree["E"].pk).rank
    assert moved.version == 2
    versions = dict(BacklogItem.objects.values_list("key", "version"))
    assert versions == {
        "ACME-1": 1, "ACME-2": 2, "ACME-3": 1, "ACME-4": 2,
        "ACME-5": 1, "ACME-6": 2, "ACME-7": 2, "ACME-8": 1,
    }  # fmt: skip


def test_a_parent_moved_before_an_item(
    po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    services.item_move(actor=po.actor, item=tree["E"], before=tree["A"])
    assert ordered_keys(product)[:4] == ["ACME-2", "ACME-4", "ACME-6", "ACME-7"]
    services.item_move(actor=po.actor, item=tree["E"], after=tree["C"])
    assert ordered_keys(product) == [
        "ACME-1", "ACME-3", "ACME-5", "ACME-2", "ACME-4", "ACME-6", "ACME-7", "ACME-8"
    ]  # fmt: skip


def test_finished_children_stay_where_they_are(
    owner: Persona, po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    services.item_update(actor=owner.actor, item=tree["S1"], status="done")
    services.item_update(actor=owner.actor, item=tree["S2"], status="wont_do")
    done_rank = BacklogItem.objects.get(pk=tree["S1"].pk).rank
    services.item_move(actor=po.actor, item=tree["E"], position="top")
    # S1 and S2 are finished: they stay, and so does the task under S1 (reached through it).
    assert ordered_keys(product) == [
        "ACME-2", "ACME-1", "ACME-3", "ACME-4", "ACME-5", "ACME-6", "ACME-7", "ACME-8"
    ]  # fmt: skip
    assert BacklogItem.objects.get(pk=tree["S1"].pk).rank == done_rank


def test_a_trashed_child_stays_in_the_trash_where_it_was(
    owner: Persona, po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    services.item_delete(actor=owner.actor, item=tree["S2"])
    trashed_rank = BacklogItem.all_objects.get(pk=tree["S2"].pk).rank
    services.item_move(actor=po.actor, item=tree["E"], position="top")
    assert ordered_keys(product)[:3] == ["ACME-2", "ACME-4", "ACME-6"]
    assert BacklogItem.all_objects.get(pk=tree["S2"].pk).rank == trashed_rank


def test_every_moved_row_has_its_history(
    owner: Persona, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    services.item_move(actor=po.actor, item=tree["E"], position="top")
    parent_entry = item_history(actor=owner.actor, item=tree["E"]).items[-1]
    assert parent_entry.action == HistoryEntry.Action.MOVED
    assert parent_entry.changes["placement"] == "to the top"
    for child in ("S1", "T", "S2"):
        entry = item_history(actor=owner.actor, item=tree[child]).items[-1]
        assert entry.action == HistoryEntry.Action.MOVED
        assert entry.changes["placement"] == "with ACME-2, to the top"
        assert entry.actor_id == po.user.pk
    for still in ("A", "B", "C", "D"):
        actions = [e.action for e in item_history(actor=owner.actor, item=tree[still]).items]
        assert HistoryEntry.Action.MOVED not in actions


def test_a_block_already_in_place_writes_nothing(
    po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    services.item_move(actor=po.actor, item=tree["E"], position="top")
    before = _snapshot()
    entries = HistoryEntry.objects.count()
    services.item_move(actor=po.actor, item=tree["E"], position="top")
    services.item_move(actor=po.actor, item=tree["E"], before=tree["A"])
    assert _snapshot() == before
    assert HistoryEntry.objects.count() == entries


def test_a_story_moves_with_its_task_only(
    po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    services.item_move(actor=po.actor, item=tree["S1"], position="top")
    assert ordered_keys(product)[:2] == ["ACME-4", "ACME-6"]
    assert ordered_keys(product)[2:4] == ["ACME-1", "ACME-2"]


@pytest.mark.parametrize("side", ["before", "after"])
def test_an_anchor_that_moves_with_the_parent_is_refused(
    po: Persona, tree: dict[str, BacklogItem], side: str
) -> None:
    before = _snapshot()
    with pytest.raises(Invalid) as caught:
        services.item_move(actor=po.actor, item=tree["E"], **{side: tree["T"]})
    assert caught.value.errors[0].field == side
    assert "ACME-6 sits under ACME-2 and moves with it" in caught.value.errors[0].message
    assert _snapshot() == before


def test_refusals_move_no_child(
    developer: Persona, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    before = _snapshot()
    with pytest.raises(Forbidden):
        services.item_move(actor=developer.actor, item=tree["E"], position="top")
    with pytest.raises(StaleVersion):
        services.item_move(actor=po.actor, item=tree["E"], position="top", expected_version=7)
    assert _snapshot() == before


def test_a_parent_move_into_a_crowded_gap_rebalances(
    po: Persona, tree: dict[str, BacklogItem], product: Product
) -> None:
    # A and B with no room between them for three keys that fit the column.
    BacklogItem.objects.filter(pk=tree["A"].pk).update(rank="a0" + "V" * 46)
    BacklogItem.objects.filter(pk=tree["B"].pk).update(rank="a0" + "V" * 45 + "W")
    order = [k for k in ordered_keys(product) if k not in {"ACME-2", "ACME-4", "ACME-6", "ACME-7"}]
    services.item_move(actor=po.actor, item=tree["E"], after=tree["A"])
    expected = [*order[: order.index("ACME-1") + 1], "ACME-2", "ACME-4", "ACME-6", "ACME-7"]
    expected += order[order.index("ACME-1") + 1 :]
    assert ordered_keys(product) == expected
    assert max(len(r) for r in BacklogItem.objects.values_list("rank", flat=True)) <= (
        MAX_KEY_LENGTH
    )


def test_api_move_of_a_parent_brings_its_children(
    api_client: Callable[[Persona], Client], po: Persona, tree: dict[str, BacklogItem],
    product: Product,
) -> None:  # fmt: skip
    response = api_client(po).post(
        "/api/v1/workspaces/acme/items/ACME-2/move",
        json.dumps({"after": "ACME-8"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert ordered_keys(product)[-4:] == ["ACME-2", "ACME-4", "ACME-6", "ACME-7"]
    refused = api_client(po).post(
        "/api/v1/workspaces/acme/items/ACME-2/move",
        json.dumps({"before": "ACME-7"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "before"


@given(
    st.lists(st.tuples(st.integers(1, 12), st.integers(0, 12) | st.none()), max_size=20),
    st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True),
)
def test_tree_order_puts_every_child_after_its_parent(
    links: list[tuple[int, int | None]], roots: list[int]
) -> None:
    rows = [(pk, parent, f"r{pk:02d}") for pk, parent in dict(links).items() if pk not in roots]
    order = hierarchy.tree_order(roots, rows)
    ids = [pk for pk, _ in order]
    assert len(ids) == len(set(ids))
    parents = dict((pk, parent) for pk, parent, _ in rows)
    for index, (pk, depth) in enumerate(order):
        if pk in roots:
            assert depth == 0
            continue
        assert ids.index(parents[pk]) < index
        assert depth >= 1
        assert depth < hierarchy.MAX_DEPTH


@pytest.mark.django_db(transaction=True)
def test_concurrent_parent_moves_keep_trees_together(
    owner: Persona, po: Persona, product: Product
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (SQLite serializes every writer)")

    def make(title: str, **fields: Any) -> BacklogItem:
        return services.item_create(actor=owner.actor, product=product, title=title, **fields)

    epics = [make(f"Epic {n}", kind="epic") for n in range(3)]
    loose = [make(f"Loose {n}") for n in range(6)]
    for n, epic in enumerate(epics):
        for m in range(2):
            make(f"Story {n}.{m}", parent=epic)
    movers = [item.key for item in epics + loose]

    def moves(seed: int, wait: Callable[[], object]) -> None:
        rng = random.Random(seed)
        wait()
        for _ in range(15):
            item = BacklogItem.objects.get(key=rng.choice(movers))
            anchor = BacklogItem.objects.get(key=rng.choice(movers))
            if anchor.pk == item.pk:
                services.item_move(actor=po.actor, item=item, position="top")
            elif anchor.kind == "epic":  # after an epic is among its stories: before it
                services.item_move(actor=po.actor, item=item, before=anchor)
            else:
                services.item_move(actor=po.actor, item=item, after=anchor)

    run_concurrently(4, moves)
    rows = list(BacklogItem.objects.filter(product=product).order_by("rank"))
    assert len({row.rank for row in rows}) == len(rows) == 15
    for epic in epics:
        at = [row.pk for row in rows].index(epic.pk)
        # Each epic's stories sit right after it, whoever moved what.
        assert {row.parent_id for row in rows[at + 1 : at + 3]} == {epic.pk}
