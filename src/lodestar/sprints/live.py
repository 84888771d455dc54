"""What a sprint's board polls (``core.live``): a stamp read in one query that changes whenever
the board's cards do, and, only when it did, who changed them last.

The stamp is the sprint's own version (started, closed, its goal changed), how many items it
holds (one added or taken out) and the newest ``updated_at`` of those items (a card moved, an
item edited, assigned, trashed or restored: every backlog write bumps it).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Subquery

from lodestar.backlog.models import BacklogItem
from lodestar.core.live import LastChange, latest, newest, object_last_change
from lodestar.core.models import HistoryEntry
from lodestar.sprints.models import Sprint, SprintItem


def board_stamp(sprint: Sprint) -> tuple[Any, ...]:
    """The stamp of ``sprint``'s board, as read by ``access_sprint`` plus one aggregate."""
    found = SprintItem.objects.filter(sprint_id=sprint.pk).aggregate(
        n=Count("id"), at=Max("item__updated_at")
    )
    return (sprint.pk, sprint.version, found["n"], found["at"])


def board_last_change(sprint: Sprint) -> LastChange | None:
    """Who changed the sprint, or its most recently changed item, last."""
    newest_item = (
        SprintItem.objects.filter(sprint_id=sprint.pk)
        .order_by("-item__updated_at", "-item_id")
        .values("item_id")[:1]
    )
    item = latest(
        HistoryEntry.objects.filter(
            workspace_id=sprint.workspace_id,
            object_type=BacklogItem._meta.label_lower,
            object_id=Subquery(newest_item),
        )
    )
    return newest([item, object_last_change(sprint)])
