"""``lodestar search ...``: the workspace's search from the terminal, and rebuilding its index.

    lodestar search "export pdf" -w acme [--kind item] [--sort relevance] [--json]
    lodestar search reindex [-w acme]

A query that is itself the word ``reindex`` is asked with ``lodestar search find reindex``.
Searching acts as a workspace member: ``--as EMAIL``, or the workspace's only owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import JsonOption

if TYPE_CHECKING:
    from lodestar.core.search import Hit

FIND = "find"


class SearchGroup(TyperGroup):
    """``lodestar search WORDS`` runs ``find``: anything that is not a subcommand's name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in {"--help", "-h"}:
            args = [FIND, *args]
        return super().parse_args(ctx, args)


search_app = typer.Typer(
    help="Search a workspace (lodestar search WORDS -w SLUG), or rebuild the search index.",
    cls=SearchGroup,
    no_args_is_help=True,
)

COLUMNS = [("kind", "Kind"), ("title", "Title"), ("at", "Date"), ("snippet", "Found in")]


def _plain(html: str) -> str:
    """A snippet's text as it was written (the marks dropped, the escapes undone)."""
    import html as html_module

    return html_module.unescape(html.replace("<mark>", "").replace("</mark>", ""))


def _data(hit: Hit) -> dict[str, Any]:
    """A hit as the API answers it."""
    return {
        "kind": hit.kind,
        "label": hit.label,
        "id": hit.id,
        "title": hit.title,
        "title_html": str(hit.title_html),
        "snippet": str(hit.snippet_html),
        "url": hit.url,
        "at": hit.at,
        "score": hit.score,
    }


@search_app.command(FIND)
def find(
    words: Annotated[str, typer.Argument(help='What to find: words, "a phrase", prefix*.')],
    workspace: WorkspaceOption,
    email: AsOption = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Only this kind of object (repeat for several).")
    ] = None,
    sort: Annotated[str, typer.Option(help="newest (the default) or relevance.")] = "newest",
    limit: Annotated[int, typer.Option(help="How many hits (1-100).")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find what the words match in the workspace, newest first."""
    setup_django()
    from lodestar.core import search

    actor = acting(workspace, email)
    page = search.search(actor=actor, text=words, kinds=kind, sort=sort, limit=limit)
    rows = [_data(hit) for hit in page.items]
    if not as_json:
        rows = [
            {
                "kind": row["label"],
                "title": row["title"],
                "at": row["at"],
                "snippet": _plain(row["snippet"]),
            }
            for row in rows
        ]
    more = " (more: raise --limit)" if page.next_cursor else ""
    output.print_listing(
        rows,
        COLUMNS,
        as_json=as_json,
        title=f"Found for “{output.visible(words, keep='')}”{more}",
        empty="Nothing matches.",
        one_line={"title": 2, "snippet": 3},
    )


@search_app.command("reindex")
def reindex(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Only this workspace (its slug).")
    ] = None,
) -> None:
    """Rebuild the search index from every searchable object (one workspace's, or all)."""
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from lodestar.core.search.index import reindex as rebuild

    workspace_id = None
    if workspace is not None:
        from lodestar.cli.people import find_workspace

        workspace_id = find_workspace(workspace).pk
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=output.console,
        transient=False,
    ) as progress:
        tasks: dict[str, Any] = {}

        def tell(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(kind, total=total)
            progress.update(tasks[kind], completed=done)

        count = rebuild(workspace_id=workspace_id, progress=tell)
    output.console.print(f"Indexed {count} object{'s' if count != 1 else ''}.")


def register(app: typer.Typer) -> None:
    """Add the ``search`` command group to ``app``."""
    app.add_typer(search_app, name="search")
