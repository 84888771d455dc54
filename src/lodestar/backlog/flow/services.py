"""Writing the flow table: called by the backlog's services in their transaction, never by
another context (which reads it through ``backlog.flow.selectors``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Min
from django.utils import timezone

from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.flow.replay import Entry, cycle_seconds, moves
from lodestar.backlog.models import BacklogItem
from lodestar.core.db import bulk_insert, insert_plain_rows
from lodestar.core.models import HistoryEntry

IN_PROGRESS = "in_progress"
DONE = "done"
ITEM_TYPE = "backlog.backlogitem"


@dataclass(frozen=True)
class StatusMove:
    """An item (saved) went from ``from_status`` ("" when just created) to ``to_status``."""

    item: Any
    from_status: str
    to_status: str
    actor: Any = None
    at: dt.datetime | None = None


def _first_starts(item_ids: list[int]) -> dict[int, dt.datetime]:
    if not item_ids:
        return {}
    rows = (
        ItemStatusChange.objects.filter(item_id__in=item_ids, to_status=IN_PROGRESS)
        .values("item_id")
        .annotate(first=Min("at"))
    )
    return {row["item_id"]: row["first"] for row in rows}


def status_changes_record(changes: Sequence[StatusMove]) -> int:
    """Store ``changes`` in one insert (``core.db.insert_plain_rows``; and, when some finish
    items, one query for when those items first started); returns how many were stored."""
    changes = [change for change in changes if change.from_status != change.to_status]
    if not changes:
        return 0
    now = timezone.now()
    days: dict[dt.datetime, dt.date] = {}
    starts = _first_starts(
        sorted({change.item.pk for change in changes if change.to_status == DONE})
    )
    rows: list[tuple[Any, ...]] = []
    for change in changes:
        at = change.at or now
        if change.to_status == IN_PROGRESS:
            starts.setdefault(change.item.pk, at)
        day = days.get(at)
        if day is None:  # an import's moves share their dates: each is converted once
            day = days[at] = timezone.localdate(at)
        rows.append(
            (
                change.item.workspace_id,
                change.item.product_id,
                change.item.pk,
                change.from_status,
                change.to_status,
                at,
                day,
                (
                    cycle_seconds(starts.get(change.item.pk), at)
                    if change.to_status == DONE
                    else None
                ),
                getattr(change.actor, "pk", None),
            )
        )
    return len(insert_plain_rows(ItemStatusChange, _COLUMNS, rows))


# What ``status_changes_record`` writes of each move, in the order of its rows.
_COLUMNS = [
    "workspace_id",
    "product_id",
    "item_id",
    "from_status",
    "to_status",
    "at",
    "day",
    "cycle_seconds",
    "actor_id",
]


def status_change_of(
    item: Any, action: str, changes: dict[str, Any], actor: Any, at: dt.datetime | None = None
) -> StatusMove | None:
    """The status change a history record of ``item`` makes, if any: a created item starts in
    its status; an update whose changes name ``status`` moves it."""
    if action == HistoryEntry.Action.CREATED:
        return StatusMove(item, "", str(item.status), actor, at)
    recorded = changes.get("status")
    if isinstance(recorded, list | tuple) and len(recorded) == 2:
        return StatusMove(item, str(recorded[0]), str(recorded[1]), actor, at)
    return None


def status_changes_rebuild(*, product_id: int) -> int:
    """Write the product's status changes again from its items' history (after the history's
    dates were rewritten, as the demo does); returns how many there are."""
    items = dict(
        BacklogItem.all_objects.filter(product_id=product_id).values_list("pk", "workspace_id")
    )
    ItemStatusChange.objects.filter(product_id=product_id).delete()
    entries = (
        HistoryEntry.objects.filter(object_type=ITEM_TYPE, object_id__in=list(items))
        .order_by("object_id", "created_at", "id")
        .values_list("object_id", "created_at", "action", "changes", "actor_id")
    )
    rows = [
        ItemStatusChange(
            workspace_id=items[move.item_id],
            product_id=product_id,
            item_id=move.item_id,
            from_status=move.from_status,
            to_status=move.to_status,
            at=move.at,
            day=timezone.localdate(move.at),
            cycle_seconds=move.cycle_seconds,
            actor_id=move.actor_id,
        )
        for move in moves(Entry(*entry) for entry in entries)
    ]
    return len(bulk_insert(ItemStatusChange, rows))
