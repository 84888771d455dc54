"""Creating many items at once: all or nothing, in blocks, with the import's authors and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem, ItemStatus, Label
from lodestar.backlog.services import ItemSpec, items_create_many
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.models import HistoryEntry
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def _state() -> tuple[int, int, int, int]:
    return (
        BacklogItem.all_objects.count(),
        HistoryEntry.objects.count(),
        Label.objects.count(),
        BacklogItem.labels.through.objects.count(),
    )


def test_items_are_numbered_in_one_block_after_existing_ones(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    first, second = make_item("First"), make_item("Second")
    items = items_create_many(
        actor=owner.actor,
        product=product,
        specs=[ItemSpec(title=f"Imported {n}") for n in range(5)],
    )
    assert [item.key for item in items] == [f"ACME-{n}" for n in range(3, 8)]
    assert all(item.pk for item in items)
    # At the bottom, in the given order, after the items already there.
    assert ordered_keys(product) == [first.key, second.key, *[item.key for item in items]]
    product.refresh_from_db()
    assert product.next_item_number == 8
    # Numbers are never reused: a trashed item keeps its number, the next batch goes on.
    services.item_delete(actor=owner.actor, item=items[-1])
    more = items_create_many(actor=owner.actor, product=product, specs=[ItemSpec(title="More")])
    assert more[0].key == "ACME-8"
    assert ordered_keys(product)[-1] == "ACME-8"


def test_every_field_is_stored_as_item_create_stores_it(
    owner: Persona, developer: Persona, product: Product, goal: ProductGoal
) -> None:
    (item,) = items_create_many(
        actor=owner.actor,
        product=product,
        specs=[
            ItemSpec(
                title="  Export   to PDF ",
                kind="bug",
                description="**Bold** <script>alert(1)</script>",
                acceptance_criteria=["Given *this*", "", "then that"],
                estimate="5",
                labels=["Reports", "pdf", "reports"],
                assignee=developer.membership,
                goal=goal,
            )
        ],
    )
    stored = BacklogItem.objects.get(pk=item.pk)
    assert stored.title == "Export to PDF"
    assert stored.kind == "bug"
    assert stored.acceptance_criteria == ["Given *this*", "then that"]
    assert stored.acceptance_criteria_html[0] == "<p>Given <em>this</em></p>\n"
    assert "<strong>Bold</strong>" in stored.description_html
    assert "<script>" not in stored.description_html
    assert stored.estimate == Decimal(5)
    assert stored.assignee_id == developer.membership.pk
    assert stored.goal_id == goal.pk
    assert stored.created_by_id == owner.user.pk
    assert sorted(stored.labels.values_list("name", flat=True)) == ["Reports", "pdf"]


def test_labels_are_matched_ignoring_case_and_created_once(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    make_item("Has a label", labels=["Billing"])
    items = items_create_many(
        actor=owner.actor,
        product=product,
        specs=[
            ItemSpec(title="A", labels=["billing", "New one"]),
            ItemSpec(title="B", labels=["NEW ONE"]),
        ],
    )
    assert sorted(Label.objects.filter(product=product).values_list("name", flat=True)) == [
        "Billing",
        "New one",
    ]
    assert sorted(items[0].labels.values_list("name", flat=True)) == ["Billing", "New one"]
    assert list(items[1].labels.values_list("name", flat=True)) == ["New one"]


def test_parents_inside_the_batch_and_existing_ones(
    owner: Persona, make_item: MakeItem, product: Product, goal: ProductGoal
) -> None:
    existing_epic = make_item("Existing epic", kind="epic", goal=goal)
    items = items_create_many(
        actor=owner.actor,
        product=product,
        specs=[
            ItemSpec(title="Epic", kind="epic"),
            ItemSpec(title="Story", parent=0),
            ItemSpec(title="Task", kind="task", parent=1),
            ItemSpec(title="Story of the old epic", parent=existing_epic),
            ItemSpec(title="Bug", kind="bug", parent=3),
        ],
    )
    epic, story, task, old_story, bug = (BacklogItem.objects.get(pk=i.pk) for i in items)
    assert story.parent_id == epic.pk
    assert task.parent_id == story.pk
    assert old_story.parent_id == existing_epic.pk
    assert bug.parent_id == old_story.pk
    # Without a goal of its own an item serves its parent's, as with item_create.
    assert old_story.goal_id == goal.pk
    assert epic.goal_id is None
    # Ranks follow the specs, not the order the levels were inserted in.
    assert ordered_keys(product)[1:] == [item.key for item in items]


@pytest.mark.parametrize(
    ("spec", "field", "code"),
    [
        (ItemSpec(title="  "), "items[2].title", "title_invalid"),
        (ItemSpec(title="x" * 256), "items[2].title", "title_invalid"),
        (ItemSpec(title="ok", kind="saga"), "items[2].kind", "kind_invalid"),
        (ItemSpec(title="ok", status="doing"), "items[2].status", "status_invalid"),
        (ItemSpec(title="ok", estimate="4"), "items[2].estimate", "estimate_invalid"),
        (ItemSpec(title="ok", labels=["a,b"]), "items[2].labels[0]", "label_invalid"),
        (
            ItemSpec(title="ok", acceptance_criteria="one string"),
            "items[2].acceptance_criteria",
            "acceptance_criteria_invalid",
        ),
        (ItemSpec(title="ok", parent=2), "items[2].parent", "parent_invalid"),
        (ItemSpec(title="ok", parent=-1), "items[2].parent", "parent_invalid"),
        (ItemSpec(title="ok", kind="epic", parent=0), "items[2].parent", "parent_kind"),
        (ItemSpec(title="ok", kind="task", parent=0), "items[2].parent", "parent_kind"),
        (
            ItemSpec(title="ok", created_at=dt.datetime(2021, 1, 1)),  # noqa: DTZ001 - naive on purpose
            "items[2].created_at",
            "date_invalid",
        ),
        (
            ItemSpec(title="ok", created_at=timezone.now() + dt.timedelta(days=1)),
            "items[2].created_at",
            "date_invalid",
        ),
        (
            ItemSpec(title="ok", created_at=LONG_AGO, updated_at=LONG_AGO - dt.timedelta(1)),
            "items[2].updated_at",
            "date_invalid",
        ),
    ],
)
def test_a_bad_spec_is_named_and_nothing_is_written(
    owner: Persona, make_item: MakeItem, product: Product, spec: ItemSpec, field: str, code: str
) -> None:
    make_item("Already there")
    before = _state()
    specs = [ItemSpec(title="Epic", kind="epic", labels=["fresh"]), ItemSpec(title="Fine"), spec]
    with pytest.raises(Invalid) as caught:
        items_create_many(actor=owner.actor, product=product, specs=specs)
    assert [e.field for e in caught.value.errors] == [field]
    assert caught.value.code == code
    assert _state() == before
    product.refresh_from_db()
    assert product.next_item_number == 2


def test_references_to_other_workspaces_and_products_are_refused(
    owner: Persona, outsider: Persona, make_item: MakeItem, product: Product
) -> None:
    other = strategy.product_create(actor=owner.actor, key="OTHER", name="Other")
    foreign_item = make_item("Elsewhere", product=other)
    trashed = make_item("Trashed")
    services.item_delete(actor=owner.actor, item=trashed)
    other_goal = strategy.goal_set(actor=owner.actor, product=other, statement="Elsewhere")
    cases: list[tuple[ItemSpec, str]] = [
        (ItemSpec(title="x", parent=foreign_item), "items[0].parent"),
        (ItemSpec(title="x", parent=trashed), "items[0].parent"),
        (ItemSpec(title="x", assignee=outsider.membership), "items[0].assignee"),
        (ItemSpec(title="x", created_by=outsider.membership), "items[0].created_by"),
        (ItemSpec(title="x", goal=other_goal), "items[0].goal"),
    ]
    before = _state()
    for spec, field in cases:
        with pytest.raises(Invalid) as caught:
            items_create_many(actor=owner.actor, product=product, specs=[spec])
        assert [e.field for e in caught.value.errors] == [field]
    assert _state() == before


def test_ready_items_pass_the_definition_of_ready_unless_the_caller_skips_it(
    owner: Persona, product: Product, goal: ProductGoal
) -> None:
    ready = ItemSpec(title="Ready?", status="ready")
    with pytest.raises(Invalid) as caught:
        items_create_many(actor=owner.actor, product=product, specs=[ItemSpec(title="A"), ready])
    assert caught.value.code == "not_ready"
    assert {e.field for e in caught.value.errors} == {"items[1].status"}
    assert not BacklogItem.objects.exists()

    complete = ItemSpec(
        title="Ready", status="ready", acceptance_criteria=["Works"], estimate=3, goal=goal
    )
    (item,) = items_create_many(actor=owner.actor, product=product, specs=[complete])
    assert item.status == ItemStatus.READY
    # An import carries statuses from another tool: the caller may skip the check.
    (imported,) = items_create_many(
        actor=owner.actor, product=product, specs=[ready], check_readiness=False
    )
    assert BacklogItem.objects.get(pk=imported.pk).status == ItemStatus.READY


def test_an_import_keeps_the_original_author_dates_and_status(
    owner: Persona, developer: Persona, product: Product
) -> None:
    later = LONG_AGO + dt.timedelta(days=30)
    items = items_create_many(
        actor=owner.actor,
        product=product,
        specs=[
            ItemSpec(
                title="Old",
                status="done",
                created_by=developer.membership,
                created_at=LONG_AGO,
                updated_at=later,
            ),
            ItemSpec(title="Unknown author", created_by=None, created_at=LONG_AGO),
            ItemSpec(title="Mine"),
        ],
    )
    old, unknown, mine = (BacklogItem.objects.get(pk=i.pk) for i in items)
    assert (old.created_by_id, old.created_at, old.updated_at, old.status) == (
        developer.user.pk,
        LONG_AGO,
        later,
        "done",
    )
    assert (unknown.created_by_id, unknown.created_at, unknown.updated_at) == (
        None,
        LONG_AGO,
        LONG_AGO,
    )
    assert mine.created_by_id == owner.user.pk
    assert mine.created_at > LONG_AGO
    history = {
        entry.object_id: entry
        for entry in HistoryEntry.objects.filter(object_type="backlog.backlogitem")
    }
    assert len(history) == 3
    assert (history[old.pk].actor_id, history[old.pk].created_at) == (developer.user.pk, LONG_AGO)
    assert history[old.pk].action == HistoryEntry.Action.CREATED
    assert history[old.pk].object_label == f"{old.key} Old"
    assert history[old.pk].changes == {
        "kind": "story",
        "title": "Old",
        "status": "done",
        "rank": old.rank,
        "imported_by": owner.user.pk,
    }
    assert (history[unknown.pk].actor_id, history[unknown.pk].created_at) == (None, LONG_AGO)
    assert history[mine.pk].actor_id == owner.user.pk
    assert "imported_by" not in history[mine.pk].changes


def test_only_those_who_edit_content_create_items(viewer: Persona, product: Product) -> None:
    with pytest.raises(Forbidden):
        items_create_many(actor=viewer.actor, product=product, specs=[ItemSpec(title="x")])
    assert not BacklogItem.objects.exists()


def test_no_specs_write_nothing_and_too_many_are_refused(
    owner: Persona, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert items_create_many(actor=owner.actor, product=product, specs=[]) == []
    monkeypatch.setattr("lodestar.backlog.services.bulk.BULK_MAX", 2)
    with pytest.raises(Invalid) as caught:
        items_create_many(actor=owner.actor, product=product, specs=[ItemSpec(title="x")] * 3)
    assert [e.field for e in caught.value.errors] == ["items"]
    assert not BacklogItem.objects.exists()


def _specs(n: int, goal: ProductGoal) -> list[ItemSpec]:
    """Epics with stories under them, labels, criteria, descriptions: a real import's shape."""
    specs: list[ItemSpec] = []
    for i in range(n):
        epic = i % 10 == 0
        specs.append(
            ItemSpec(
                title=f"Item {i}",
                kind="epic" if epic else "story",
                description=f"Item *{i}*",
                acceptance_criteria=[f"Criterion {i}"],
                estimate=None if epic else 3,
                labels=[f"label {i % 7}", "import"],
                parent=None if epic else i - i % 10,
                goal=goal if epic else services.UNSET,
                created_at=LONG_AGO,
            )
        )
    return specs


@pytest.mark.parametrize("n", [10, 120])
def test_the_number_of_queries_does_not_grow_with_the_items(
    owner: Persona,
    product: Product,
    goal: ProductGoal,
    n: int,
    django_assert_max_num_queries: Any,
) -> None:
    # Permission, labels (read, create, read again), numbers, last rank, two levels of items,
    # label links, history and its events in the outbox; an insert of many rows reserves its
    # ids first (one query each); the search index (which items it holds, its key counter, the
    # entries and their full-text rows).
    with django_assert_max_num_queries(22):
        items = items_create_many(actor=owner.actor, product=product, specs=_specs(n, goal))
    assert BacklogItem.objects.filter(product=product).count() == n
    assert BacklogItem.labels.through.objects.count() == 2 * n
    assert HistoryEntry.objects.filter(object_type="backlog.backlogitem").count() == n
    last_epic = (n - 1) - (n - 1) % 10
    assert BacklogItem.objects.get(pk=items[-1].pk).parent_id == items[last_epic].pk
