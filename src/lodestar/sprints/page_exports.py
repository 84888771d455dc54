"""A team's sprints and a sprint's items as CSV files: the rows each page lists."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import csv_response, export_filename
from lodestar.people.models import Team
from lodestar.people.web import WorkspaceRequest
from lodestar.sprints.models import Sprint, SprintItem

SPRINT_HEADER = (
    "Sprint", "State", "Start", "End", "Goal", "Goal met", "Items", "URL",
)  # fmt: skip
ITEM_HEADER = (
    "Key", "Item", "Status", "Points", "Outcome", "Assignee", "Added after the start",
    "Carried from", "URL",
)  # fmt: skip


def sprints_csv(
    request: WorkspaceRequest, team: Team, groups: Sequence[tuple[str, list[tuple[Sprint, int]]]]
) -> StreamingHttpResponse:
    """The team's sprints as its page groups them (active, planned, closed), with their item
    counts."""
    url = request.build_absolute_uri(reverse("sprints:report", args=[request.workspace.slug, 0]))
    lines = (
        [
            sprint.name,
            label,
            sprint.start_date,
            sprint.end_date,
            sprint.goal,
            sprint.goal_met,
            count,
            f"{url[:-1]}{sprint.pk}",
        ]
        for label, sprints in groups
        for sprint, count in sprints
    )
    return csv_response(export_filename(team.slug, "sprints"), SPRINT_HEADER, lines)


def sprint_items_csv(
    request: WorkspaceRequest, sprint: Sprint, entries: QuerySet[SprintItem]
) -> StreamingHttpResponse:
    """The sprint's items in backlog order, as its report lists them."""
    url = request.build_absolute_uri(
        reverse("backlog:item_detail", args=[request.workspace.slug, "__key__"])
    )
    lines = (
        [
            entry.item.key,
            entry.item.title,
            entry.item.get_status_display(),
            entry.item.estimate,
            entry.get_outcome_display() if entry.outcome else "Open",
            entry.item.assignee.user.display_name if entry.item.assignee else "",
            entry.added_after_start,
            entry.carried_from.name if entry.carried_from else "",
            url.replace("__key__", entry.item.key),
        ]
        for entry in entries.iterator(chunk_size=500)
    )
    return csv_response(export_filename(sprint.team.slug, sprint.name, "items"), ITEM_HEADER, lines)
