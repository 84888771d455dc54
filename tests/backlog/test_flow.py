"""The flow table: every status change of an item, written by every path that sets a status,
rebuilt from history, and the flow metrics read from it."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from lodestar.backlog import services
from lodestar.backlog.flow import selectors as flow
from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.flow.replay import Entry, moves
from lodestar.backlog.flow.services import status_changes_rebuild
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.services import BulkChange, ChildSpec, ItemSpec
from lodestar.core.errors import Invalid
from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _moves(item: BacklogItem) -> list[tuple[str, str]]:
    return list(
        ItemStatusChange.objects.filter(item=item)
        .order_by("at", "id")
        .values_list("from_status", "to_status")
    )


def test_creating_and_updating_record_each_status(owner: Persona, make_item: MakeItem) -> None:
    item = make_item("Export", status="new")
    services.item_update(actor=owner.actor, item=item, status="in_progress")
    services.item_update(actor=owner.actor, item=item, title="Export faster")
    services.item_update(actor=owner.actor, item=item, status="done")
    assert _moves(item) == [("", "new"), ("new", "in_progress"), ("in_progress", "done")]
    done = ItemStatusChange.objects.get(item=item, to_status="done")
    assert done.cycle_seconds is not None
    assert done.actor == owner.user
    assert done.day == timezone.localdate(done.at)


def test_a_refused_status_writes_no_change(owner: Persona, make_item: MakeItem) -> None:
    item = make_item("Export")
    with pytest.raises(Invalid):
        services.item_update(actor=owner.actor, item=item, status="finished")
    assert _moves(item) == [("", "new")]


def test_bulk_changes_and_imports_record_statuses(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    first, second = make_item("One"), make_item("Two")
    services.items_update_many(
        actor=owner.actor,
        product=product,
        items=[first, second],
        change=BulkChange(status="in_progress"),
    )
    services.items_update_many(
        actor=owner.actor, product=product, items=[first], change=BulkChange(status="done")
    )
    assert _moves(first) == [("", "new"), ("new", "in_progress"), ("in_progress", "done")]
    assert ItemStatusChange.objects.get(item=first, to_status="done").cycle_seconds is not None
    long_ago = dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC)
    imported = services.items_create_many(
        actor=owner.actor,
        product=product,
        specs=[ItemSpec("Old", status="done", created_at=long_ago)],
        check_readiness=False,
    )[0]
    change = ItemStatusChange.objects.get(item=imported)
    assert (change.from_status, change.to_status, change.at, change.day) == (
        "",
        "done",
        long_ago,
        dt.date(2024, 5, 6),
    )


def test_splits_and_duplicates_start_new(owner: Persona, make_item: MakeItem) -> None:
    epic = make_item("Epic", kind="epic")
    child = services.item_split(actor=owner.actor, item=epic, children=[ChildSpec("Part")])[0]
    copy = services.item_duplicate(actor=owner.actor, item=child)
    assert _moves(child) == [("", "new")]
    assert _moves(copy) == [("", "new")]


def test_replay_reads_statuses_from_history() -> None:
    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    entries = [
        Entry(1, t, "created", {"status": "ready"}, 7),
        Entry(1, t + DAY, "updated", {"title": ["a", "b"]}, 7),
        Entry(1, t + 2 * DAY, "updated", {"status": ["ready", "in_progress"]}, 8),
        Entry(1, t + 5 * DAY, "updated", {"status": ["in_progress", "done"]}, 8),
        Entry(2, t, "created", {"title": "split child"}, None),
        Entry(2, t + DAY, "updated", {"status": ["new", "done"]}, None),
    ]
    assert [(m.item_id, m.from_status, m.to_status, m.cycle_seconds) for m in moves(entries)] == [
        (1, "", "ready", None),
        (1, "ready", "in_progress", None),
        (1, "in_progress", "done", 3 * 86400),
        (2, "", "new", None),
        (2, "new", "done", None),
    ]


def test_the_migration_backfills_from_history(owner: Persona, make_item: MakeItem) -> None:
    item = make_item("Export")
    services.item_update(actor=owner.actor, item=item, status="in_progress")
    services.item_update(actor=owner.actor, item=item, status="done")
    expected = _moves(item)
    ItemStatusChange.objects.all().delete()
    migration = importlib.import_module("lodestar.backlog.migrations.0008_item_status_change")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert _moves(item) == expected
    assert ItemStatusChange.objects.get(to_status="done").cycle_seconds is not None


def test_rebuilding_follows_rewritten_history_dates(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    item = make_item("Export")
    services.item_update(actor=owner.actor, item=item, status="in_progress")
    services.item_update(actor=owner.actor, item=item, status="done")
    base = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)
    when = {}
    entries = HistoryEntry.objects.filter(object_type="backlog.backlogitem", object_id=item.pk)
    for offset, entry in enumerate(entries.order_by("id")):
        entry.created_at = base + offset * 2 * DAY
        entry.save(update_fields=["created_at"])
        status = entry.changes.get("status")
        if isinstance(status, list):
            when[status[1]] = entry.created_at
    assert status_changes_rebuild(product_id=product.pk) == 3
    done = ItemStatusChange.objects.get(item=item, to_status="done")
    assert (done.at, done.cycle_seconds) == (
        when["done"],
        (when["done"] - when["in_progress"]).total_seconds(),
    )


# -- metrics ------------------------------------------------------------------------------------


def _history(item: BacklogItem, *steps: tuple[str, str, dt.datetime]) -> None:
    ItemStatusChange.objects.filter(item=item).delete()
    started = None
    for before, after, at in steps:
        if after == "in_progress" and started is None:
            started = at
        ItemStatusChange.objects.create(
            workspace_id=item.workspace_id,
            product_id=item.product_id,
            item=item,
            from_status=before,
            to_status=after,
            at=at,
            day=at.date(),
            cycle_seconds=int((at - started).total_seconds())
            if after == "done" and started
            else None,
        )
    BacklogItem.all_objects.filter(pk=item.pk).update(status=steps[-1][1])


def test_flow_metrics_are_exact(
    make_item: MakeItem, product: Product, django_assert_max_num_queries: object
) -> None:
    monday = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    a, b, c, d = (make_item(name) for name in "ABCD")
    _history(
        a,
        ("", "new", monday),
        ("new", "in_progress", monday),
        ("in_progress", "done", monday + 2 * DAY),
    )
    _history(
        b,
        ("", "new", monday),
        ("new", "in_progress", monday + DAY),
        ("in_progress", "done", monday + 5 * DAY),
    )
    _history(c, ("", "new", monday), ("new", "done", monday + DAY))
    _history(d, ("", "new", monday), ("new", "in_progress", monday + 3 * DAY))
    start, end = monday.date(), monday.date() + 6 * DAY
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        result = flow.flow_metrics(product_id=product.pk, start=start, end=end)
    assert [n for _, n in result.throughput] == [0, 1, 1, 0, 0, 1, 0]
    assert result.cycle_times.count == 2
    assert [(p.percentile, p.days) for p in result.cycle_times.percentiles] == [
        (50, 2.0),
        (70, 4.0),
        (85, 4.0),
        (95, 4.0),
    ]
    assert [w.key for w in result.work_in_progress] == [d.key]
    assert result.work_in_progress[0].started_at == monday + 3 * DAY
    by_day = {row.day: row.counts for row in result.cumulative}
    assert by_day[start] == {"new": 3, "ready": 0, "in_progress": 1, "done": 0, "wont_do": 0}
    assert by_day[start + DAY]["done"] == 1
    assert by_day[end] == {"new": 0, "ready": 0, "in_progress": 1, "done": 3, "wont_do": 0}
    weekly = flow.throughput(product_id=product.pk, start=start, end=end, period="week")
    assert weekly == [(start, 3)]


def test_a_subset_of_items_has_its_own_flow(make_item: MakeItem, product: Product) -> None:
    monday = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    a, b = make_item("A"), make_item("B")
    _history(a, ("", "new", monday), ("new", "done", monday))
    _history(b, ("", "new", monday), ("new", "done", monday))
    only_a = BacklogItem.objects.filter(pk=a.pk).values("pk")
    result = flow.throughput(
        product_id=product.pk, start=monday.date(), end=monday.date(), items=only_a
    )
    assert result == [(monday.date(), 1)]
