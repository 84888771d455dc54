"""``lodestar notifications ...``: a member's inbox, through the same services as the API.

lodestar notifications list -w acme --as diego@acme.example [--kind mention] [--unread] [--json]
lodestar notifications read 12 13 -w acme --as diego@acme.example
lodestar notifications read --all -w acme --as diego@acme.example
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption, checked_limit

notifications_app = typer.Typer(help="Your inbox: list notifications, mark them read.")
notifications_app.info.no_args_is_help = True

COLUMNS = [
    ("id", "Id"),
    ("state", "State"),
    ("kind", "Kind"),
    ("when", "When"),
    ("sentence", "What"),
]


@notifications_app.command("list")
def notifications_list(
    workspace: WorkspaceOption,
    email: AsOption = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Only this kind: mention, assigned, comment, status, change, created."),
    ] = None,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread ones.")] = False,
    limit: Annotated[int, typer.Option(help="How many, at most (1-500).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the member's notifications, newest first."""
    setup_django()
    from lodestar.notifications import selectors

    checked_limit(limit)
    actor = acting(workspace, email)
    page = selectors.inbox(actor=actor, kind=kind, unread=True if unread else None, limit=limit)
    rows: list[dict[str, Any]] = [
        {
            "id": n.pk,
            "kind": n.kind,
            "read": n.read,
            "state": "read" if n.read else "unread",
            "sentence": n.sentence,
            "count": n.count,
            "url": n.url,
            "target_type": n.target_type,
            "target_id": n.target_id,
            "when": n.updated_at.strftime("%Y-%m-%d %H:%M"),
            "updated_at": n.updated_at,
        }
        for n in page.items
    ]
    if as_json:
        for row in rows:
            row.pop("state")
            row.pop("when")
    output.print_listing(
        rows,
        COLUMNS,
        as_json=as_json,
        title="Notifications",
        empty="No notifications (or none matches).",
        one_line={"sentence": 1},
    )


@notifications_app.command("read")
def notifications_read(
    workspace: WorkspaceOption,
    ids: Annotated[
        list[str] | None, typer.Argument(help="The notifications to mark read (their ids).")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Mark every one read.")] = False,
    email: AsOption = None,
) -> None:
    """Mark notifications read: the ids given, or all of them with --all."""
    setup_django()
    from lodestar.notifications import selectors, services

    if everything and ids:
        raise CliError("Give notification ids or --all, not both.")
    if not everything and not ids:
        raise CliError("Name the notifications to mark read (their ids), or give --all.")
    actor = acting(workspace, email)
    marked = services.notifications_read(actor=actor, ids=ids, everything=everything)
    left = selectors.unread_count(member_id=actor.membership.pk)
    output.console.print(f"Marked {marked} read; {left} unread left.", markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``notifications`` command group to ``app``."""
    app.add_typer(notifications_app, name="notifications")
