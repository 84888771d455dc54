"""``lodestar decision ...``: a product's decision log, through the same services as the API.

lodestar decision list -w acme -p ACME [--status decided] [--linked item:ACME-12] [--json]
lodestar decision show ACME-D3 -w acme [--json]
lodestar decision add "Stream CSV exports" -w acme -p ACME --decision "No cap" \\
    --decided --by priya@acme.example --on 2026-11-02 --link item:ACME-12 \\
    --option "Cap at 10k|Fast|Loses rows" --option "Stream|Every row|Slower" --chosen 2
lodestar decision decide ACME-D4 -w acme [--by dana@acme.example] [--on 2026-11-20]
lodestar decision supersede ACME-D1 --by ACME-D2 -w acme
lodestar decision link ACME-D3 problem:7 -w acme [--remove]
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, ProductOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption, checked_limit

if TYPE_CHECKING:
    from lodestar.decisions.models import Decision
    from lodestar.people.policy import Actor

decision_app = typer.Typer(help="The decision log: record, decide, supersede, link.")
decision_app.info.no_args_is_help = True

DecisionArgument = Annotated[str, typer.Argument(help="The decision's key, like ACME-D3.")]
ByOption = Annotated[
    list[str] | None, typer.Option("--by", help="A member who decided (email); repeat for more.")
]
OnOption = Annotated[str | None, typer.Option("--on", help="The day decided, like 2026-11-02.")]

COLUMNS = [
    ("key", "Decision"),
    ("status", "Status"),
    ("decided_at", "Decided"),
    ("deciders", "By"),
    ("title", "Title"),
]


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"{option} must be a date like 2026-11-02 (it is {value!r}).") from None


def _option(text: str, index: int, chosen: int | None) -> dict[str, Any]:
    title, _, rest = text.partition("|")
    pros, _, cons = rest.partition("|")
    return {
        "title": title.strip(),
        "pros": pros.strip(),
        "cons": cons.strip(),
        "chosen": chosen == index + 1,
    }


def decision_data(decision: Decision) -> dict[str, Any]:
    """The decision with the keys the API answers."""
    from lodestar.decisions import selectors

    successor = decision.superseded_by
    return {
        "number": decision.number,
        "key": decision.key,
        "product": decision.product.key,
        "title": decision.title,
        "status": decision.status,
        "context": decision.context,
        "decision": decision.decision,
        "rationale": decision.rationale,
        "options": [
            {"title": o.title, "pros": o.pros, "cons": o.cons, "chosen": o.chosen}
            for o in decision.options.all()
        ],
        "deciders": sorted(m.user.email for m in decision.deciders.all()),
        "decided_at": decision.decided_at,
        "superseded_by": successor.key if successor is not None else None,
        "supersedes": [d.key for d in decision.supersedes.all()],
        "links": [row.target.spelled for row in selectors.decision_links(decision=decision)],
        "version": decision.version,
    }


def _show(actor: Actor, ref: str, *, as_json: bool, verb: str = "") -> None:
    from lodestar.decisions import selectors
    from lodestar.decisions.access import access_decision

    decision = selectors.decision_detail(decision=access_decision(actor, ref))
    data = decision_data(decision)
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    console = output.console
    lead = f"{verb} " if verb else ""
    console.print(
        f"{lead}{decision.key} {shown(decision.title, keep='')} ({decision.status})", markup=False
    )
    if decision.decided_at:
        who = ", ".join(data["deciders"]) or "nobody named"
        console.print(f"Decided on {decision.decided_at} by {who}", markup=False)
    if data["superseded_by"]:
        console.print(f"Superseded by {data['superseded_by']}", markup=False)
    if data["supersedes"]:
        console.print(f"Supersedes {', '.join(data['supersedes'])}", markup=False)
    for name in ("context", "decision", "rationale"):
        if data[name]:
            console.print(f"{name.capitalize()}: {shown(data[name])}", markup=False)
    for option in data["options"]:
        mark = " (chosen)" if option["chosen"] else ""
        console.print(f"Option: {shown(option['title'], keep='')}{mark}", markup=False)
    for link in data["links"]:
        console.print(f"Linked to {link}", markup=False)


@decision_app.command("list")
def decision_list(
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    status: Annotated[str | None, typer.Option(help="proposed, decided or superseded.")] = None,
    linked: Annotated[
        str | None, typer.Option(help="Only those linked to this object, like item:ACME-12.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, at most (1-500).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the product's decisions, the latest first."""
    setup_django()
    from lodestar.decisions import links, selectors
    from lodestar.decisions.models import DecisionStatus
    from lodestar.strategy.access import access_product

    checked_limit(limit)
    if status is not None and status not in DecisionStatus.values:
        raise CliError(f"--status must be proposed, decided or superseded (it is {status!r}).")
    actor = acting(workspace, email)
    target = None
    if linked:
        kind, ref = links.split(linked, field="linked")
        declared, obj = links.resolve(actor, kind, ref, field="linked")
        target = (declared.name, int(obj.pk))
    rows = selectors.decision_list(
        actor=actor, product=access_product(actor, product), status=status, linked=target
    )[:limit]
    listed = [
        {**decision_data(d), "deciders": ", ".join(m.user.email for m in d.deciders.all())}
        for d in rows
    ]
    if as_json:
        for row, d in zip(listed, rows, strict=True):
            row["deciders"] = sorted(m.user.email for m in d.deciders.all())
    output.print_listing(
        listed,
        COLUMNS,
        as_json=as_json,
        title="Decisions",
        empty="No decisions (or none matches).",
        one_line={"title": 1},
    )


@decision_app.command("show")
def decision_show(
    decision: DecisionArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a decision: its words, options, who decided, its chain and links."""
    setup_django()
    _show(acting(workspace, email), decision, as_json=as_json)


@decision_app.command("add")
def decision_add(
    title: Annotated[str, typer.Argument(help="The decision's title.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    context: Annotated[str, typer.Option(help="The situation (Markdown).")] = "",
    decision: Annotated[str, typer.Option(help="What was decided (Markdown).")] = "",
    rationale: Annotated[str, typer.Option(help="Why (Markdown).")] = "",
    decided: Annotated[
        bool, typer.Option("--decided/--proposed", help="Decided now, or only proposed.")
    ] = False,
    by: ByOption = None,
    on: OnOption = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help='An option weighed: "title|for it|against it"; repeat.'),
    ] = None,
    chosen: Annotated[
        int | None, typer.Option(help="Which --option was taken (1 for the first).")
    ] = None,
    link: Annotated[
        list[str] | None, typer.Option("--link", help="An object it concerns, like item:ACME-12.")
    ] = None,
    supersedes: Annotated[
        str | None, typer.Option(help="A decision of the product it replaces, like ACME-D2.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a decision of the product, proposed or decided."""
    setup_django()
    from lodestar.decisions import services
    from lodestar.decisions.refs import deciders_ref, decision_ref
    from lodestar.strategy.access import access_product

    actor = acting(workspace, email)
    owner = access_product(actor, product)
    options = [_option(text, index, chosen) for index, text in enumerate(option or [])]
    if chosen is not None and not 1 <= chosen <= len(options):
        raise CliError(f"--chosen must name one of the {len(options)} --option (it is {chosen}).")
    made = services.decision_create(
        actor=actor,
        product=owner,
        title=title,
        context=context,
        decision=decision,
        rationale=rationale,
        options=options,
        status="decided" if decided else "proposed",
        deciders=deciders_ref(actor, by or None, field="--by") if decided else None,
        decided_at=_date(on, "--on") if decided else None,
        links=list(link or []),
        supersedes=decision_ref(actor, supersedes, product=owner, field="--supersedes")
        if supersedes
        else None,
    )
    _show(actor, made.key, as_json=as_json, verb="Recorded")


@decision_app.command("decide")
def decision_decide(
    decision: DecisionArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    by: ByOption = None,
    on: OnOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a proposed decision decided: by whom (default you) and when (default today)."""
    setup_django()
    from lodestar.decisions import services
    from lodestar.decisions.access import access_decision
    from lodestar.decisions.refs import deciders_ref

    actor = acting(workspace, email)
    done = services.decision_decide(
        actor=actor,
        decision=access_decision(actor, decision),
        deciders=deciders_ref(actor, by or None, field="--by"),
        decided_at=_date(on, "--on"),
    )
    _show(actor, done.key, as_json=as_json, verb="Decided")


@decision_app.command("supersede")
def decision_supersede(
    decision: DecisionArgument,
    workspace: WorkspaceOption,
    by: Annotated[str, typer.Option("--by", help="The decision that replaces it, like ACME-D5.")],
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a decision superseded by a later one of the same product."""
    setup_django()
    from lodestar.decisions import services
    from lodestar.decisions.access import access_decision
    from lodestar.decisions.refs import decision_ref

    actor = acting(workspace, email)
    old = access_decision(actor, decision)
    services.decision_supersede(actor=actor, decision=old, by=decision_ref(actor, by, field="--by"))
    _show(actor, old.key, as_json=as_json, verb="Superseded")


@decision_app.command("link")
def decision_link(
    decision: DecisionArgument,
    target: Annotated[str, typer.Argument(help="The object, like item:ACME-12 or problem:7.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    remove: Annotated[bool, typer.Option("--remove", help="Unlink it instead.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Link an object to a decision (or, with --remove, unlink it)."""
    setup_django()
    from lodestar.decisions import services
    from lodestar.decisions.access import access_decision

    actor = acting(workspace, email)
    found = access_decision(actor, decision)
    if remove:
        services.decision_unlink(actor=actor, decision=found, target=target)
    else:
        services.decision_link(actor=actor, decision=found, target=target)
    _show(actor, found.key, as_json=as_json, verb="Unlinked from" if remove else "Linked to")


def register(app: typer.Typer) -> None:
    """Add the ``decision`` command group to ``app``."""
    app.add_typer(decision_app, name="decision")
