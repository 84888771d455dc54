"""Backlog items through their services: create, update, labels, breakdown, trash, flags."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label
from lodestar.backlog.selectors import (
    BacklogFilters,
    backlog_list,
    flag_reason,
    is_flagged,
    item_history,
)
from lodestar.backlog.services import ChildSpec
from lodestar.core.errors import Conflict, Forbidden, Invalid, NotFound, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.conftest import Persona


def test_create_numbers_items_and_appends(make_item: MakeItem, product: Product) -> None:
    first = make_item("Export a dashboard as PDF")
    second = make_item("Schedule weekly report emails", kind="story")
    assert (first.key, second.key) == ("ACME-1", "ACME-2")
    assert ordered_keys(product) == ["ACME-1", "ACME-2"]
    product.refresh_from_db()
    assert product.next_item_number == 3
    entry = HistoryEntry.objects.get(object_type="backlog.backlogitem", object_id=first.pk)
    assert entry.action == "created"


def test_keys_are_never_reused(owner: Persona, make_item: MakeItem, product: Product) -> None:
    item = make_item()
    services.item_delete(actor=owner.actor, item=item)
    BacklogItem.all_objects.filter(pk=item.pk).delete()  # purged for good
    assert make_item().key == "ACME-2"


def test_create_at_top_needs_ordering_rights(
    developer: Persona, po: Persona, make_item: MakeItem, product: Product
) -> None:
    make_item("Existing")
    with pytest.raises(Forbidden):
        make_item("Mine first", actor=developer.actor, position="top")
    assert BacklogItem.objects.count() == 1
    make_item("Developers add at the bottom", actor=developer.actor)
    top = make_item("Urgent", actor=po.actor, position="top")
    assert ordered_keys(product)[0] == top.key


def test_create_before_and_after(owner: Persona, make_item: MakeItem, product: Product) -> None:
    a, b = make_item("A"), make_item("B")
    c = make_item("C", before=b)
    d = make_item("D", after=b)
    e = make_item("E", before=a)
    assert ordered_keys(product) == [e.key, a.key, c.key, b.key, d.key]


def test_create_validates_each_field(make_item: MakeItem, owner: Persona) -> None:
    other_product = strategy.product_create(actor=owner.actor, key="SHOP", name="Shop")
    cases = [
        ({"title": "  "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"kind": "saga"}, "kind"),
        ({"status": "started"}, "status"),
        ({"estimate": 4}, "estimate"),
        ({"estimate": "-1"}, "estimate"),
        ({"acceptance_criteria": "one string"}, "acceptance_criteria"),
        ({"labels": ["ok", "a,b"]}, "labels[1]"),
        ({"position": "middle"}, "position"),
    ]
    for fields, field in cases:
        with pytest.raises(Invalid) as caught:
            make_item(**fields)
        assert caught.value.errors[0].field == field, fields
    other_goal = strategy.goal_set(actor=owner.actor, product=other_product, statement="Other")
    with pytest.raises(Invalid) as caught:
        make_item(goal=other_goal)
    assert caught.value.errors[0].field == "goal"
    assert not BacklogItem.objects.exists()


def test_estimates_follow_the_scale(make_item: MakeItem, product: Product) -> None:
    assert make_item(estimate=5).estimate == Decimal(5)
    unknown = make_item(estimate="?")
    assert (unknown.estimate, unknown.estimate_unknown) == (None, True)
    assert make_item(estimate="13").estimate == Decimal(13)
    assert make_item().estimate is None


def test_update_fields_and_history(
    owner: Persona, developer: Persona, make_item: MakeItem, goal: ProductGoal
) -> None:
    item = make_item("Old title", labels=["reports"])
    services.item_update(
        actor=developer.actor,
        item=item,
        expected_version=1,
        title="New title",
        estimate="8",
        labels=["Reports", "pdf"],
        goal=goal,
        assignee=developer.membership,
    )
    item.refresh_from_db()
    assert item.title == "New title"
    assert item.version == 2
    assert sorted(item.labels.values_list("name", flat=True)) == ["pdf", "reports"]
    # "Reports" matched the existing "reports" label instead of making a second one.
    assert Label.objects.count() == 2
    entry = item_history(actor=owner.actor, item=item).items[-1]
    assert entry.changes["title"] == ["Old title", "New title"]
    assert entry.changes["labels"] == [["reports"], ["pdf", "reports"]]
    assert entry.changes["goal"] == [None, goal.pk]


def test_update_with_a_stale_version(owner: Persona, make_item: MakeItem) -> None:
    item = make_item("Title")
    with pytest.raises(StaleVersion):
        services.item_update(actor=owner.actor, item=item, expected_version=3, title="Other")
    item.refresh_from_db()
    assert item.title == "Title"


def test_a_write_without_a_claimed_version_applies_to_the_current_row(
    owner: Persona, make_item: MakeItem
) -> None:
    """Issue 7, defect 3: a client that sent no If-Match never gets a 412 because someone
    else wrote in between; one that claimed a version it no longer has does."""
    item = make_item("Title", description="Kept")
    stale_copy = BacklogItem.objects.get(pk=item.pk)
    services.item_update(actor=owner.actor, item=item, description="Written meanwhile")
    services.item_update(actor=owner.actor, item=stale_copy, title="Second")
    item.refresh_from_db()
    # The second write changed only its field, on top of the first: nothing was lost.
    assert (item.title, item.description, item.version) == ("Second", "Written meanwhile", 3)
    older = BacklogItem.objects.get(pk=item.pk)
    services.item_update(actor=owner.actor, item=item, title="Third")
    with pytest.raises(StaleVersion):
        services.item_update(actor=owner.actor, item=older, title="Lost", expected_version=3)
    assert BacklogItem.objects.get(pk=item.pk).title == "Third"


def test_viewer_cannot_write(viewer: Persona, make_item: MakeItem, product: Product) -> None:
    item = make_item()
    with pytest.raises(Forbidden):
        services.item_create(actor=viewer.actor, product=product, title="No")
    with pytest.raises(Forbidden):
        services.item_update(actor=viewer.actor, item=item, title="No")
    with pytest.raises(Forbidden):
        services.item_delete(actor=viewer.actor, item=item)
    assert BacklogItem.objects.get().title == "An item"


def test_flagged_items_serve_no_goal(
    owner: Persona, make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    serving = make_item("Serving", goal=goal)
    orphan = make_item("Orphan")
    assert not is_flagged(serving)
    assert is_flagged(orphan)
    page = backlog_list(actor=owner.actor, product=product)
    assert {i.key: i.flagged for i in page.items} == {serving.key: False, orphan.key: True}  # type: ignore[attr-defined]
    flagged = backlog_list(actor=owner.actor, product=product, filters=BacklogFilters(flagged=True))
    assert [i.key for i in flagged.items] == [orphan.key]
    assert flag_reason() == "serves no Product Goal and solves no customer problem"


def test_filters(
    owner: Persona, developer: Persona, make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    bug = make_item("Chart legend overlaps", kind="bug", labels=["charts"])
    story = make_item("Share a dashboard link", goal=goal, assignee=developer.membership)
    make_item("Spike: columnar storage", kind="spike", status="in_progress")

    def keys(**filters: object) -> list[str]:
        page = backlog_list(
            actor=owner.actor,
            product=product,
            filters=BacklogFilters(**filters),  # type: ignore[arg-type]
        )
        return [item.key for item in page.items]

    assert keys(kind="bug") == [bug.key]
    assert keys(label="CHARTS") == [bug.key]
    assert keys(assignee="dev@acme.test") == [story.key]
    assert len(keys(assignee="none")) == 2
    assert keys(goal=goal.pk) == [story.key]
    assert keys(status="in_progress") == ["ACME-3"]
    assert keys(q="dashboard") == [story.key]
    assert keys(flagged=False) == [story.key]
    with pytest.raises(Invalid) as caught:
        keys(kind="saga")
    assert caught.value.errors[0].field == "kind"


def test_split_makes_children_after_the_parent(
    owner: Persona, developer: Persona, make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    epic = make_item("Self-serve dashboards", kind="epic", goal=goal, labels=["dashboards"])
    after = make_item("Something after")
    children = services.item_split(
        actor=developer.actor,
        item=epic,
        children=[ChildSpec(title="Drag widgets"), ChildSpec(title="Resize widgets", estimate=3)],
    )
    assert [c.kind for c in children] == [ItemKind.STORY, ItemKind.STORY]
    assert all(c.goal_id == goal.pk and c.parent_id == epic.pk for c in children)
    assert all([label.name for label in c.labels.all()] == ["dashboards"] for c in children)
    assert ordered_keys(product) == [epic.key, children[0].key, children[1].key, after.key]
    more = services.item_split(actor=owner.actor, item=epic, children=[ChildSpec(title="Undo")])
    assert ordered_keys(product)[3] == more[0].key
    task = services.item_split(actor=owner.actor, item=children[0], children=[ChildSpec("API")])
    assert task[0].kind == ItemKind.TASK


def test_split_refusals(owner: Persona, make_item: MakeItem) -> None:
    task = make_item("A task", kind="task")
    with pytest.raises(Invalid) as caught:
        services.item_split(actor=owner.actor, item=task, children=[ChildSpec(title="x")])
    assert caught.value.code == "split_invalid"
    story = make_item("A story")
    with pytest.raises(Invalid) as caught:
        services.item_split(actor=owner.actor, item=story, children=[])
    assert caught.value.errors[0].field == "children"
    with pytest.raises(Invalid) as caught:
        services.item_split(
            actor=owner.actor,
            item=story,
            children=[ChildSpec(title="ok"), ChildSpec(title="", kind="task")],
        )
    assert caught.value.errors[0].field == "children[1].title"
    with pytest.raises(Invalid) as caught:
        services.item_split(
            actor=owner.actor, item=story, children=[ChildSpec(title="x", kind="epic")]
        )
    assert caught.value.errors[0].field == "children[0].kind"
    assert BacklogItem.objects.count() == 2


def test_convert_task_to_story_and_back(owner: Persona, make_item: MakeItem) -> None:
    epic = make_item("Epic", kind="epic")
    story = make_item("Story", kind="story", parent=epic)
    task = make_item("Task", kind="task", parent=story)
    services.item_convert(actor=owner.actor, item=task, kind="story")
    task.refresh_from_db()
    # A story cannot sit under a story: it moved up to the epic.
    assert (task.kind, task.parent_id) == (ItemKind.STORY, epic.pk)
    services.item_convert(actor=owner.actor, item=task, kind="task")
    task.refresh_from_db()
    assert (task.kind, task.parent_id) == (ItemKind.TASK, None)
    make_item("Subtask", kind="task", parent=story)
    with pytest.raises(Invalid) as caught:
        services.item_convert(actor=owner.actor, item=story, kind="task")
    assert caught.value.code == "children_kind"


def test_duplicate(
    owner: Persona, make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    original = make_item(
        "Usage alerts", goal=goal, labels=["alerts"], estimate=5, acceptance_criteria=["Email"]
    )
    last = make_item("Last")
    copy = services.item_duplicate(actor=owner.actor, item=original)
    assert copy.title == "Usage alerts (copy)"
    assert (copy.goal_id, copy.estimate, copy.acceptance_criteria) == (goal.pk, 5, ["Email"])
    assert [label.name for label in copy.labels.all()] == ["alerts"]
    assert copy.status == ItemStatus.NEW
    assert ordered_keys(product) == [original.key, copy.key, last.key]


def test_delete_and_restore_in_place(owner: Persona, make_item: MakeItem, product: Product) -> None:
    a, b, c = make_item("A"), make_item("B"), make_item("C")
    services.item_delete(actor=owner.actor, item=b)
    assert ordered_keys(product) == [a.key, c.key]
    services.item_restore(actor=owner.actor, item=b)
    assert ordered_keys(product) == [a.key, b.key, c.key]


def test_restore_when_its_rank_was_taken(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    a, b = make_item("A"), make_item("B")
    services.item_delete(actor=owner.actor, item=b)
    newcomer = make_item("Newcomer")  # gets the bottom key b used to have
    assert newcomer.rank == b.rank
    services.item_restore(actor=owner.actor, item=b)
    assert ordered_keys(product) == [a.key, newcomer.key, b.key]


def test_delete_refuses_items_with_children(owner: Persona, make_item: MakeItem) -> None:
    epic = make_item("Epic", kind="epic")
    story = make_item("Story", parent=epic)
    with pytest.raises(Conflict):
        services.item_delete(actor=owner.actor, item=epic)
    services.item_delete(actor=owner.actor, item=story)
    services.item_delete(actor=owner.actor, item=epic)
    with pytest.raises(Conflict) as caught:
        services.item_restore(actor=owner.actor, item=story)
    assert caught.value.code == "parent_in_trash"
    services.item_restore(actor=owner.actor, item=epic)
    services.item_restore(actor=owner.actor, item=story)
    assert BacklogItem.objects.count() == 2


def test_no_access_across_workspaces(outsider: Persona, make_item: MakeItem) -> None:
    from lodestar.backlog.access import access_item

    item = make_item()
    with pytest.raises(NotFound):
        access_item(outsider.actor, item.key)


def test_markdown_is_stored_rendered_on_every_write(owner: Persona, make_item: MakeItem) -> None:
    item = make_item(
        "Epic", kind=ItemKind.EPIC, description="*one*", acceptance_criteria=["**done**"]
    )
    assert item.description_html == "<p><em>one</em></p>\n"
    assert item.acceptance_criteria_html == ["<p><strong>done</strong></p>\n"]

    services.item_update(
        actor=owner.actor, item=item, description="<script>x()</script>two", acceptance_criteria=[]
    )
    stored = BacklogItem.objects.get(pk=item.pk)
    assert "<script" not in stored.description_html
    assert "two" in stored.description_html
    assert stored.acceptance_criteria_html == []

    (child,) = services.item_split(
        actor=owner.actor,
        item=stored,
        children=[ChildSpec(title="Child", description="`code`", acceptance_criteria=["a"])],
    )
    child = BacklogItem.objects.get(pk=child.pk)
    assert child.description_html == "<p><code>code</code></p>\n"
    assert child.acceptance_criteria_html == ["<p>a</p>\n"]

    copy = BacklogItem.objects.get(pk=services.item_duplicate(actor=owner.actor, item=child).pk)
    assert (copy.description_html, copy.acceptance_criteria_html) == (
        child.description_html,
        child.acceptance_criteria_html,
    )
