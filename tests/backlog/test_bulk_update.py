"""Changing many items at once (bulk edit): one transaction, one history entry per item, all or
nothing, with a refusal that names the item and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.services import BULK_UPDATE_MAX, BulkChange, items_update_many
from lodestar.core.errors import Forbidden, Invalid, StaleVersion, error_sentence
from lodestar.core.models import HistoryEntry
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

ApiClient = Callable[[Persona], Client]
BULK = "/api/v1/workspaces/acme/products/ACME/backlog/bulk"


def _state() -> list[tuple[Any, ...]]:
    """Every item as stored, and the number of history entries: what a refusal must keep."""
    rows = BacklogItem.all_objects.order_by("pk").values_list(
        "key", "status", "assignee_id", "goal_id", "estimate", "rank", "version", "deleted_at"
    )
    return [*rows, ("history", HistoryEntry.objects.count())]


@pytest.fixture
def five(make_item: MakeItem) -> list[BacklogItem]:
    return [make_item(f"Item {n}") for n in range(1, 6)]


def _history(item: BacklogItem) -> list[HistoryEntry]:
    return list(
        HistoryEntry.objects.filter(object_type="backlog.backlogitem", object_id=item.pk).order_by(
            "id"
        )
    )


def test_status_and_assignee_in_one_entry_per_item(
    po: Persona, developer: Persona, five: list[BacklogItem]
) -> None:
    picked = [five[1], five[3]]
    before = [len(_history(item)) for item in picked]
    changed = items_update_many(
        actor=developer.actor,
        product=five[0].product,
        items=picked,
        change=BulkChange(status=ItemStatus.IN_PROGRESS, assignee=po.membership),
    )
    assert [item.key for item in changed] == ["ACME-2", "ACME-4"]
    for item, count in zip(picked, before, strict=True):
        fresh = BacklogItem.objects.get(pk=item.pk)
        assert fresh.status == ItemStatus.IN_PROGRESS
        assert fresh.assignee_id == po.membership.pk
        entries = _history(item)
        assert len(entries) == count + 1
        assert set(entries[-1].changes) == {"status", "assignee"}
    assert BacklogItem.objects.get(pk=five[0].pk).status == ItemStatus.NEW


def test_labels_are_added_and_removed_keeping_the_others(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    first = make_item("First", labels=["billing", "Mobile"])
    second = make_item("Second", labels=["reports"])
    items_update_many(
        actor=owner.actor,
        product=product,
        items=[first, second],
        change=BulkChange(add_labels=["urgent"], remove_labels=["mobile", "reports"]),
    )
    assert sorted(label.name for label in first.labels.all()) == ["billing", "urgent"]
    assert sorted(label.name for label in second.labels.all()) == ["urgent"]
    assert _history(first)[-1].changes["labels"] == [["Mobile", "billing"], ["billing", "urgent"]]


def test_goal_and_estimate_are_set_and_cleared(
    owner: Persona, five: list[BacklogItem], goal: ProductGoal, product: Product
) -> None:
    items_update_many(
        actor=owner.actor,
        product=product,
        items=five[:2],
        change=BulkChange(goal=goal, estimate="5"),
    )
    assert {
        (i.goal_id, i.estimate) for i in BacklogItem.objects.filter(pk__in=[five[0].pk, five[1].pk])
    } == {(goal.pk, Decimal(5))}
    items_update_many(
        actor=owner.actor,
        product=product,
        items=five[:2],
        change=BulkChange(goal=None, estimate=None),
    )
    assert {
        (i.goal_id, i.estimate) for i in BacklogItem.objects.filter(pk__in=[five[0].pk, five[1].pk])
    } == {(None, None)}


@pytest.mark.parametrize(
    ("position", "picked", "expected"),
    [
        ("top", [4, 1, 3], ["ACME-2", "ACME-4", "ACME-5", "ACME-1", "ACME-3"]),
        ("bottom", [0, 3, 1], ["ACME-3", "ACME-5", "ACME-1", "ACME-2", "ACME-4"]),
    ],
)
def test_a_move_keeps_the_relative_order_and_records_one_move_each(
    po: Persona,
    five: list[BacklogItem],
    product: Product,
    position: str,
    picked: list[int],
    expected: list[str],
) -> None:
    items = [five[n] for n in picked]
    items_update_many(
        actor=po.actor, product=product, items=items, change=BulkChange(position=position)
    )
    assert ordered_keys(product) == expected
    for item in items:
        last = _history(item)[-1]
        assert last.action == HistoryEntry.Action.MOVED
        assert last.changes["placement"] == f"to the {position}"


def test_a_move_with_a_status_is_one_entry_and_items_already_there_do_not_move(
    po: Persona, five: list[BacklogItem], product: Product
) -> None:
    items_update_many(
        actor=po.actor,
        product=product,
        items=five[:2],
        change=BulkChange(position="top", status=ItemStatus.IN_PROGRESS),
    )
    assert ordered_keys(product)[:2] == ["ACME-1", "ACME-2"]
    last = _history(five[0])[-1]
    assert last.action == HistoryEntry.Action.UPDATED
    assert "rank" not in last.changes
    items_update_many(
        actor=po.actor,
        product=product,
        items=[five[4]],
        change=BulkChange(position="top", status=ItemStatus.DONE),
    )
    last = _history(five[4])[-1]
    assert last.action == HistoryEntry.Action.UPDATED
    assert set(last.changes) == {"status", "rank", "placement"}
    assert ordered_keys(product)[0] == "ACME-5"


def test_delete_moves_them_to_the_trash_children_before_their_parent(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    epic = make_item("Epic", kind="epic")
    child = make_item("Child", parent=epic)
    items_update_many(
        actor=owner.actor, product=product, items=[epic, child], change=BulkChange(delete=True)
    )
    assert BacklogItem.objects.filter(pk__in=[epic.pk, child.pk]).count() == 0
    assert BacklogItem.all_objects.filter(pk__in=[epic.pk, child.pk]).count() == 2


def test_delete_of_a_parent_without_its_children_is_refused(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    epic = make_item("Epic", kind="epic")
    make_item("Child", parent=epic)
    other = make_item("Other")
    before = _state()
    with pytest.raises(Exception, match=r"^ACME-1 has 1 item under it") as caught:
        items_update_many(
            actor=owner.actor,
            product=product,
            items=[other, epic],
            change=BulkChange(delete=True),
        )
    assert caught.value.status == 409  # type: ignore[attr-defined]
    assert _state() == before


# -- refusals: nothing written ------------------------------------------------------------------


def test_a_bad_value_on_one_item_refuses_the_batch_naming_it(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    fine = make_item("Fine", estimate="3")
    # Ready needs the Definition of Ready: an item without criteria or goal fails it.
    other = make_item("Not ready")
    fine.refresh_from_db()
    before = _state()
    with pytest.raises(Invalid) as caught:
        items_update_many(
            actor=owner.actor,
            product=product,
            items=[fine, other],
            change=BulkChange(status=ItemStatus.READY),
        )
    assert caught.value.detail.startswith("ACME-1 is not ready: ")
    assert all(error.field.startswith("items[ACME-1].") for error in caught.value.errors)
    assert _state() == before


def test_an_invalid_status_names_the_field(
    owner: Persona, five: list[BacklogItem], product: Product
) -> None:
    before = _state()
    with pytest.raises(Invalid) as caught:
        items_update_many(
            actor=owner.actor, product=product, items=five, change=BulkChange(status="finished")
        )
    assert caught.value.errors[0].field == "items[ACME-1].status"
    assert error_sentence(caught.value).startswith("ACME-1 status: must be one of")
    assert _state() == before


def test_a_stale_version_refuses_the_batch(
    owner: Persona, five: list[BacklogItem], product: Product
) -> None:
    services.item_update(actor=owner.actor, item=five[2], title="Changed meanwhile")
    before = _state()
    with pytest.raises(StaleVersion, match=r"^ACME-3 was changed by someone else"):
        items_update_many(
            actor=owner.actor,
            product=product,
            items=five[1:4],
            change=BulkChange(status=ItemStatus.DONE),
            versions={five[1].pk: 1, five[2].pk: 1, five[3].pk: 1},
        )
    assert _state() == before


def test_an_item_of_another_product_refuses_the_batch(
    owner: Persona, five: list[BacklogItem], product: Product
) -> None:
    other = strategy.product_create(actor=owner.actor, key="OPS", name="Operations")
    stray = services.item_create(actor=owner.actor, product=other, title="Elsewhere")
    before = _state()
    with pytest.raises(Invalid, match=r"items\[OPS-1\]: is an item of another product") as caught:
        items_update_many(
            actor=owner.actor,
            product=product,
            items=[five[0], stray],
            change=BulkChange(status=ItemStatus.DONE),
        )
    assert caught.value.errors[0].field == "items[OPS-1]"
    assert error_sentence(caught.value).startswith("OPS-1: is an item of another product")
    assert _state() == before


def test_a_viewer_changes_nothing(
    viewer: Persona, five: list[BacklogItem], product: Product
) -> None:
    before = _state()
    with pytest.raises(Forbidden):
        items_update_many(
            actor=viewer.actor, product=product, items=five, change=BulkChange(status="done")
        )
    assert _state() == before


def test_a_developer_may_set_a_status_but_not_move_so_the_mixed_batch_is_refused(
    developer: Persona, five: list[BacklogItem], product: Product
) -> None:
    before = _state()
    with pytest.raises(Forbidden):
        items_update_many(
            actor=developer.actor,
            product=product,
            items=five[3:],
            change=BulkChange(status=ItemStatus.IN_PROGRESS, position="top"),
        )
    assert _state() == before


@pytest.mark.parametrize(
    ("change", "count", "message"),
    [
        (BulkChange(status="done"), 0, "items: select at least one item"),
        (BulkChange(), 2, "changes: choose what to change"),
        (BulkChange(delete=True, status="done"), 2, "delete: deleting goes alone"),
        (BulkChange(position="middle"), 2, 'position: must be "top" or "bottom"'),
    ],
)
def test_empty_or_contradictory_batches_are_refused(
    owner: Persona,
    five: list[BacklogItem],
    product: Product,
    change: BulkChange,
    count: int,
    message: str,
) -> None:
    before = _state()
    with pytest.raises(Invalid, match=message):
        items_update_many(actor=owner.actor, product=product, items=five[:count], change=change)
    assert _state() == before


def test_a_batch_over_the_limit_is_refused(
    owner: Persona, five: list[BacklogItem], product: Product
) -> None:
    with pytest.raises(Invalid, match=f"change at most {BULK_UPDATE_MAX} items"):
        items_update_many(
            actor=owner.actor,
            product=product,
            items=five * (BULK_UPDATE_MAX // 5 + 1),
            change=BulkChange(status="done"),
        )


# -- the API --------------------------------------------------------------------------------------


def _post(client: Client, body: Any) -> Any:
    return client.post(BULK, json.dumps(body), content_type="application/json")


def test_api_changes_many_and_answers_them_in_order(
    api_client: ApiClient, po: Persona, five: list[BacklogItem], product: Product
) -> None:
    response = _post(
        api_client(po),
        {
            "items": [{"key": "acme-5"}, {"key": "ACME-3", "version": 1}],
            "status": "in_progress",
            "assignee": po.email,
            "add_labels": ["urgent"],
            "position": "top",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["key"] for item in body["items"]] == ["ACME-3", "ACME-5"]
    assert {item["status"] for item in body["items"]} == {"in_progress"}
    assert body["items"][0]["labels"] == ["urgent"]
    assert ordered_keys(product)[:2] == ["ACME-3", "ACME-5"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"items": [{"key": "ACME-1"}, {"key": "ACME-99"}], "status": "done"}, 422, "items[1]"),
        ({"items": [], "status": "done"}, 422, None),
        ({"items": [{"key": "ACME-1"}], "status": "finished"}, 422, None),
        ({"items": [{"key": "ACME-1"}], "status": None}, 422, "status"),
        ({"items": [{"key": "ACME-1", "version": 7}], "status": "done"}, 412, None),
        ({"items": [{"key": "ACME-1"}], "assignee": "nobody@acme.test"}, 422, "assignee"),
        ({"items": [{"key": "ACME-1"}]}, 422, "changes"),
        ({"items": [{"key": "ACME-1"}] * (BULK_UPDATE_MAX + 1), "status": "done"}, 422, "items"),
    ],
)
def test_api_bad_input_changes_nothing(
    api_client: ApiClient,
    owner: Persona,
    five: list[BacklogItem],
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    before = _state()
    response = _post(api_client(owner), body)
    assert response.status_code == status, response.content
    problem = response.json()
    if field is not None:
        assert field in [error["field"] for error in problem["errors"]]
    assert _state() == before


def test_api_viewer_and_developer_moves_are_refused(
    api_client: ApiClient, viewer: Persona, developer: Persona, five: list[BacklogItem]
) -> None:
    before = _state()
    body = {"items": [{"key": "ACME-2"}], "status": "done"}
    assert _post(api_client(viewer), body).status_code == 403
    assert _post(api_client(developer), {**body, "position": "top"}).status_code == 403
    assert _state() == before


def test_labels_are_removed_alone(owner: Persona, make_item: MakeItem, product: Product) -> None:
    first = make_item("First", labels=["billing", "mobile"])
    second = make_item("Second")
    items_update_many(
        actor=owner.actor,
        product=product,
        items=[first, second],
        change=BulkChange(remove_labels=["Billing"]),
    )
    assert [label.name for label in first.labels.all()] == ["mobile"]
    # Nothing changed for the second item: no version, no history.
    assert BacklogItem.objects.get(pk=second.pk).version == second.version
    assert len(_history(second)) == 1


def test_a_batch_costs_the_same_queries_whatever_its_size(
    owner: Persona,
    po: Persona,
    make_item: MakeItem,
    product: Product,
    django_assert_max_num_queries: Any,
) -> None:
    items = [make_item(f"Item {n}", labels=["old"]) for n in range(75)]
    change = BulkChange(
        status=ItemStatus.IN_PROGRESS,
        assignee=po.membership,
        add_labels=["new"],
        remove_labels=["old"],
        position="top",
    )
    # The first batch creates the label "new"; then 25 items cost what 45 do.
    items_update_many(actor=po.actor, product=product, items=items[:5], change=change)
    counts = []
    for batch in (items[5:30], items[30:75]):
        with django_assert_max_num_queries(40) as captured:
            items_update_many(actor=po.actor, product=product, items=batch, change=change)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert {label.name for item in items for label in item.labels.all()} == {"new"}
