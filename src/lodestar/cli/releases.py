"""``lodestar release ...``: a product's releases, through the same services as the API.

lodestar release list -w acme -p ACME [--state planned] [--json]
lodestar release add "2026.3" -w acme -p ACME [--target 2026-03-31] [--description TEXT]
lodestar release show 12 -w acme [--json]                (items, checklist)
lodestar release items 12 ACME-3 ACME-7 -w acme         (add; --remove; --drop --reason R)
lodestar release go-live 12 -w acme [--force --reason "Support will follow up"]
lodestar release notes 12 -w acme [--draft | --save FILE | --save-draft]
lodestar release forecast 12 -w acme [--json]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption

if TYPE_CHECKING:
    from lodestar.people.policy import Actor
    from lodestar.releases.models import Release

release_app = typer.Typer(help="Releases: items, the go-live checklist, notes and forecasts.")
release_app.info.no_args_is_help = True

ProductOption = Annotated[str, typer.Option("--product", "-p", help="The product's key.")]
ReleaseArgument = Annotated[str, typer.Argument(help="The release's id.")]

COLUMNS = [
    ("id", "Id"),
    ("name", "Release"),
    ("state", "State"),
    ("target_date", "Target"),
    ("went_live_at", "Live since"),
    ("progress", "Done"),
]


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"{option} must be a date like 2026-03-31 (it is {value!r}).") from None


def release_data(release: Release) -> dict[str, Any]:
    """The release with the keys the API answers."""
    from lodestar.releases.selectors import release_progress

    progress = release_progress(release)
    return {
        "id": release.pk,
        "product": release.product.key,
        "name": release.name,
        "description": release.description,
        "target_date": release.target_date,
        "state": release.state,
        "went_live_at": release.went_live_at,
        "forced": release.forced,
        "force_reason": release.force_reason,
        "forced_checks": list(release.forced_checks or []),
        "progress": f"{progress.done}/{progress.total}",
        "version": release.version,
    }


def _release(actor: Actor, ref: str) -> Release:
    from lodestar.releases.access import access_release

    return access_release(actor, ref)


@release_app.command("list")
def release_list(
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    state: Annotated[
        str | None, typer.Option(help="planned, in_progress, live or cancelled.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the product's releases, the newest first."""
    setup_django()
    from lodestar.releases.models import ReleaseState
    from lodestar.releases.selectors import release_list as listed
    from lodestar.strategy.access import access_product

    if state is not None and state not in ReleaseState.values:
        raise CliError(
            f"--state must be planned, in_progress, live or cancelled (it is {state!r})."
        )
    actor = acting(workspace, email)
    rows = [
        release_data(r)
        for r in listed(actor=actor, product=access_product(actor, product), state=state).order_by(
            "-created_at", "-id"
        )
    ]
    output.print_listing(
        rows, COLUMNS, as_json=as_json, title="Releases", empty="No releases (or none matches)."
    )


@release_app.command("add")
def release_add(
    name: Annotated[str, typer.Argument(help="A name or version, unique in the product.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    target: Annotated[str | None, typer.Option(help="Target date, like 2026-03-31.")] = None,
    description: Annotated[str, typer.Option(help="The description (Markdown).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Plan a release of the product."""
    setup_django()
    from lodestar.releases import services
    from lodestar.strategy.access import access_product

    actor = acting(workspace, email)
    release = services.release_create(
        actor=actor,
        product=access_product(actor, product),
        name=name,
        description=description,
        target_date=_date(target, "--target") if target else None,
    )
    _show(actor, str(release.pk), as_json=as_json, verb="Planned")


@release_app.command("show")
def release_show(
    release_id: ReleaseArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a release: its state, items and go-live checklist."""
    setup_django()
    _show(acting(workspace, email), release_id, as_json=as_json)


def _show(actor: Actor, ref: str, *, as_json: bool, verb: str = "") -> None:
    from lodestar.releases.checklist import checklist
    from lodestar.releases.selectors import release_items

    release = _release(actor, ref)
    data = release_data(release)
    data["items"] = [
        {
            "key": entry.item.key,
            "title": entry.item.title,
            "status": entry.item.status,
            "dropped": entry.dropped_at is not None,
            "drop_reason": entry.drop_reason,
        }
        for entry in release_items(release=release)
    ]
    data["checklist"] = [
        {"key": c.key, "label": c.label, "met": c.met, "detail": c.detail}
        for c in checklist(release)
    ]
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    console = output.console
    lead = f"{verb} " if verb else ""
    target = f", target {release.target_date}" if release.target_date else ""
    console.print(
        f"{lead}release {release.pk} {release.product.key} {shown(release.name, keep='')} "
        f"({release.get_state_display()}{target}; {data['progress']} items done)",
        markup=False,
    )
    if release.forced:
        console.print(
            f"Forced live past: {'; '.join(release.forced_checks)}. Reason: "
            f"{shown(release.force_reason, keep='')}",
            markup=False,
        )
    for item in data["items"]:
        state = (
            f"dropped: {shown(item['drop_reason'], keep='')}" if item["dropped"] else item["status"]
        )
        console.print(f"  {item['key']} [{state}] {shown(item['title'], keep='')}", markup=False)
    for check in data["checklist"]:
        mark = "ok  " if check["met"] else "TODO"
        console.print(
            f"{mark} {shown(check['label'], keep='')}: {shown(check['detail'], keep='')}",
            markup=False,
        )


@release_app.command("items")
def release_items_command(
    release_id: ReleaseArgument,
    item_keys: Annotated[list[str], typer.Argument(help="Items of the product's backlog.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    remove: Annotated[bool, typer.Option(help="Take them out (a planning mistake).")] = False,
    drop: Annotated[bool, typer.Option(help="Drop them, with --reason.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why they are dropped.")] = None,
) -> None:
    """Add items to the release (or --remove them, or --drop them with a --reason)."""
    setup_django()
    from lodestar.backlog.refs import item_refs
    from lodestar.releases import services

    if remove and drop:
        raise CliError("Give --remove or --drop, not both.")
    if reason is not None and not drop:
        raise CliError("--reason goes with --drop.")
    actor = acting(workspace, email)
    release = _release(actor, release_id)
    items = item_refs(actor, item_keys)
    keys = ", ".join(item.key for item in items)
    if remove:
        services.release_items_remove(actor=actor, release=release, items=items)
        output.console.print(f"Taken out of {release.name}: {keys}.", markup=False)
    elif drop:
        services.release_items_drop(actor=actor, release=release, items=items, reason=reason or "")
        output.console.print(f"Dropped from {release.name}: {keys}.", markup=False)
    else:
        services.release_items_add(actor=actor, release=release, items=items)
        output.console.print(f"Added to {release.name}: {keys}.", markup=False)


@release_app.command("go-live")
def release_go_live(
    release_id: ReleaseArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    force: Annotated[
        bool, typer.Option(help="Past unmet checks (product owner or admin; needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why it goes live with unmet checks.")] = None,
) -> None:
    """Take the release live; refused past unmet checks (named) unless forced with a reason."""
    setup_django()
    from lodestar.releases import services

    actor = acting(workspace, email)
    release = services.release_go_live(
        actor=actor, release=_release(actor, release_id), force=force, reason=reason
    )
    forced = f" (forced past: {'; '.join(release.forced_checks)})" if release.forced else ""
    output.console.print(f"{release.name} is live{forced}.", markup=False)


@release_app.command("notes")
def release_notes(
    release_id: ReleaseArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    draft: Annotated[bool, typer.Option(help="Print the draft from the done items.")] = False,
    save: Annotated[
        str | None, typer.Option(help="Save the notes from a Markdown file ('-': stdin).")
    ] = None,
    save_draft: Annotated[bool, typer.Option(help="Save the draft as the notes.")] = False,
) -> None:
    """Print the release notes (or the --draft), or save them (--save FILE, --save-draft)."""
    setup_django()
    from lodestar.releases import notes, services

    if sum([draft, save is not None, save_draft]) > 1:
        raise CliError("Give one of --draft, --save and --save-draft.")
    actor = acting(workspace, email)
    release = _release(actor, release_id)
    if save is not None or save_draft:
        if save_draft:
            text = notes.draft(release)
        elif save == "-":
            text = sys.stdin.read()
        else:
            path = Path(save or "")
            if not path.is_file():
                raise CliError(f"--save: no file {save!r}.")
            text = path.read_text(encoding="utf-8")
        services.release_notes_save(actor=actor, release=release, notes=text)
        output.console.print(f"Saved the notes of {release.name}.", markup=False)
        return
    text = notes.draft(release) if draft or not release.notes else release.notes
    output.console.print(output.visible(text), markup=False, highlight=False)


@release_app.command("forecast")
def release_forecast(
    release_id: ReleaseArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """When the remaining items are done (50/85/95%) and the chance of the target date."""
    setup_django()
    from lodestar.releases.forecasts import release_forecast as forecast

    actor = acting(workspace, email)
    release = _release(actor, release_id)
    answer = forecast(release)
    when = answer.when
    dates = [
        {"percentile": p.percentile, "weeks": p.value, "date": p.date}
        for p in (when.percentiles if when else ())
    ]
    data: dict[str, Any] = {
        "remaining": answer.remaining,
        "items": answer.total,
        "done": answer.done,
        "teams": answer.teams,
        "dates": dates,
        "chance_by_target": answer.chance,
        "target_date": release.target_date,
        "calibration": when.calibration.sentence if when else None,
        "reason": answer.reason,
    }
    if as_json:
        output.print_json(data)
        return
    console = output.console
    console.print(
        f"{release.name}: {answer.remaining} of {answer.total} items remaining.", markup=False
    )
    for p in dates:
        console.print(
            f"  {p['percentile']}%: done by {p['date'] or 'beyond ten years'}", markup=False
        )
    if answer.chance is not None:
        console.print(
            f"Chance of making the target date ({release.target_date}): "
            f"{round(answer.chance * 100)}%",
            markup=False,
        )
    if when is not None:
        console.print(f"From {', '.join(answer.teams)}. {when.calibration.sentence}", markup=False)
    if answer.reason:
        console.print(answer.reason, markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``release`` command group to ``app``."""
    app.add_typer(release_app, name="release")
