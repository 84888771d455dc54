"""``lodestar backlog ...``: the Product Backlog from the terminal, through the same services
(and rules) as the API.

    lodestar backlog list -w acme -p ACME [--kind bug] [--status ready] [--flagged] [--json]
    lodestar backlog add "Export a dashboard as PDF" -w acme -p ACME --estimate 5 --label reports
    lodestar backlog move ACME-12 -w acme --before ACME-3     (or --after KEY, --top, --bottom)
    lodestar backlog show ACME-12 -w acme [--json]
    lodestar backlog bulk ACME-3 ACME-7 -w acme -p ACME --status done --assignee none --top

Every command acts as a workspace member: ``--as EMAIL``, or, without it, the workspace's
owner when it has exactly one (the operator of a self-hosted install usually is).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lodestar.cli import backlog_score, output
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption

if TYPE_CHECKING:
    from lodestar.backlog.models import BacklogItem
    from lodestar.people.policy import Actor

backlog_app = typer.Typer(help="Work with a product's backlog.", no_args_is_help=True)

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="The workspace's slug.")]
ProductOption = Annotated[str, typer.Option("--product", "-p", help="The product's key.")]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this member (default: the workspace's only owner)."),
]
COLUMNS = [
    ("key", "Item"),
    ("kind", "Kind"),
    ("status", "Status"),
    ("estimate", "Pts"),
    ("title", "Title"),
    ("goal", "Goal"),
    ("flag", "Flag"),
]


def acting(workspace_slug: str, email: str | None) -> Actor:
    """The member the command acts as: ``--as EMAIL``, or the workspace's single owner."""
    from lodestar.cli.people import actor_for, find_workspace
    from lodestar.people.selectors import workspace_owners

    if email:
        return actor_for(email, workspace_slug)
    workspace = find_workspace(workspace_slug)
    owners = list(workspace_owners(workspace=workspace).values_list("user__email", flat=True)[:2])
    if len(owners) != 1:
        raise CliError(
            f"workspace '{workspace_slug}' has {'several owners' if owners else 'no owner'}; "
            "say who acts with --as EMAIL."
        )
    return actor_for(owners[0], workspace_slug)


def _data(item: BacklogItem) -> dict[str, Any]:
    """The item as the API answers it (so scripts can use either)."""
    from lodestar.backlog.schemas import ItemOut

    data: dict[str, Any] = ItemOut.of(item).model_dump(mode="json")
    return data


def _points(estimate: float | str | None) -> str | None:
    """``5.0`` -> ``"5"``, ``0.5`` -> ``"0.5"``, ``"?"`` stays; None when not estimated."""
    from lodestar.core.points import format_points

    return None if estimate is None else format_points(estimate)


def _row(data: dict[str, Any]) -> dict[str, Any]:
    """A table row in the words the web pages use ("In progress", "Flagged"); ``--json`` keeps
    the API's values."""
    from lodestar.backlog.models import ItemKind, ItemStatus

    return {
        **data,
        "kind": ItemKind(data["kind"]).label,
        "status": ItemStatus(data["status"]).label,
        "estimate": _points(data["estimate"]),
        "goal": data["goal"]["statement"] if data["goal"] else None,
        "flag": "Flagged" if data["flagged"] else None,
    }


def _fresh(item: BacklogItem) -> BacklogItem:
    from lodestar.backlog.selectors import item_queryset

    return item_queryset(in_trash=True).get(pk=item.pk)


@backlog_app.command("list")
def list_items(
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    kind: Annotated[str | None, typer.Option(help="epic, story, task, bug or spike.")] = None,
    status: Annotated[
        str | None, typer.Option(help="new, ready, in_progress, done or wont_do.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="Only items with this label.")] = None,
    flagged: Annotated[
        bool | None,
        typer.Option("--flagged/--not-flagged", help="Only items flagged for serving no purpose."),
    ] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Title contains.")] = None,
    limit: Annotated[int, typer.Option(help="How many items, from the top (1-500).")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List a product's backlog in the product owner's order."""
    setup_django()
    from lodestar.backlog.selectors import BacklogFilters, backlog_list
    from lodestar.strategy.refs import product_ref

    actor = acting(workspace, email)
    found = product_ref(actor, product, field="product")
    filters = BacklogFilters(kind=kind, status=status, label=label, flagged=flagged, q=search)
    page = backlog_list(actor=actor, product=found, filters=filters, limit=limit)
    rows = [_data(item) for item in page.items]
    output.print_listing(
        rows if as_json else [_row(r) for r in rows],
        COLUMNS,
        as_json=as_json,
        title=f"{found.key} backlog" + (" (first page; raise --limit)" if page.next_cursor else ""),
        empty="The backlog is empty (or nothing matches the filters).",
        one_line={"title": 3, "goal": 1},
    )


@backlog_app.command("add")
def add(
    title: Annotated[str, typer.Argument(help="What the item is, in a line.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    kind: Annotated[str, typer.Option(help="epic, story, task, bug or spike.")] = "story",
    estimate: Annotated[
        str | None, typer.Option(help='Points on the product\'s scale, or "?".')
    ] = None,
    labels: Annotated[
        list[str] | None, typer.Option("--label", help="A label; repeat for several.")
    ] = None,
    parent: Annotated[str | None, typer.Option(help="The parent item's key.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Put it at the top (product owner).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Add an item at the bottom of a product's backlog (or at the top with --top)."""
    setup_django()
    from lodestar.backlog import services
    from lodestar.backlog.refs import item_ref_or_none
    from lodestar.strategy.refs import product_ref

    actor = acting(workspace, email)
    item = services.item_create(
        actor=actor,
        product=product_ref(actor, product, field="product"),
        title=title,
        kind=kind,
        estimate=estimate,
        labels=labels or [],
        parent=item_ref_or_none(actor, parent, field="parent"),
        position="top" if top else "bottom",
    )
    _show(_fresh(item), as_json=as_json, verb="Added")


@backlog_app.command("move")
def move(
    item_key: Annotated[str, typer.Argument(help="The item to move, e.g. ACME-12.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    before: Annotated[str | None, typer.Option(help="Put it before this item.")] = None,
    after: Annotated[str | None, typer.Option(help="Put it after this item.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Put it at the top.")] = False,
    bottom: Annotated[bool, typer.Option("--bottom", help="Put it at the bottom.")] = False,
) -> None:
    """Move an item (product owner or admin): give one of --before, --after, --top, --bottom."""
    setup_django()
    from lodestar.backlog import services
    from lodestar.backlog.access import access_item
    from lodestar.backlog.refs import item_ref_or_none

    if sum((before is not None, after is not None, top, bottom)) != 1:
        raise CliError("give exactly one of --before KEY, --after KEY, --top or --bottom.")
    actor = acting(workspace, email)
    item = services.item_move(
        actor=actor,
        item=access_item(actor, item_key),
        before=item_ref_or_none(actor, before, field="before", light=True),
        after=item_ref_or_none(actor, after, field="after", light=True),
        position="top" if top else "bottom" if bottom else None,
    )
    where = (
        f"before {before.upper()}" if before else f"after {after.upper()}" if after else
        "to the top" if top else "to the bottom"
    )  # fmt: skip
    output.console.print(f"Moved {item.key} {where}.")


@backlog_app.command("bulk")
def bulk(
    item_keys: Annotated[list[str], typer.Argument(help="The items to change, e.g. ACME-3.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    status: Annotated[
        str | None, typer.Option(help="new, ready, in_progress, done or wont_do.")
    ] = None,
    assignee: Annotated[
        str | None, typer.Option(help='A member\'s email, or "none" for nobody.')
    ] = None,
    goal: Annotated[str | None, typer.Option(help='A goal id, or "none" for no goal.')] = None,
    estimate: Annotated[
        str | None, typer.Option(help='Points on the scale, "?", or "none".')
    ] = None,
    add_labels: Annotated[
        list[str] | None, typer.Option("--add-label", help="Add this label; repeat for several.")
    ] = None,
    remove_labels: Annotated[
        list[str] | None,
        typer.Option("--remove-label", help="Remove this label; repeat for several."),
    ] = None,
    top: Annotated[bool, typer.Option("--top", help="Move them to the top, in order.")] = False,
    bottom: Annotated[
        bool, typer.Option("--bottom", help="Move them to the bottom, in order.")
    ] = False,
    delete: Annotated[bool, typer.Option("--delete", help="Move them to the trash.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Change many items at once, all or nothing: one refusal names the item and changes
    nothing. Moving is the product owner's (or an admin's)."""
    setup_django()
    from lodestar.backlog import services
    from lodestar.backlog.refs import item_refs
    from lodestar.people.refs import member_ref
    from lodestar.strategy.refs import goal_ref, product_ref

    if top and bottom:
        raise CliError("give --top or --bottom, not both.")
    actor = acting(workspace, email)
    found = product_ref(actor, product, field="product")
    fields: dict[str, Any] = {}
    if status is not None:
        fields["status"] = status
    if assignee is not None:
        fields["assignee"] = (
            None if assignee.lower() == "none" else member_ref(actor, assignee, field="assignee")
        )
    if goal is not None:
        fields["goal"] = None if goal.lower() == "none" else goal_ref(actor, found, goal)
    if estimate is not None:
        fields["estimate"] = None if estimate.lower() == "none" else estimate
    change = services.BulkChange(
        **fields,
        add_labels=add_labels or [],
        remove_labels=remove_labels or [],
        position="top" if top else "bottom" if bottom else None,
        delete=delete,
    )
    changed = services.items_update_many(
        actor=actor, product=found, items=item_refs(actor, item_keys), change=change
    )
    if as_json:
        output.print_json([_data(_fresh(item)) for item in changed])
        return
    count = len(changed)
    keys = ", ".join(item.key for item in changed)
    verb = "Moved to the trash" if delete else "Changed"
    output.console.print(f"{verb} {count} item{'s' if count != 1 else ''}: {keys}.")


@backlog_app.command("show")
def show(
    item_key: Annotated[str, typer.Argument(help="The item, e.g. ACME-12.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an item with its Definition of Ready checklist."""
    setup_django()
    from lodestar.backlog.access import access_item

    actor = acting(workspace, email)
    _show(access_item(actor, item_key), as_json=as_json)


def _show(item: BacklogItem, *, as_json: bool, verb: str = "") -> None:
    from lodestar.backlog.selectors import item_readiness

    data = _data(item)
    readiness = item_readiness(item)
    data["readiness"] = {
        "ready": readiness.ready,
        "checks": [
            {"code": c.code, "label": c.label, "status": c.status, "detail": c.detail}
            for c in readiness.checks
        ],
    }
    if as_json:
        output.print_json(data)
        return
    console = output.console
    lead = f"{verb} " if verb else ""
    shown = output.visible
    console.print(f"{lead}[bold]{data['key']}[/] {escape(shown(data['title'], keep=''))}")
    goal = data["goal"]["statement"] if data["goal"] else "none"
    estimate = _points(data["estimate"]) or "-"
    words = _row(data)
    console.print(
        f"{words['kind']} · {words['status']} · {estimate} pts · goal: {escape(shown(goal))}"
        + (f" · parent {data['parent']}" if data["parent"] else "")
    )
    if data["labels"]:
        console.print("labels: " + escape(shown(", ".join(data["labels"]), keep="")))
    if data["flagged"]:
        console.print(f"[yellow]Flagged: {data['flag_reason']}[/]")
    if data["description"]:
        console.print(shown(data["description"]), markup=False)
    for criterion in data["acceptance_criteria"]:
        console.print(f"  - {shown(criterion)}", markup=False)
    marks = {"passed": "[green]ok[/]", "failed": "[red]no[/]", "not_measurable": "[dim]--[/]"}
    console.print("Definition of Ready:" + ("" if readiness.checks else " no checks"))
    for check in readiness.checks:
        console.print(f"  {marks[check.status]} {check.label}: {escape(shown(check.detail))}")


backlog_score.register(backlog_app)


def register(app: typer.Typer) -> None:
    """Add the ``backlog`` command group to ``app``."""
    app.add_typer(backlog_app, name="backlog")
