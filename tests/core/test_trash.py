"""The trash services and the purge task, on real backlog item rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from lodestar.backlog.models import BacklogItem, Label
from lodestar.core import trash
from lodestar.core.errors import Forbidden, Invalid, NotFound, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import ObjectType, Plugin, registry
from lodestar.core.tasks import purge_trash
from lodestar.core.trash import (
    TrashErrorCode,
    access_trashed,
    purge_trashed_before,
    trash_list,
    trash_move,
    trash_restore,
)
from lodestar.people.models import Workspace
from tests.conftest import Persona
from tests.core.conftest import MakeItem, days_ago

pytestmark = pytest.mark.django_db


def _history(item: BacklogItem) -> list[str]:
    return list(
        HistoryEntry.objects.filter(object_type="backlog.backlogitem", object_id=item.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


# -- move ----------------------------------------------------------------------------------------


def test_move_hides_the_item_and_records_who_and_when(
    workspace: Workspace, developer: Persona, make_item: MakeItem
) -> None:
    item = make_item(workspace, "Export to CSV")
    before = timezone.now()
    trash_move(actor=developer.actor, obj=item)

    stored = BacklogItem.all_objects.get(pk=item.pk)
    assert stored.deleted_at is not None
    assert before <= stored.deleted_at <= timezone.now()
    assert stored.deleted_by_id == developer.user.pk
    assert stored.version == 2
    assert not BacklogItem.objects.filter(pk=item.pk).exists()
    entry = HistoryEntry.objects.get(object_id=item.pk, action=HistoryEntry.Action.DELETED)
    assert entry.actor_id == developer.user.pk
    assert entry.workspace_id == workspace.pk
    assert entry.object_label == "ACME-1 Export to CSV"
    assert entry.changes["deleted_at"][0] is None


def test_a_viewer_cannot_move_to_trash(
    workspace: Workspace, viewer: Persona, make_item: MakeItem
) -> None:
    item = make_item(workspace)
    with pytest.raises(Forbidden):
        trash_move(actor=viewer.actor, obj=item)
    assert BacklogItem.objects.filter(pk=item.pk, version=1).exists()
    assert _history(item) == []


def test_moving_another_workspaces_object_is_not_found(
    other_workspace: Workspace, owner: Persona, make_item: MakeItem
) -> None:
    foreign = make_item(other_workspace)
    with pytest.raises(NotFound):
        trash_move(actor=owner.actor, obj=foreign)
    assert BacklogItem.objects.filter(pk=foreign.pk).exists()


def test_moving_twice_is_refused(workspace: Workspace, owner: Persona, make_item: MakeItem) -> None:
    item = make_item(workspace)
    trash_move(actor=owner.actor, obj=item)
    stale_copy = BacklogItem.all_objects.get(pk=item.pk)
    with pytest.raises(Invalid) as refused:
        trash_move(actor=owner.actor, obj=stale_copy)
    assert refused.value.code == TrashErrorCode.ALREADY_IN_TRASH
    assert refused.value.errors[0].field == "id"
    assert _history(item) == ["deleted"]


def test_moving_a_stale_version_is_refused(
    workspace: Workspace, owner: Persona, make_item: MakeItem
) -> None:
    item = make_item(workspace)
    BacklogItem.objects.filter(pk=item.pk).update(version=2, title="Changed meanwhile")
    with pytest.raises(StaleVersion):
        trash_move(actor=owner.actor, obj=item, expected_version=1)
    assert BacklogItem.objects.filter(pk=item.pk).exists()


def test_a_model_that_does_not_go_to_the_trash_cannot_be_trashed(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    trash_registry: Callable[..., ObjectType],
) -> None:
    item = make_item(workspace)
    item_type = registry().object_type("item")
    assert item_type is not None
    registry().replace(replace(item_type, trash=None))
    with pytest.raises(LookupError, match="does not go to the trash"):
        trash_move(actor=owner.actor, obj=item)
    assert BacklogItem.objects.get(pk=item.pk).version == 1


# -- restore -------------------------------------------------------------------------------------


def test_restore_brings_the_item_back(
    workspace: Workspace, owner: Persona, developer: Persona, make_item: MakeItem
) -> None:
    item = make_item(workspace)
    trash_move(actor=owner.actor, obj=item)
    trash_restore(actor=developer.actor, obj=item)

    stored = BacklogItem.objects.get(pk=item.pk)
    assert stored.deleted_at is None
    assert stored.deleted_by is None
    assert stored.version == 3
    assert _history(item) == ["deleted", "restored"]
    restored = HistoryEntry.objects.get(object_id=item.pk, action=HistoryEntry.Action.RESTORED)
    assert restored.actor_id == developer.user.pk
    assert restored.changes["deleted_at"][1] is None


def test_restoring_what_is_not_in_the_trash_is_refused(
    workspace: Workspace, owner: Persona, make_item: MakeItem
) -> None:
    item = make_item(workspace)
    with pytest.raises(Invalid) as refused:
        trash_restore(actor=owner.actor, obj=item)
    assert refused.value.code == TrashErrorCode.NOT_IN_TRASH
    assert refused.value.errors[0].field == "id"
    assert BacklogItem.objects.get(pk=item.pk).version == 1


@pytest.mark.parametrize(
    ("age_days", "restorable"),
    [(settings.TRASH_RETENTION_DAYS - 0.01, True), (settings.TRASH_RETENTION_DAYS + 0.01, False)],
)
def test_restore_only_within_the_retention_period(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    age_days: float,
    restorable: bool,
) -> None:
    item = make_item(workspace, deleted_at=days_ago(age_days), deleted_by=owner.user)
    if restorable:
        trash_restore(actor=owner.actor, obj=item)
        assert BacklogItem.objects.filter(pk=item.pk).exists()
    else:
        with pytest.raises(Invalid) as refused:
            trash_restore(actor=owner.actor, obj=item)
        assert refused.value.code == TrashErrorCode.EXPIRED
        assert "30 days" in refused.value.detail
        assert not BacklogItem.objects.filter(pk=item.pk).exists()


def test_a_viewer_cannot_restore(
    workspace: Workspace, owner: Persona, viewer: Persona, make_item: MakeItem
) -> None:
    item = make_item(workspace, deleted_at=days_ago(1), deleted_by=owner.user)
    with pytest.raises(Forbidden):
        trash_restore(actor=viewer.actor, obj=item)
    assert not BacklogItem.objects.filter(pk=item.pk).exists()


def test_restore_hook_can_change_fields_or_refuse(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    trash_registry: Callable[..., ObjectType],
) -> None:
    calls: list[int] = []

    def give_fresh_rank(actor: Any, item: BacklogItem) -> list[str]:
        calls.append(item.pk)
        if item.title == "refuse":
            raise Invalid.field("id", "cannot come back")
        item.rank = "Zz"
        return ["rank"]

    trash_registry(on_restore=give_fresh_rank)
    item = make_item(workspace, deleted_at=days_ago(1), deleted_by=owner.user)
    trash_restore(actor=owner.actor, obj=item)
    assert BacklogItem.objects.get(pk=item.pk).rank == "Zz"

    refused = make_item(workspace, "refuse", deleted_at=days_ago(1), deleted_by=owner.user)
    with pytest.raises(Invalid):
        trash_restore(actor=owner.actor, obj=refused)
    stored = BacklogItem.all_objects.get(pk=refused.pk)
    assert stored.deleted_at is not None
    assert stored.version == 1
    assert calls == [item.pk, refused.pk]


def test_access_trashed_finds_only_this_workspaces_rows(
    workspace: Workspace, other_workspace: Workspace, owner: Persona, make_item: MakeItem
) -> None:
    mine = make_item(workspace, deleted_at=days_ago(1))
    foreign = make_item(other_workspace, deleted_at=days_ago(1))
    assert access_trashed(owner.actor, "item", mine.pk).pk == mine.pk
    for type_name, object_id in [("item", foreign.pk), ("item", 10**9), ("sprint", mine.pk)]:
        with pytest.raises(NotFound):
            access_trashed(owner.actor, type_name, object_id)


def test_registry_rules(trash_registry: Callable[..., ObjectType]) -> None:
    item_type = registry().object_type("item")
    assert item_type is not None
    with pytest.raises(TypeError, match="not a TrashableModel"):
        registry().replace(replace(item_type, name="label", model=Label))
    assert "item" in [entry.name for entry in trash.trashable_types()]
    assert "label" not in [entry.name for entry in trash.trashable_types()]
    # A second type of one model, or a second type of one name, is refused.
    with pytest.raises(ValueError, match="already declared as an object type"):
        registry().install(Plugin(name="again", objects=[replace(item_type, name="other")]))
    with pytest.raises(ValueError, match="already declared"):
        registry().install(Plugin(name="again", objects=[item_type]))
    with pytest.raises(LookupError, match="does not go to the trash"):
        trash.trashable_for(Workspace)


def test_workspace_may_be_reached_through_a_relation(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    trash_registry: Callable[..., ObjectType],
) -> None:
    trash_registry(workspace="product__workspace", select_related=("product",))
    item = make_item(workspace)
    trash_move(actor=owner.actor, obj=item)
    assert [row.id for row in trash_list(actor=owner.actor).items] == [item.pk]
    assert access_trashed(owner.actor, "item", item.pk).pk == item.pk


# -- list ----------------------------------------------------------------------------------------


def test_list_is_newest_first_and_only_this_workspace(
    workspace: Workspace,
    other_workspace: Workspace,
    owner: Persona,
    viewer: Persona,
    make_item: MakeItem,
) -> None:
    old = make_item(workspace, "old", deleted_at=days_ago(5), deleted_by=owner.user)
    new = make_item(workspace, "new", deleted_at=days_ago(1), deleted_by=owner.user)
    expired = make_item(workspace, "expired", deleted_at=days_ago(40))
    make_item(workspace, "live")
    make_item(other_workspace, "foreign", deleted_at=days_ago(1))

    page = trash_list(actor=viewer.actor)
    assert [row.id for row in page.items] == [new.pk, old.pk, expired.pk]
    assert page.next_cursor is None
    first = page.items[0]
    assert first.type == "item"
    assert first.label == "ACME-2 new"
    assert first.deleted_by == owner.user
    assert first.restore_until == new.deleted_at + dt.timedelta(days=30)
    assert first.restorable
    assert not page.items[2].restorable


def test_list_pages_across_types_with_a_cursor(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    trash_registry: Callable[..., ObjectType],
) -> None:
    # A second type over the same table (set in by hand: declaring refuses a model twice):
    # every trashed row shows up once per type, which exercises the merge of several queries
    # into one order.
    item_type = trash_registry()
    registry()._types["zeta"] = replace(item_type, name="zeta", title=str)
    same_moment = days_ago(2)
    items = [make_item(workspace, f"item {i}", deleted_at=same_moment) for i in range(3)]
    items += [make_item(workspace, f"later {i}", deleted_at=days_ago(1 - i / 10)) for i in range(4)]

    expected = sorted(
        ((item.deleted_at, name, item.pk) for item in items for name in ("item", "zeta")),
        key=lambda t: (-t[0].timestamp(), t[1], -t[2]),
    )
    seen: list[tuple[dt.datetime, str, int]] = []
    cursor = None
    pages = 0
    while True:
        page = trash_list(actor=owner.actor, cursor=cursor, limit=3)
        seen += [(row.deleted_at, row.type, row.id) for row in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    assert pages == 5


def test_list_query_count_does_not_grow_with_the_page(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(30):
        make_item(workspace, f"item {i}", deleted_at=days_ago(1 + i / 100), deleted_by=owner.user)
    # One query per trashable type, whatever the page size.
    with django_assert_max_num_queries(len(trash.trashable_types())):
        page = trash_list(actor=owner.actor, limit=25)
        labels = [row.label for row in page.items]
        users = [row.deleted_by.email for row in page.items]
    assert len(labels) == 25
    assert set(users) == {owner.email}


@pytest.mark.parametrize(
    ("cursor", "limit", "field"),
    [
        ("not-a-cursor", None, "cursor"),
        ("WyJ4IiwiaXRlbSIsMV0", None, "cursor"),  # ["x","item",1]
        ("WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwiaXRlbSIsMV0", None, "cursor"),  # naive time
        ("WzFd", None, "cursor"),  # [1]
        (None, 0, "limit"),
        (None, 501, "limit"),
    ],
)
def test_list_refuses_bad_cursor_and_limit(
    owner: Persona, trash_registry: object, cursor: str | None, limit: int | None, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        trash_list(actor=owner.actor, cursor=cursor, limit=limit)
    assert refused.value.errors[0].field == field


# -- purge ---------------------------------------------------------------------------------------


def test_purge_deletes_only_what_is_past_the_cutoff_in_batches(
    workspace: Workspace, owner: Persona, make_item: MakeItem
) -> None:
    cutoff = days_ago(30)
    old = [make_item(workspace, f"old {i}", deleted_at=days_ago(31 + i)) for i in range(5)]
    recent = make_item(workspace, "recent", deleted_at=days_ago(29))
    live = make_item(workspace, "live")

    assert purge_trashed_before(cutoff, batch_size=2) == 5

    remaining = set(BacklogItem.all_objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, live.pk}
    purged = HistoryEntry.objects.filter(action=HistoryEntry.Action.PURGED)
    assert sorted(purged.values_list("object_id", flat=True)) == sorted(i.pk for i in old)
    assert {entry.workspace_id for entry in purged} == {workspace.pk}
    assert {entry.actor_id for entry in purged} == {None}
    assert purged.get(object_id=old[0].pk).object_label == "ACME-1 old 0"
    assert purge_trashed_before(cutoff) == 0


def test_purge_trash_task_runs_with_the_retention_period(
    workspace: Workspace, make_item: MakeItem
) -> None:
    now = timezone.now()
    gone = make_item(workspace, deleted_at=now - dt.timedelta(days=10))
    kept = make_item(workspace, deleted_at=now - dt.timedelta(days=5))
    # Twenty-five days on, the first has been in the trash for 35 days, the second for 30.
    later = (now + dt.timedelta(days=25, seconds=-1)).isoformat()

    result = purge_trash.enqueue(now=later)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert not BacklogItem.all_objects.filter(pk=gone.pk).exists()
    assert BacklogItem.all_objects.filter(pk=kept.pk).exists()


def test_purge_trash_task_defaults_to_now(workspace: Workspace, make_item: MakeItem) -> None:
    make_item(workspace, deleted_at=days_ago(31))
    make_item(workspace, deleted_at=days_ago(29))
    assert purge_trash.call() == 1


def test_purge_trash_task_refuses_a_time_without_zone(trash_registry: object) -> None:
    with pytest.raises(ValueError, match="time zone"):
        purge_trash.call(now="2026-01-01T00:00:00")
