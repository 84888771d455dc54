"""``lodestar problems ...`` and ``lodestar insights ...``: customer problems with the evidence
their insights add up to, and insights drawn from feedback.

    lodestar problems list -w acme [--status validated] [--json]
    lodestar problems show 7 -w acme [--json]        (evidence, insights, linked items)
    lodestar problems add "Exports take too long" -w acme [--description ...] [--product ACME]
    lodestar problems link 7 ACME-12 ACME-15 -w acme
    lodestar insights add 42 -w acme --quote "takes forever" --problem 7
    lodestar insights add 42 -w acme --start 10 --end 24 --problem 7
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import JsonOption, checked_limit

if TYPE_CHECKING:
    from lodestar.discovery.models import Problem
    from lodestar.discovery.selectors import Evidence
    from lodestar.people.policy import Actor

problems_app = typer.Typer(help="Customer problems and their evidence.")
insights_app = typer.Typer(help="Insights: quotes drawn from feedback, linked to problems.")
problems_app.info.no_args_is_help = True
insights_app.info.no_args_is_help = True


def evidence_data(evidence: Evidence, currency: str) -> dict[str, Any]:
    return {
        "customers": evidence.customers,
        "contacts": evidence.contacts,
        "arr": str(evidence.arr),
        "currency": currency,
        "insights": evidence.insights,
        "latest_at": evidence.latest_at,
        "segments": [
            {"segment": s.segment, "customers": s.customers, "arr": str(s.arr)}
            for s in evidence.segments
        ],
        "trend": [{"week": w.week, "insights": w.insights} for w in evidence.trend],
    }


def problem_data(problem: Problem, evidence: Evidence, currency: str) -> dict[str, Any]:
    """The problem with the keys the API answers, its evidence included."""
    return {
        "id": problem.pk,
        "title": problem.title,
        "description": problem.description,
        "status": problem.status,
        "owner": problem.owner.user.email if problem.owner else None,
        "product": problem.product.key if problem.product else None,
        "evidence": evidence_data(evidence, currency),
        "created_at": problem.created_at,
        "updated_at": problem.updated_at,
        "version": problem.version,
    }


COLUMNS = [
    ("id", "Id"),
    ("status", "Status"),
    ("title", "Problem"),
    ("customers", "Customers"),
    ("arr", "ARR"),
    ("insights", "Insights"),
    ("latest", "Latest"),
]


def _row(data: dict[str, Any]) -> dict[str, Any]:
    evidence = data["evidence"]
    latest = evidence["latest_at"]
    return {
        **data,
        "customers": evidence["customers"],
        "arr": evidence["arr"],
        "insights": evidence["insights"],
        "latest": latest.strftime("%Y-%m-%d") if latest else None,
    }


@problems_app.command("list")
def problems_list(
    workspace: WorkspaceOption,
    email: AsOption = None,
    status: Annotated[
        str | None, typer.Option(help="new, validated, solving, solved or wont_solve.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, at most (1-500).")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List problems, the most customers first, with their evidence."""
    setup_django()
    from lodestar.discovery.selectors import problem_evidence, problem_list

    checked_limit(limit)
    actor = acting(workspace, email)
    problems = list(problem_list(actor=actor, status=status).order_by("-id")[:limit])
    evidence = problem_evidence([p.pk for p in problems])
    currency = actor.workspace.currency
    rows = [problem_data(p, evidence[p.pk], currency) for p in problems]
    rows.sort(key=lambda r: (-r["evidence"]["customers"], -r["evidence"]["insights"], -r["id"]))
    output.print_listing(
        rows if as_json else [_row(r) for r in rows],
        COLUMNS,
        as_json=as_json,
        title="Problems",
        empty="No problems (or none matches).",
        one_line={"title": 1},
    )


@problems_app.command("add")
def problems_add(
    title: Annotated[str, typer.Argument(help="The problem, in the customer's words.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    description: Annotated[str, typer.Option(help="More about it (Markdown).")] = "",
    status: Annotated[str, typer.Option(help="new, validated, solving, ...")] = "new",
    product: Annotated[str | None, typer.Option(help="A product's key.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a problem."""
    setup_django()
    from lodestar.discovery import services
    from lodestar.strategy.refs import product_ref_or_none

    actor = acting(workspace, email)
    problem = services.problem_create(
        actor=actor,
        title=title,
        description=description,
        status=status,
        product=product_ref_or_none(actor, product),
    )
    _show(actor, problem.pk, as_json=as_json, verb="Added")


@problems_app.command("show")
def problems_show(
    problem_id: Annotated[str, typer.Argument(help="The problem's id.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a problem: its evidence, its insights with their quotes, and its backlog items."""
    setup_django()
    actor = acting(workspace, email)
    _show(actor, problem_id, as_json=as_json)


def _show(actor: Actor, ref: int | str, *, as_json: bool, verb: str = "") -> None:
    from lodestar.discovery.access import access_problem
    from lodestar.discovery.selectors import insight_list, problem_evidence, problem_items

    problem = access_problem(actor, ref)
    data = problem_data(
        problem, problem_evidence([problem.pk])[problem.pk], actor.workspace.currency
    )
    insights = insight_list(actor=actor, problem=problem).order_by("-id")[:50]
    data["insights"] = [
        {
            "id": insight.pk,
            "feedback": insight.feedback_id,
            "quote": insight.quote,
            "customer": insight.feedback.customer.name if insight.feedback.customer else None,
        }
        for insight in insights
    ]
    data["items"] = [
        {"key": item.key, "title": item.title, "status": item.status}
        for item in problem_items(problem)
    ]
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    console = output.console
    facts = data["evidence"]
    lead = f"{verb} " if verb else ""
    console.print(f"{lead}[bold]problem {problem.pk}[/] {escape(shown(problem.title, keep=''))}")
    console.print(
        f"{problem.get_status_display()} · {facts['customers']} customers · "
        f"{facts['contacts']} contacts · ARR {facts['arr']} {facts['currency']} · "
        f"{facts['insights']} insights"
    )
    for segment in facts["segments"]:
        name = escape(shown(segment["segment"] or "no segment", keep=""))
        console.print(f"  {name}: {segment['customers']} customers, ARR {segment['arr']}")
    if problem.description:
        console.print(shown(problem.description), markup=False)
    console.print("Insights:" + ("" if data["insights"] else " none yet"))
    for insight in data["insights"]:
        who = f" ({insight['customer']})" if insight["customer"] else ""
        console.print(f"  #{insight['id']} “{shown(insight['quote'])}”{shown(who)}", markup=False)
    console.print("Backlog items:" + ("" if data["items"] else " none linked"))
    for item in data["items"]:
        console.print(f"  {item['key']} {shown(item['title'], keep='')}", markup=False)


@problems_app.command("link")
def problems_link(
    problem_id: Annotated[str, typer.Argument(help="The problem's id.")],
    item_keys: Annotated[list[str], typer.Argument(help="Backlog items that solve it.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
) -> None:
    """Link backlog items to a problem (the ones already linked stay)."""
    setup_django()
    from lodestar.backlog.refs import item_refs
    from lodestar.discovery import services
    from lodestar.discovery.access import access_problem

    actor = acting(workspace, email)
    problem = access_problem(actor, problem_id)
    linked = services.problem_items_link(
        actor=actor, problem=problem, items=item_refs(actor, item_keys)
    )
    keys = ", ".join(item.key for item in linked) or "nothing new"
    output.console.print(f"Linked to problem {problem.pk}: {keys}.")


@insights_app.command("add")
def insights_add(
    feedback_id: Annotated[str, typer.Argument(help="The feedback it is drawn from.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    quote: Annotated[str, typer.Option(help="The words quoted.")] = "",
    start: Annotated[int | None, typer.Option(help="Where the quote starts in the text.")] = None,
    end: Annotated[int | None, typer.Option(help="Where the quote ends in the text.")] = None,
    problems: Annotated[
        list[int] | None, typer.Option("--problem", help="A problem's id; repeat for several.")
    ] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Draw an insight from feedback: a quote, or the span --start..--end of its text."""
    setup_django()
    from lodestar.discovery import services
    from lodestar.discovery.access import access_feedback
    from lodestar.discovery.refs import problem_refs

    actor = acting(workspace, email)
    insight = services.insight_create(
        actor=actor,
        feedback=access_feedback(actor, feedback_id),
        quote=quote,
        start=start,
        end=end,
        problems=problem_refs(actor, problems or [], field="problem"),
        note=note,
    )
    data: dict[str, Any] = {
        "id": insight.pk,
        "feedback": insight.feedback_id,
        "quote": insight.quote,
        "start": insight.start,
        "end": insight.end,
        "problems": [p.pk for p in insight.problems.all()],
        "note": insight.note,
    }
    if as_json:
        output.print_json(data)
        return
    linked = ", ".join(str(pk) for pk in data["problems"]) or "no problem"
    output.console.print(
        f"Added insight {insight.pk} “{output.visible(insight.quote)}” (to {linked}).",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``problems`` and ``insights`` command groups to ``app``."""
    app.add_typer(problems_app, name="problems")
    app.add_typer(insights_app, name="insights")
