"""``lodestar sprint ...``: a team's sprints, through the same services as the API.

lodestar sprint list -w acme -t core [--state active] [--json]
lodestar sprint create "Sprint 12" -w acme -t core --start 2026-03-02 --end 2026-03-13
lodestar sprint show 12 -w acme [--json]        (planning, capacity, items)
lodestar sprint add 12 ACME-3 ACME-7 -w acme
lodestar sprint remove 12 ACME-7 -w acme
lodestar sprint capacity 12 dev@acme.test:8 qa@acme.test:4:5 -w acme   (email:days[:points])
lodestar sprint start 12 -w acme --goal "Exports people trust"
lodestar sprint goal 12 "Exports of dashboards" --reason "PDF slipped" -w acme
lodestar sprint close 12 -w acme --goal-met --decide ACME-7=next_sprint --decide ACME-8=backlog
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption, checked_limit

if TYPE_CHECKING:
    from lodestar.people.policy import Actor
    from lodestar.sprints.models import Sprint

sprint_app = typer.Typer(help="Sprints: planning, capacity, start and close.")
sprint_app.info.no_args_is_help = True

TeamOption = Annotated[str, typer.Option("--team", "-t", help="The team's slug.")]
SprintArgument = Annotated[str, typer.Argument(help="The sprint's id.")]
DECISIONS = ("backlog", "backlog_top", "next_sprint")

COLUMNS = [
    ("id", "Id"),
    ("name", "Sprint"),
    ("state", "State"),
    ("start_date", "Start"),
    ("end_date", "End"),
    ("goal", "Goal"),
    ("completed_points", "Done pts"),
]


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"{option} must be a date like 2026-03-02 (it is {value!r}).") from None


def _number(value: str) -> float | None:
    return None if value.strip() == "" else float(value)


def _points(value: Any) -> str | None:
    from lodestar.core.points import format_points

    return None if value is None else format_points(value)


def sprint_data(sprint: Sprint) -> dict[str, Any]:
    """The sprint with the keys the API answers."""
    return {
        "id": sprint.pk,
        "team": sprint.team.slug,
        "product": sprint.product.key,
        "name": sprint.name,
        "start_date": sprint.start_date,
        "end_date": sprint.end_date,
        "state": sprint.state,
        "goal": sprint.goal,
        "goal_met": sprint.goal_met,
        "committed_points": _points(sprint.committed_points),
        "completed_points": _points(sprint.completed_points),
        "version": sprint.version,
    }


@sprint_app.command("list")
def sprint_list(
    workspace: WorkspaceOption,
    team: TeamOption,
    email: AsOption = None,
    state: Annotated[str | None, typer.Option(help="planned, active or closed.")] = None,
    limit: Annotated[int, typer.Option(help="How many, at most (1-500).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the team's sprints, the latest start first."""
    setup_django()
    from lodestar.people.access import access_team
    from lodestar.sprints.selectors import sprint_list as listed

    checked_limit(limit)
    actor = acting(workspace, email)
    sprints = listed(actor=actor, team=access_team(actor, team), state=state)
    rows = [sprint_data(s) for s in sprints.order_by("-start_date", "-id")[:limit]]
    output.print_listing(
        rows,
        COLUMNS,
        as_json=as_json,
        title="Sprints",
        empty="No sprints (or none matches).",
        one_line={"goal": 1},
    )


@sprint_app.command("create")
def sprint_create(
    name: Annotated[str, typer.Argument(help="The sprint's name.")],
    workspace: WorkspaceOption,
    team: TeamOption,
    start: Annotated[str, typer.Option(help="First day, like 2026-03-02.")],
    end: Annotated[str, typer.Option(help="Last day, like 2026-03-13.")],
    email: AsOption = None,
    goal: Annotated[str, typer.Option(help="The sprint goal (needed to start).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Plan a sprint of the team."""
    setup_django()
    from lodestar.people.access import access_team
    from lodestar.sprints import services

    actor = acting(workspace, email)
    sprint = services.sprint_create(
        actor=actor,
        team=access_team(actor, team),
        name=name,
        start_date=_date(start, "--start"),
        end_date=_date(end, "--end"),
        goal=goal,
    )
    _show(actor, sprint.pk, as_json=as_json, verb="Planned")


@sprint_app.command("show")
def sprint_show(
    sprint_id: SprintArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a sprint: its goal, planning against capacity and velocity, and its items."""
    setup_django()
    _show(acting(workspace, email), sprint_id, as_json=as_json)


def _show(actor: Actor, ref: int | str, *, as_json: bool, verb: str = "") -> None:
    from lodestar.sprints import selectors
    from lodestar.sprints.access import access_sprint

    sprint = access_sprint(actor, ref)
    planning = selectors.sprint_planning(sprint=sprint)
    data = sprint_data(sprint)
    data["planning"] = {
        "committed_points": _points(planning.committed_points),
        "committed_items": planning.committed_items,
        "capacity_days": _points(planning.capacity_days),
        "capacity_points": _points(planning.capacity_points),
        "velocity": _points(planning.velocity.average),
        "warnings": planning.warnings,
    }
    data["items"] = [
        {
            "key": entry.item.key,
            "title": entry.item.title,
            "status": entry.item.status,
            "estimate": _points(entry.item.estimate),
            "outcome": entry.outcome,
        }
        for entry in selectors.sprint_items(actor=actor, sprint=sprint)
    ]
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    console = output.console
    lead = f"{verb} " if verb else ""
    console.print(
        f"{lead}sprint {sprint.pk} {shown(sprint.name, keep='')} ({sprint.get_state_display()}, "
        f"{sprint.start_date} to {sprint.end_date}, team {sprint.team.slug})",
        markup=False,
    )
    console.print(f"Goal: {shown(sprint.goal, keep='') or 'none yet'}", markup=False)
    plan = data["planning"]
    console.print(
        f"Committed: {plan['committed_points']} points in {plan['committed_items']} items; "
        f"capacity {plan['capacity_points'] or '-'} points, {plan['capacity_days'] or '-'} days; "
        f"velocity {plan['velocity'] or 'not known yet'}",
        markup=False,
    )
    for warning in planning.warnings:
        console.print(f"Warning: {warning}", markup=False)
    for item in data["items"]:
        outcome = f" -> {item['outcome']}" if item["outcome"] else ""
        console.print(
            f"  {item['key']} [{item['status']}] {shown(item['title'], keep='')}{outcome}",
            markup=False,
        )


@sprint_app.command("add")
def sprint_add(
    sprint_id: SprintArgument,
    item_keys: Annotated[list[str], typer.Argument(help="Items of the team's product backlog.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
) -> None:
    """Commit backlog items to the sprint."""
    setup_django()
    from lodestar.backlog.refs import item_refs
    from lodestar.sprints import services
    from lodestar.sprints.access import access_sprint

    actor = acting(workspace, email)
    sprint = access_sprint(actor, sprint_id)
    services.sprint_items_add(actor=actor, sprint=sprint, items=item_refs(actor, item_keys))
    output.console.print(f"Added to {sprint.name}: {', '.join(k.upper() for k in item_keys)}.")


@sprint_app.command("remove")
def sprint_remove(
    sprint_id: SprintArgument,
    item_keys: Annotated[list[str], typer.Argument(help="Items of the sprint.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
) -> None:
    """Take items out of the sprint (they stay in the backlog)."""
    setup_django()
    from lodestar.backlog.refs import item_refs
    from lodestar.sprints import services
    from lodestar.sprints.access import access_sprint

    actor = acting(workspace, email)
    sprint = access_sprint(actor, sprint_id)
    services.sprint_items_remove(actor=actor, sprint=sprint, items=item_refs(actor, item_keys))
    output.console.print(f"Taken out of {sprint.name}: {', '.join(k.upper() for k in item_keys)}.")


@sprint_app.command("capacity")
def sprint_capacity(
    sprint_id: SprintArgument,
    entries: Annotated[
        list[str], typer.Argument(help="email:days[:points] per member (days may be empty).")
    ],
    workspace: WorkspaceOption,
    email: AsOption = None,
) -> None:
    """Set the sprint's capacity: days available and/or points, per member."""
    setup_django()
    from lodestar.people.refs import member_ref
    from lodestar.sprints import services
    from lodestar.sprints.access import access_sprint

    actor = acting(workspace, email)
    sprint = access_sprint(actor, sprint_id)
    given = []
    for index, entry in enumerate(entries):
        parts = entry.split(":")
        if len(parts) not in (2, 3):
            raise CliError(f"{entry!r}: write email:days or email:days:points.")
        try:
            days = _number(parts[1])
            points = _number(parts[2]) if len(parts) == 3 else None
        except ValueError:
            raise CliError(f"{entry!r}: days and points must be numbers.") from None
        member = member_ref(actor, parts[0], field=f"capacity[{index}].member")
        given.append(services.CapacityEntry(member=member, days=days, points=points))
    rows = services.sprint_capacity_set(actor=actor, sprint=sprint, entries=given)
    output.console.print(f"Capacity of {sprint.name}: {len(rows)} member(s).")


@sprint_app.command("start")
def sprint_start(
    sprint_id: SprintArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    goal: Annotated[
        str | None, typer.Option(help="The sprint goal (else the one planned).")
    ] = None,
) -> None:
    """Start the planned sprint (it needs a sprint goal; the team no other active sprint)."""
    setup_django()
    from lodestar.sprints import services
    from lodestar.sprints.access import access_sprint

    actor = acting(workspace, email)
    sprint = services.sprint_start(actor=actor, sprint=access_sprint(actor, sprint_id), goal=goal)
    output.console.print(f"Started {sprint.name}: {sprint.goal}", markup=False)


@sprint_app.command("goal")
def sprint_goal(
    sprint_id: SprintArgument,
    goal: Annotated[str, typer.Argument(help="The new sprint goal.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    reason: Annotated[
        str | None, typer.Option(help="Why it changes (required once the sprint has started).")
    ] = None,
) -> None:
    """Change the sprint goal (after the start, with a reason that is kept)."""
    setup_django()
    from lodestar.sprints import services
    from lodestar.sprints.access import access_sprint

    actor = acting(workspace, email)
    sprint = services.sprint_update(
        actor=actor, sprint=access_sprint(actor, sprint_id), goal=goal, goal_reason=reason
    )
    output.console.print(f"Goal of {sprint.name}: {sprint.goal}", markup=False)


@sprint_app.command("close")
def sprint_close(
    sprint_id: SprintArgument,
    workspace: WorkspaceOption,
    goal_met: Annotated[
        bool, typer.Option("--goal-met/--goal-missed", help="Whether the sprint goal was met.")
    ],
    email: AsOption = None,
    decide: Annotated[
        list[str] | None,
        typer.Option(help="KEY=backlog|backlog_top|next_sprint for each unfinished item."),
    ] = None,
    next_sprint: Annotated[
        str | None, typer.Option("--next", help="The planned sprint carried work goes to.")
    ] = None,
    review: Annotated[str | None, typer.Option(help="Review notes (Markdown).")] = None,
    retrospective: Annotated[str | None, typer.Option(help="Retrospective notes.")] = None,
) -> None:
    """Close the active sprint, deciding what happens to each unfinished item."""
    setup_django()
    from lodestar.sprints import services
    from lodestar.sprints.access import access_sprint
    from lodestar.sprints.refs import sprint_ref_or_none

    decisions: dict[str, str] = {}
    for entry in decide or []:
        key, _, decision = entry.partition("=")
        if not key.strip() or decision not in DECISIONS:
            raise CliError(f"--decide {entry!r}: write KEY={'|'.join(DECISIONS)}.")
        decisions[key.strip()] = decision
    actor = acting(workspace, email)
    sprint = services.sprint_close(
        actor=actor,
        sprint=access_sprint(actor, sprint_id),
        goal_met=goal_met,
        decisions=decisions,
        next_sprint=sprint_ref_or_none(actor, next_sprint, field="next"),
        review_notes=review,
        retrospective_notes=retrospective,
    )
    output.console.print(
        f"Closed {sprint.name}: {_points(sprint.completed_points)} of "
        f"{_points(sprint.committed_points)} points "
        f"done; goal {'met' if goal_met else 'missed'}.",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``sprint`` command group to ``app``."""
    app.add_typer(sprint_app, name="sprint")
