"""``lodestar webhooks ...``: a workspace's webhooks from the terminal, through the same
services as the API and the pages (owners and admins only).

lodestar webhooks list -w acme [--json]
lodestar webhooks create -w acme --url https://ci.example.com/in --event 'item.*'
lodestar webhooks delete 3 -w acme
lodestar webhooks test 3 -w acme
lodestar webhooks deliveries 3 -w acme [--state failed] [--limit 50] [--json]
lodestar webhooks redeliver 3 118 -w acme
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption, checked_limit

webhooks_app = typer.Typer(help="Webhooks: where a workspace's events are sent, and how it went.")
webhooks_app.info.no_args_is_help = True

WebhookArgument = Annotated[str, typer.Argument(help="The webhook's id.")]
HOOK_COLUMNS = [
    ("id", "Id"),
    ("state", "State"),
    ("url", "URL"),
    ("events", "Events"),
    ("last", "Last delivery"),
]
DELIVERY_COLUMNS = [
    ("id", "Id"),
    ("kind", "Event"),
    ("state", "State"),
    ("response_code", "Code"),
    ("attempts", "Tries"),
    ("created", "When"),
    ("error", "Error"),
]


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


@webhooks_app.command("list")
def webhooks_list(
    workspace: WorkspaceOption, email: AsOption = None, as_json: JsonOption = False
) -> None:
    """List the workspace's webhooks with their state and last delivery."""
    setup_django()
    from lodestar.interop.webhooks import selectors

    actor = acting(workspace, email)
    rows: list[dict[str, Any]] = []
    for hook in selectors.webhook_list(actor=actor):
        rows.append(
            {
                "id": hook.pk,
                "url": hook.url,
                "description": hook.description,
                "events": ", ".join(hook.events),
                "active": hook.active,
                "state": "active" if hook.active else "disabled",
                "disabled_reason": hook.disabled_reason,
                "consecutive_failures": hook.consecutive_failures,
                "last_delivery_state": hook.last_delivery_state,
                "last_response_code": hook.last_response_code,
                "last_delivery_at": hook.last_delivery_at,
                "last": " ".join(
                    str(part)
                    for part in (
                        hook.last_delivery_state,
                        hook.last_response_code or "",
                        _when(hook.last_delivery_at),
                    )
                    if part
                ),
            }
        )
    if as_json:
        for row in rows:
            row.pop("state")
            row.pop("last")
    output.print_listing(
        rows, HOOK_COLUMNS, as_json=as_json, title="Webhooks", empty="No webhooks."
    )


@webhooks_app.command("create")
def webhooks_create(
    workspace: WorkspaceOption,
    url: Annotated[str, typer.Option(help="Where to POST: http:// or https://.")],
    event: Annotated[
        list[str] | None,
        typer.Option(help="An event kind to hear (item.created, item.*, *); repeat for more."),
    ] = None,
    description: Annotated[str, typer.Option(help="What it is for.")] = "",
    email: AsOption = None,
) -> None:
    """Make a webhook; prints its signing secret, this once."""
    setup_django()
    from lodestar.interop.webhooks import services

    if not event:
        raise CliError("Name the events it hears with --event (item.created, item.*, or *).")
    actor = acting(workspace, email)
    webhook = services.webhook_create(actor=actor, url=url, events=event, description=description)
    output.console.print(
        f"Webhook {webhook.pk} to {webhook.url} hears {', '.join(webhook.events)}.", markup=False
    )
    output.console.print(
        f"Signing secret (shown only now): {webhook.secret}", markup=False, soft_wrap=True
    )


@webhooks_app.command("delete")
def webhooks_delete(
    webhook_id: WebhookArgument, workspace: WorkspaceOption, email: AsOption = None
) -> None:
    """Delete a webhook and its delivery log."""
    setup_django()
    from lodestar.interop.webhooks import services
    from lodestar.interop.webhooks.access import access_webhook

    actor = acting(workspace, email)
    webhook = access_webhook(actor, webhook_id)
    services.webhook_delete(actor=actor, webhook=webhook)
    output.console.print(f"Deleted webhook {webhook_id} ({webhook.url}).", markup=False)


@webhooks_app.command("test")
def webhooks_test(
    webhook_id: WebhookArgument, workspace: WorkspaceOption, email: AsOption = None
) -> None:
    """Send a test event (ping) through the worker; `deliveries` shows how it went."""
    setup_django()
    from lodestar.interop.webhooks import services
    from lodestar.interop.webhooks.access import access_webhook

    actor = acting(workspace, email)
    delivery = services.webhook_test(actor=actor, webhook=access_webhook(actor, webhook_id))
    output.console.print(
        f"Test event queued as delivery {delivery.pk}; the worker sends it.", markup=False
    )


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook_id: WebhookArgument,
    workspace: WorkspaceOption,
    state: Annotated[
        str | None, typer.Option(help="Only pending, succeeded, failed or gave_up.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first (1-500).")] = 50,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """A webhook's delivery log, newest first."""
    setup_django()
    from lodestar.interop.webhooks import selectors
    from lodestar.interop.webhooks.access import access_webhook
    from lodestar.interop.webhooks.models import DeliveryState

    checked_limit(limit)
    if state is not None and state not in DeliveryState.values:
        raise CliError(f"--state must be one of {', '.join(DeliveryState.values)}.")
    actor = acting(workspace, email)
    webhook = access_webhook(actor, webhook_id)
    page = selectors.delivery_list(actor=actor, webhook=webhook, state=state, limit=limit)
    rows: list[dict[str, Any]] = [
        {
            "id": d.pk,
            "event_id": d.event_id,
            "kind": d.kind,
            "state": d.state,
            "attempts": d.attempts,
            "response_code": d.response_code,
            "error": d.error,
            "duration_ms": d.duration_ms,
            "next_attempt_at": d.next_attempt_at,
            "created_at": d.created_at,
            "delivered_at": d.delivered_at,
            "created": _when(d.created_at),
        }
        for d in page.items
    ]
    if as_json:
        for row in rows:
            row.pop("created")
    output.print_listing(
        rows,
        DELIVERY_COLUMNS,
        as_json=as_json,
        title=f"Deliveries to {webhook.url}",
        empty="No deliveries (or none matches).",
        one_line={"error": 1},
    )


@webhooks_app.command("redeliver")
def webhooks_redeliver(
    webhook_id: WebhookArgument,
    delivery_id: Annotated[str, typer.Argument(help="The delivery to send again (its id).")],
    workspace: WorkspaceOption,
    email: AsOption = None,
) -> None:
    """Send a delivery's event again, as a new delivery (the same event id)."""
    setup_django()
    from lodestar.interop.webhooks import services
    from lodestar.interop.webhooks.access import access_delivery, access_webhook

    actor = acting(workspace, email)
    webhook = access_webhook(actor, webhook_id)
    again = services.delivery_redeliver(
        actor=actor, delivery=access_delivery(actor, webhook, delivery_id)
    )
    output.console.print(
        f"Event {again.event_id} queued again as delivery {again.pk}.", markup=False
    )


def register(app: typer.Typer) -> None:
    """Add the ``webhooks`` command group to ``app``."""
    app.add_typer(webhooks_app, name="webhooks")
