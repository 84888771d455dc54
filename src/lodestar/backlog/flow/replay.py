"""Status changes read back from recorded history (no Django import): how the flow table is
filled for items that changed before it existed, and rebuilt after the demo dates its history.

A history entry of an item carries ``status`` as the value it was created with (``created``)
or as ``[before, after]`` (``updated``); an item created without one (a split, a duplicate)
started as ``new``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

NEW = "new"
IN_PROGRESS = "in_progress"
DONE = "done"


@dataclass(frozen=True)
class Entry:
    """One history entry of an item, as stored."""

    item_id: int
    at: dt.datetime
    action: str
    changes: dict[str, Any]
    actor_id: int | None


@dataclass(frozen=True)
class Move:
    """One status change, as the flow table stores it."""

    item_id: int
    from_status: str
    to_status: str
    at: dt.datetime
    actor_id: int | None
    cycle_seconds: int | None


def cycle_seconds(started: dt.datetime | None, finished: dt.datetime) -> int | None:
    """Seconds from the first start to a finish (None when the item never started)."""
    if started is None:
        return None
    return max(0, int((finished - started).total_seconds()))


def moves(entries: Iterable[Entry]) -> Iterator[Move]:
    """The status changes that ``entries`` (ordered by item, then time) record."""
    item_id: int | None = None
    status = ""
    started: dt.datetime | None = None
    for entry in entries:
        if entry.item_id != item_id:
            item_id, status, started = entry.item_id, "", None
        recorded = entry.changes.get("status")
        if entry.action == "created":
            after = recorded if isinstance(recorded, str) else NEW
        elif isinstance(recorded, list) and len(recorded) == 2:
            after = recorded[1]
        else:
            continue
        if not isinstance(after, str) or after == status:
            continue
        if after == IN_PROGRESS and started is None:
            started = entry.at
        yield Move(
            item_id=entry.item_id,
            from_status=status,
            to_status=after,
            at=entry.at,
            actor_id=entry.actor_id,
            cycle_seconds=cycle_seconds(started, entry.at) if after == DONE else None,
        )
        status = after
