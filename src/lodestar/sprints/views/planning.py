"""The sprints of a team (with the form that creates one), the sprints of the member's teams
(the sidebar's entry), and planning a sprint: the team's product backlog beside the sprint,
items dragged (or moved with a button) between them, the capacity bar against the team's
recent velocity, capacity per member, the sprint goal and the start."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.refs import item_ref
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import FieldError, Invalid, error_sentence, field_sentence
from lodestar.core.points import format_points
from lodestar.people.access import access_team
from lodestar.people.models import Membership, Team
from lodestar.people.selectors import team_list, team_roster
from lodestar.people.web import WorkspaceRequest, error_response, is_htmx, workspace_view
from lodestar.sprints import selectors, services
from lodestar.sprints.access import access_sprint
from lodestar.sprints.models import Sprint, SprintState
from lodestar.sprints.page_exports import sprints_csv
from lodestar.sprints.views._common import answer, may_change, sprint_url
from lodestar.strategy.refs import goal_ref
from lodestar.strategy.selectors import active_goal, goal_list, team_product

BACKLOG_SHOWN = 200  # the top of the backlog; planning reaches for what is ready first


# -- the sprints of the member's teams, and of one team -------------------------------------------


@require_GET
@workspace_view
def sprints_home(request: WorkspaceRequest) -> HttpResponse:
    """The teams of the workspace with their active and planned sprints, the member's own
    teams first."""
    actor = request.actor
    mine = set(
        actor.membership.team_roles.filter(ended_at__isnull=True).values_list("team_id", flat=True)
    )
    teams = sorted(team_list(actor=actor), key=lambda t: (t.pk not in mine, t.name.lower()))
    open_sprints: dict[int, list[Sprint]] = {}
    for sprint in Sprint.objects.filter(
        workspace_id=actor.workspace_id, state__in=[SprintState.ACTIVE, SprintState.PLANNED]
    ).order_by("start_date", "pk"):
        open_sprints.setdefault(sprint.team_id, []).append(sprint)
    rows = [(team, team.pk in mine, open_sprints.get(team.pk, [])) for team in teams]
    return render(request, "sprints/home.html", {"rows": rows})


def _team_page(
    request: WorkspaceRequest, team: Team, status: int = 200, **extra: Any
) -> HttpResponse | StreamingHttpResponse:
    sprints = list(selectors.sprint_list(actor=request.actor, team=team))
    counts = selectors.sprint_counts([s.pk for s in sprints])
    groups = [
        (state.label, [(s, counts.get(s.pk, 0)) for s in sprints if s.state == state])
        for state in (SprintState.ACTIVE, SprintState.PLANNED, SprintState.CLOSED)
    ]
    if wants_csv(request):
        return sprints_csv(request, team, groups)
    product = team_product(team)
    last = sprints[0] if sprints else None
    start = last.end_date + dt.timedelta(days=1) if last else timezone.localdate()
    length = (last.end_date - last.start_date) if last else dt.timedelta(days=13)
    form = {
        "name": f"Sprint {len(sprints) + 1}",
        "start_date": start.isoformat(),
        "end_date": (start + length).isoformat(),
        "goal": "",
    } | extra.pop("form", {})
    return render(
        request,
        "sprints/team.html",
        {
            "team": team,
            "product": product,
            "groups": groups,
            "writes": product is not None and may_change(request, team),
            "form": form,
            "errors": extra.pop("errors", []),
            "velocity": selectors.team_velocity(team),
        },
        status=status,
    )


def _date(value: str, field: str, errors: list[FieldError]) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        errors.append(FieldError(field, "give a date as YYYY-MM-DD"))
        return None


@require_http_methods(["GET", "POST"])
@workspace_view
def team_sprints(request: WorkspaceRequest, team_slug: str) -> HttpResponse | StreamingHttpResponse:
    """A team's sprints, active, planned and closed; those who plan create one here."""
    team = access_team(request.actor, team_slug)
    if request.method != "POST":
        return _team_page(request, team)
    post = request.POST
    errors: list[FieldError] = []
    start = _date(post.get("start_date", ""), "start_date", errors)
    end = _date(post.get("end_date", ""), "end_date", errors)
    sent = {k: post.get(k, "") for k in ("name", "start_date", "end_date", "goal")}
    if start is None or end is None:
        return _team_page(request, team, 422, form=sent, errors=[field_sentence(e) for e in errors])
    try:
        sprint = services.sprint_create(
            actor=request.actor,
            team=team,
            name=post.get("name", ""),
            start_date=start,
            end_date=end,
            goal=post.get("goal", ""),
        )
    except Invalid as error:
        lines = [field_sentence(e) for e in error.errors] or [error_sentence(error)]
        return _team_page(request, team, 422, form=sent, errors=lines)
    messages.success(request, f"{sprint.name} is planned: choose its items.")
    return redirect(sprint_url(request, "plan", sprint))


# -- planning ---------------------------------------------------------------------------------


def _backlog(sprint: Sprint) -> list[BacklogItem]:
    """The product backlog's open items in no open sprint, ready ones first, then in order."""
    rows = list(
        BacklogItem.objects.filter(
            product_id=sprint.product_id,
            deleted_at__isnull=True,
            status__in=[ItemStatus.NEW, ItemStatus.READY, ItemStatus.IN_PROGRESS],
        )
        .exclude(sprint_entries__sprint__state__in=[SprintState.PLANNED, SprintState.ACTIVE])
        .exclude(kind="epic")
        .select_related("assignee__user")
        .order_by("rank")[:BACKLOG_SHOWN]
    )
    return sorted(rows, key=lambda item: item.status != ItemStatus.READY)


def _members(request: WorkspaceRequest, sprint: Sprint) -> list[tuple[Membership, Any]]:
    """The team's members (each once), with the capacity each gives the sprint."""
    capacity = {row.member_id: row for row in selectors.sprint_capacity(sprint=sprint)}
    seen: dict[int, Membership] = {}
    for hat in team_roster(actor=request.actor, team=sprint.team):
        seen.setdefault(hat.member_id, hat.member)
    for row in capacity.values():
        seen.setdefault(row.member_id, row.member)
    return [(member, capacity.get(member.pk)) for member in seen.values()]


def _bar(planning: selectors.Planning) -> dict[str, Any]:
    """The capacity bar's geometry: committed points against capacity and velocity, as
    percentages of the widest of them."""
    velocity = planning.velocity
    marks = [
        planning.committed_points,
        planning.capacity_points or Decimal(0),
        velocity.high or Decimal(0),
    ]
    scale = max(marks) or Decimal(1)

    def share(value: Decimal | None) -> float | None:
        return None if value is None else round(float(value / scale) * 100, 1)

    over = bool(planning.warnings) and any("exceeds" in w for w in planning.warnings)
    return {
        "committed": share(planning.committed_points),
        "capacity": share(planning.capacity_points),
        "velocity": share(velocity.average),
        "low": share(velocity.low),
        "high": share(velocity.high),
        "over": over,
        "text": format_points(planning.committed_points),
        "span": _span(share(velocity.low), share(velocity.high)),
        "capacity_x": _mark(share(planning.capacity_points)),
        "velocity_x": _mark(share(velocity.average)),
    }


def _span(low: float | None, high: float | None) -> float | None:
    return None if low is None or high is None else round(high - low, 1)


def _mark(at: float | None) -> float | None:
    """A mark's left edge, kept inside the bar."""
    return None if at is None else min(max(at - 0.4, 0.0), 99.2)


def _plan_context(request: WorkspaceRequest, sprint: Sprint) -> dict[str, Any]:
    planning = selectors.sprint_planning(sprint=sprint)
    entries = list(selectors.sprint_items(actor=request.actor, sprint=sprint))
    return {
        "sprint": sprint,
        "entries": entries,
        "backlog": _backlog(sprint) if sprint.state != SprintState.CLOSED else [],
        "planning": planning,
        "bar": _bar(planning),
        "members": _members(request, sprint),
        "goals": list(goal_list(actor=request.actor, product=sprint.product)),
        "active_goal": active_goal(sprint.product),
        "writes": may_change(request, sprint.team, sprint),
    }


def _plan_part(request: WorkspaceRequest, sprint: Sprint) -> Callable[[int], HttpResponse]:
    def part(status: int) -> HttpResponse:
        fresh = access_sprint(request.actor, sprint.pk)
        return render(
            request, "sprints/_planning.html", _plan_context(request, fresh), status=status
        )

    return part


@require_GET
@workspace_view
def plan(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """Plan a sprint: the backlog beside it, capacity, the goal and the start."""
    sprint = access_sprint(request.actor, sprint_id)
    if sprint.state != SprintState.PLANNED:
        return redirect(
            sprint_url(request, "board" if sprint.state == "active" else "report", sprint)
        )
    return render(request, "sprints/plan.html", _plan_context(request, sprint))


@require_POST
@workspace_view
def item_add(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    sprint = access_sprint(request.actor, sprint_id)
    key = request.POST.get("item", "")

    def write() -> str:
        item = item_ref(request.actor, key, field="item")
        services.sprint_items_add(actor=request.actor, sprint=sprint, items=[item])
        return ""

    return answer(request, write, _plan_part(request, sprint), sprint_url(request, "plan", sprint))


@require_POST
@workspace_view
def item_remove(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    sprint = access_sprint(request.actor, sprint_id)
    key = request.POST.get("item", "")

    def write() -> str:
        item = item_ref(request.actor, key, field="item")
        services.sprint_items_remove(actor=request.actor, sprint=sprint, items=[item])
        return ""

    return answer(request, write, _plan_part(request, sprint), sprint_url(request, "plan", sprint))


_CAPACITY_FIELD = re.compile(r"capacity\[(\d+)\]\.(days|points)")


@require_POST
@workspace_view
def capacity(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """Capacity per member: days and points, each empty for "not said"."""
    sprint = access_sprint(request.actor, sprint_id)
    members = [member for member, _ in _members(request, sprint)]

    def write() -> str:
        entries = []
        for member in members:
            days = request.POST.get(f"days-{member.pk}", "").strip() or None
            points = request.POST.get(f"points-{member.pk}", "").strip() or None
            if days is not None or points is not None:
                entries.append(services.CapacityEntry(member=member, days=days, points=points))
        try:
            services.sprint_capacity_set(actor=request.actor, sprint=sprint, entries=entries)
        except Invalid as error:
            raise Invalid(_capacity_sentence(error, entries), code=error.code) from error
        return "Capacity saved."

    return answer(request, write, _plan_part(request, sprint), sprint_url(request, "plan", sprint))


def _capacity_sentence(error: Invalid, entries: list[services.CapacityEntry]) -> str:
    """The capacity error naming the member, not the row's index."""
    lines = []
    for field_error in error.errors:
        found = _CAPACITY_FIELD.fullmatch(field_error.field)
        if found and int(found.group(1)) < len(entries):
            who = entries[int(found.group(1))].member.user.display_name
            lines.append(f"{who}'s {found.group(2)} {field_error.message}.")
        else:
            lines.append(field_sentence(field_error))
    return " ".join(lines) or error.detail


@require_POST
@workspace_view
def goal(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """The sprint goal (and, once the sprint runs, the reason it changes)."""
    sprint = access_sprint(request.actor, sprint_id)
    reason = request.POST.get("goal_reason")
    back = sprint_url(request, "plan" if sprint.state == SprintState.PLANNED else "report", sprint)

    def write() -> str:
        services.sprint_update(
            actor=request.actor,
            sprint=sprint,
            expected_version=_version(request),
            goal=request.POST.get("goal", ""),
            goal_reason=reason.strip() if reason is not None else None,
        )
        return "Sprint goal saved."

    if sprint.state != SprintState.PLANNED:
        return answer(
            request,
            write,
            lambda status: HttpResponse(status=204, headers={"HX-Refresh": "true"}),
            back,
        )
    return answer(request, write, _plan_part(request, sprint), back)


def _version(request: WorkspaceRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
@workspace_view
def start(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """Start the sprint, serving the Product Goal chosen (the active one by default)."""
    sprint = access_sprint(request.actor, sprint_id)
    chosen = request.POST.get("product_goal", "").strip()
    try:
        product_goal = goal_ref(request.actor, sprint.product, chosen or None, field="product_goal")
        services.sprint_start(
            actor=request.actor,
            sprint=sprint,
            expected_version=_version(request),
            goal=request.POST.get("goal") or None,
            **({"product_goal": product_goal} if chosen else {}),
        )
    except Invalid as error:
        sentence = " ".join(e.message[:1].upper() + e.message[1:] + "." for e in error.errors)
        refusal = Invalid(sentence or error.detail, code=error.code)
        if is_htmx(request):
            return error_response(request, refusal)
        messages.error(request, refusal.detail)
        return redirect(sprint_url(request, "plan", sprint))
    messages.success(request, f"{sprint.name} started.")
    target = sprint_url(request, "board", sprint)
    if is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return redirect(target)


def team_sprints_url(request: WorkspaceRequest, team: Team) -> str:
    return reverse(
        "sprints:team", kwargs={"workspace_slug": request.workspace.slug, "team_slug": team.slug}
    )
