"""The sprint page (its report): the goal and how it changed, dates and state, burndown and
burnup with the scope line, committed against completed, each item with its outcome, the
review and retrospective notes, and closing an active sprint (a decision for each unfinished
item, whether the goal was met, the notes). A closed sprint reads only, except its notes. An
active sprint shows the chance of finishing its committed work by its end
(``sprints.forecasts.sprint_chance``, from the team's throughput)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from lodestar.core import charts
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Invalid, error_sentence, field_sentence
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.sprints import selectors, services
from lodestar.sprints.access import access_sprint
from lodestar.sprints.forecasts import sprint_chance
from lodestar.sprints.models import Outcome, Sprint, SprintState
from lodestar.sprints.page_exports import sprint_items_csv
from lodestar.sprints.refs import sprint_ref_or_none
from lodestar.sprints.views._common import answer, may_change, sprint_url

CLOSE_CHOICES = [
    (Outcome.BACKLOG_TOP, "Back to the top of the backlog"),
    (Outcome.BACKLOG, "Back to the backlog where it was"),
    (Outcome.NEXT_SPRINT, "Into the next sprint"),
]


def _charts(sprint: Sprint) -> tuple[charts.Chart, charts.Chart]:
    days = [
        charts.BurnDay(day.day, float(day.scope_points), float(day.done_points or 0))
        for day in selectors.sprint_burndown(sprint=sprint)
        if day.scope_points is not None
    ]
    return (
        charts.burndown(days, end=sprint.end_date, id=f"sprint-{sprint.pk}-burndown"),
        charts.burnup(days, end=sprint.end_date, id=f"sprint-{sprint.pk}-burnup"),
    )


def report_context(
    request: WorkspaceRequest, sprint: Sprint, *, close: dict[str, Any] | None = None
) -> dict[str, Any]:
    entries = list(selectors.sprint_items(actor=request.actor, sprint=sprint))
    unfinished = [e for e in entries if e.item.status not in services.FINISHED]
    close = close or {"errors": [], "decisions": {}, "goal_met": "", "open": False}
    chosen = close["decisions"]
    burndown, burnup = _charts(sprint)
    writes = may_change(request, sprint.team, sprint)
    planned = list(
        selectors.sprint_list(
            actor=request.actor, team=sprint.team, state=SprintState.PLANNED
        ).order_by("start_date", "pk")
    )
    figures = services.sprint_figures(sprint) if sprint.state != SprintState.CLOSED else None
    return {
        "sprint": sprint,
        "entries": entries,
        "unfinished": [(e, chosen.get(e.item.key, "")) for e in unfinished],
        "goal_changes": selectors.sprint_goal_changes(sprint=sprint),
        "burndown": burndown,
        "burnup": burnup,
        "figures": figures,
        "writes": writes,
        "notes_writes": may_change(request, sprint.team) and sprint.state != SprintState.PLANNED,
        "planned": planned,
        "close_choices": CLOSE_CHOICES,
        "close": close,
        "chance": sprint_chance(sprint),
    }


@require_GET
@workspace_view
def report(request: WorkspaceRequest, sprint_id: int) -> HttpResponse | StreamingHttpResponse:
    sprint = access_sprint(request.actor, sprint_id)
    if wants_csv(request):
        entries = selectors.sprint_items(actor=request.actor, sprint=sprint)
        return sprint_items_csv(request, sprint, entries)
    return render(request, "sprints/report.html", report_context(request, sprint))


@require_POST
@workspace_view
def notes(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """The review and retrospective notes (Markdown)."""
    sprint = access_sprint(request.actor, sprint_id)
    back = sprint_url(request, "report", sprint)

    def write() -> str:
        services.sprint_update(
            actor=request.actor,
            sprint=sprint,
            review_notes=request.POST.get("review_notes", ""),
            retrospective_notes=request.POST.get("retrospective_notes", ""),
        )
        return "Notes saved."

    return answer(request, write, lambda status: redirect(back), back)


@require_POST
@workspace_view
def close(request: WorkspaceRequest, sprint_id: int) -> HttpResponse:
    """Close the sprint with a decision for each unfinished item."""
    sprint = access_sprint(request.actor, sprint_id)
    post = request.POST
    decisions = {
        entry.item.key: post.get(f"decision-{entry.item.key}", "")
        for entry in selectors.sprint_items(actor=request.actor, sprint=sprint)
        if entry.item.status not in services.FINISHED
    }
    met = post.get("goal_met", "")
    sent = {
        "decisions": decisions,
        "goal_met": met,
        "open": True,
        "next_sprint": post.get("next_sprint", ""),
    }
    errors: list[str] = []
    if met not in ("yes", "no"):
        errors.append("Say whether the sprint goal was met.")
    missing = [key for key, value in decisions.items() if not value]
    if missing:
        errors.append(f"Choose what happens to {', '.join(missing)}.")
    if not errors:
        try:
            nxt = sprint_ref_or_none(request.actor, post.get("next_sprint"), field="next_sprint")
            services.sprint_close(
                actor=request.actor,
                sprint=sprint,
                goal_met=met == "yes",
                decisions=decisions,
                next_sprint=nxt,
                review_notes=post.get("review_notes", ""),
                retrospective_notes=post.get("retrospective_notes", ""),
            )
        except Invalid as error:
            errors = [field_sentence(e) for e in error.errors] or [error_sentence(error)]
    if errors:
        sent["errors"] = errors
        return render(
            request, "sprints/report.html", report_context(request, sprint, close=sent), status=422
        )
    messages.success(request, f"{sprint.name} is closed.")
    return redirect(sprint_url(request, "report", sprint))
