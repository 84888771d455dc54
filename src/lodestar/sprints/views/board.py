"""The board of an active sprint: its items in columns by status, in swimlanes by assignee or
by epic; a card moved (dragged, or with the keyboard) changes its item's status through the
backlog's service with the version the page showed, so a card someone else changed meanwhile
is not overwritten: the page says so and shows the board as it is now. Work-in-progress
limits per column warn when a column holds more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.refs import item_ref
from lodestar.core.errors import Invalid, StaleVersion, error_sentence
from lodestar.core.live import etag, poll_answer, poll_attributes, when
from lodestar.core.points import format_points
from lodestar.people.web import WorkspaceRequest, error_response, is_htmx, workspace_view
from lodestar.sprints import selectors, services
from lodestar.sprints.access import access_sprint
from lodestar.sprints.live import board_last_change, board_stamp
from lodestar.sprints.models import Sprint, SprintItem, SprintState
from lodestar.sprints.views._common import answer, may_change, sprint_url

COLUMNS = services.BOARD_STATUSES
LANES = {"none": "No swimlanes", "assignee": "By assignee", "epic": "By epic"}
# Stands for an item's key in the one item address reversed for every card.
KEY_MARK = "KEY-0"


@dataclass
class Column:
    status: str
    label: str
    limit: int | None
    count: int = 0
    cards: list[BacklogItem] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.count > self.limit


@dataclass
class Lane:
    key: str
    label: str
    cells: list[Column]
    count: int = 0


def _epic(item: BacklogItem) -> BacklogItem | None:
    parent = item.parent
    for _ in range(3):
        if parent is None:
            return None
        if parent.kind == ItemKind.EPIC:
            return parent
        parent = parent.parent
    return None


def _lane_of(item: BacklogItem, lanes: str) -> tuple[str, str]:
    if lanes == "assignee":
        who = item.assignee
        return (f"m{who.pk}", who.user.display_name) if who else ("~", "Unassigned")
    epic = _epic(item)
    return (f"e{epic.pk}", f"{epic.key} {epic.title}") if epic else ("~", "No epic")


def board_context(request: WorkspaceRequest, sprint: Sprint, lanes: str) -> dict[str, Any]:
    # Read before the cards, so a change made meanwhile makes the first poll refresh them.
    live_tag = etag(*board_stamp(sprint))
    limits = selectors.board_limits(sprint.team)
    entries = list(
        SprintItem.objects.filter(sprint=sprint)
        .select_related("item__assignee__user", "item__parent__parent__parent")
        .order_by("item__rank", "pk")
    )
    items = [entry.item for entry in entries if entry.item.deleted_at is None]
    # Each card links to its item: one reverse for all of them (200 cards, 200 reverses, were
    # a tenth of the board's time).
    url = reverse("backlog:item_detail", args=[request.workspace.slug, KEY_MARK])
    for item in items:
        setattr(item, "board_url", url.replace(KEY_MARK, item.key))  # noqa: B010 - for the card
    columns = [Column(s, ItemStatus(s).label, limits.get(s)) for s in COLUMNS]
    by_status = {column.status: column for column in columns}
    hidden = [item for item in items if item.status not in by_status]
    lane_map: dict[str, Lane] = {}
    for item in items:
        if item.status not in by_status:
            continue
        by_status[item.status].count += 1
        by_status[item.status].cards.append(item)
        if lanes != "none":
            key, label = _lane_of(item, lanes)
            lane = lane_map.setdefault(
                key, Lane(key, label, [Column(s, ItemStatus(s).label, None) for s in COLUMNS])
            )
            lane.count += 1
            lane.cells[COLUMNS.index(item.status)].cards.append(item)
    ordered = sorted(lane_map.values(), key=lambda lane: (lane.key == "~", lane.label.lower()))
    writes = may_change(request, sprint.team, sprint) and sprint.state == SprintState.ACTIVE
    return {
        "sprint": sprint,
        "columns": columns,
        "lanes": ordered,
        "lane_mode": lanes,
        "lane_choices": LANES,
        "hidden": hidden,
        "writes": writes,
        "points": {
            item.pk: format_points(item.estimate) for item in items if item.estimate is not None
        },
        # sprints.js refreshes the board itself when the poll says it changed.
        "live": poll_attributes(
            reverse("sprints:board_live", args=[request.workspace.slug, sprint.pk]),
            live_tag,
            "the board",
        ),
    }


def _lanes(request: WorkspaceRequest) -> str:
    value = request.GET.get("lanes") or request.POST.get("lanes") or "none"
    return value if value in LANES else "none"


@require_GET
@workspace_view
def board(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """The board; an htmx request (the refresh, a lane switch) gets the board alone."""
    sprint = access_sprint(request.actor, sprint_id)
    if sprint.state == SprintState.PLANNED:
        return redirect(sprint_url(request, "plan", sprint))
    context = board_context(request, sprint, _lanes(request))
    if is_htmx(request) and request.headers.get("HX-Target") == "board":
        return render(request, "sprints/_board.html", context)
    return render(request, "sprints/board.html", context)


@require_GET
@workspace_view
def board_live(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """The board's poll (``core.live``): 304 while no card changed."""
    sprint = access_sprint(request.actor, sprint_id)
    tag = etag(*board_stamp(sprint))
    return poll_answer(request, tag, lambda: board_last_change(sprint))


@require_POST
@workspace_view
def move(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """Move a card: its item to ``status``, if it is still at ``version``."""
    sprint = access_sprint(request.actor, sprint_id)
    lanes = _lanes(request)
    key = request.POST.get("item", "")
    status = request.POST.get("status", "")
    try:
        item = item_ref(request.actor, key, field="item")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError as exc:
            raise Invalid.field("version", "the page sent no version: reload the board") from exc
        services.sprint_card_move(
            actor=request.actor, sprint=sprint, item=item, status=status, expected_version=version
        )
    except StaleVersion as error:
        who = (
            f"{error.changed_by} at {when(error.changed_at)}"
            if error.changed_by and error.changed_at
            else "someone else"
        )
        messages.error(
            request,
            f"{key} was changed by {who} since the board was shown: the board now shows it as "
            "it is. Move it again if you still mean to.",
        )
        fresh = board_context(request, access_sprint(request.actor, sprint_id), lanes)
        return render(request, "sprints/_board.html", fresh, status=412)
    except Invalid as error:
        if is_htmx(request):
            return error_response(request, error)
        messages.error(request, error_sentence(error))
        return redirect(sprint_url(request, "board", sprint) + f"?lanes={lanes}")
    if is_htmx(request):
        return render(request, "sprints/_board.html", board_context(request, sprint, lanes))
    return redirect(sprint_url(request, "board", sprint) + f"?lanes={lanes}")


@require_POST
@workspace_view
def limits(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """The team's work-in-progress limits, one per column (empty: none)."""
    sprint = access_sprint(request.actor, sprint_id)
    lanes = _lanes(request)

    def write() -> str:
        services.board_limits_set(
            actor=request.actor,
            team=sprint.team,
            limits={status: request.POST.get(f"limit-{status}", "") for status in COLUMNS},
        )
        return "Work-in-progress limits saved."

    def part(status: int) -> HttpResponse:
        return render(
            request, "sprints/_board.html", board_context(request, sprint, lanes), status=status
        )

    return answer(request, write, part, sprint_url(request, "board", sprint) + f"?lanes={lanes}")
