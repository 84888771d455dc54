"""``lodestar roadmap ...``: a product's roadmap and its share links, through the same services
as the API.

lodestar roadmap show -w acme -p ACME [--json]                  (lanes, entries in order)
lodestar roadmap add item ACME-12 -w acme -p ACME --lane next [--position 0]
lodestar roadmap move 7 -w acme -p ACME --lane later [--position 0]   (7: the entry's id)
lodestar roadmap remove 7 -w acme -p ACME
lodestar roadmap share -w acme -p ACME --label Board [--expires 2027-01-31]
    [--descriptions] [--problem-evidence]                       (prints the link once)
lodestar roadmap revoke 3 -w acme -p ACME                       (3: the link's id)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption
from lodestar.cli.releases import ProductOption

if TYPE_CHECKING:
    from lodestar.people.policy import Actor
    from lodestar.strategy.models import Product

roadmap_app = typer.Typer(help="The roadmap: now, next and later lanes, and its share links.")
roadmap_app.info.no_args_is_help = True

LaneOption = Annotated[str, typer.Option("--lane", help="now, next or later.")]
PositionOption = Annotated[
    int | None, typer.Option("--position", help="0 is first in the lane; left out: last.")
]
COLUMNS = [
    ("id", "Id"),
    ("lane", "Lane"),
    ("kind", "Kind"),
    ("spelled", "Object"),
    ("title", "Title"),
    ("state", "State"),
]


def _product(actor: Actor, key: str) -> Product:
    from lodestar.strategy.access import access_product

    return access_product(actor, key)


def _rows(product: Product) -> list[dict[str, Any]]:
    from lodestar.releases.roadmap_selectors import lanes

    return [
        {
            "id": card.id,
            "lane": lane.name,
            "kind": card.kind,
            "type": card.type,
            "spelled": f"{card.type}:{card.ref}",
            "title": card.title,
            "state": card.state,
            "date": card.date,
        }
        for lane in lanes(product, descriptions=False, evidence=False)
        for card in lane.cards
    ]


def _show(product: Product, as_json: bool) -> None:
    output.print_listing(
        _rows(product),
        COLUMNS,
        as_json=as_json,
        title=f"Roadmap of {product.key}",
        empty="Nothing on the roadmap yet.",
    )


@roadmap_app.command("show")
def roadmap_show(
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the roadmap: each lane's entries, first to last."""
    setup_django()
    actor = acting(workspace, email)
    _show(_product(actor, product), as_json)


@roadmap_app.command("add")
def roadmap_add(
    kind: Annotated[str, typer.Argument(help="goal, item (an epic), problem or release.")],
    target: Annotated[str, typer.Argument(help="An item's key, else the object's id.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    lane: LaneOption,
    position: PositionOption = None,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put a goal, an epic, a problem or a release of the product in a lane."""
    setup_django()
    from lodestar.releases import roadmap

    actor = acting(workspace, email)
    found = _product(actor, product)
    roadmap.roadmap_entry_add(
        actor=actor, product=found, type=kind, target=target, lane=lane, position=position
    )
    _show(found, as_json)


@roadmap_app.command("move")
def roadmap_move(
    entry_id: Annotated[str, typer.Argument(help="The entry's id (roadmap show).")],
    workspace: WorkspaceOption,
    product: ProductOption,
    lane: LaneOption,
    position: PositionOption = None,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move an entry to a lane, at a position in it."""
    setup_django()
    from lodestar.releases import roadmap
    from lodestar.releases.access import access_entry

    actor = acting(workspace, email)
    found = _product(actor, product)
    entry = access_entry(actor, found, entry_id)
    roadmap.roadmap_entry_move(
        actor=actor, product=found, entry=entry, lane=lane, position=position
    )
    _show(found, as_json)


@roadmap_app.command("remove")
def roadmap_remove(
    entry_id: Annotated[str, typer.Argument(help="The entry's id (roadmap show).")],
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
) -> None:
    """Take an entry off the roadmap (the object itself is unchanged)."""
    setup_django()
    from lodestar.releases import roadmap
    from lodestar.releases.access import access_entry

    actor = acting(workspace, email)
    found = _product(actor, product)
    roadmap.roadmap_entry_remove(
        actor=actor, product=found, entry=access_entry(actor, found, entry_id)
    )
    output.console.print("Taken off the roadmap.")


@roadmap_app.command("share")
def roadmap_share(
    workspace: WorkspaceOption,
    product: ProductOption,
    label: Annotated[str, typer.Option("--label", help="Who the link is for.")],
    expires: Annotated[
        str | None, typer.Option("--expires", help="The last day it works, like 2027-01-31.")
    ] = None,
    descriptions: Annotated[
        bool, typer.Option("--descriptions", help="Show descriptions.")
    ] = False,
    problem_evidence: Annotated[
        bool,
        typer.Option("--problem-evidence", help="Show each problem's customer count and ARR."),
    ] = False,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make a read-only share link and print it (this once: only its hash is kept)."""
    setup_django()
    from django.conf import settings
    from django.urls import reverse

    from lodestar.releases import roadmap

    expires_on = None
    if expires:
        try:
            expires_on = dt.date.fromisoformat(expires.strip())
        except ValueError:
            raise CliError(
                f"--expires must be a date like 2027-01-31 (it is {expires!r})."
            ) from None
    actor = acting(workspace, email)
    share, token = roadmap.roadmap_share_create(
        actor=actor,
        product=_product(actor, product),
        label=label,
        expires_on=expires_on,
        include_descriptions=descriptions,
        include_problem_evidence=problem_evidence,
    )
    url = settings.BASE_URL + reverse("releases:roadmap_shared", kwargs={"token": token})
    if as_json:
        output.print_json(
            {"id": share.pk, "label": share.label, "url": url, "expires_at": share.expires_at}
        )
    else:
        output.console.print(f"Link {share.pk} for {share.label} (shown this once):", markup=False)
        output.console.print(url, markup=False, soft_wrap=True)


@roadmap_app.command("revoke")
def roadmap_revoke(
    share_id: Annotated[str, typer.Argument(help="The link's id.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
) -> None:
    """Revoke a share link: from now on it answers 404."""
    setup_django()
    from lodestar.releases import roadmap
    from lodestar.releases.access import access_share

    actor = acting(workspace, email)
    found = _product(actor, product)
    share = roadmap.roadmap_share_revoke(
        actor=actor, product=found, share=access_share(actor, found, share_id)
    )
    output.console.print(f"Revoked the link {share.pk} for {share.label}.", markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``roadmap`` command group to ``app``."""
    app.add_typer(roadmap_app, name="roadmap")
