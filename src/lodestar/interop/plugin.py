"""What the interop context declares. It sits on top of every other context (an import writes
through their services, an export reads all of them, webhooks tell of every event)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lodestar.core.registry import (
    HomeSection,
    NavChild,
    NavChildren,
    ObjectType,
    PeriodicTask,
    Plugin,
    Subscriber,
)
from lodestar.interop.exports.permissions import PERMISSIONS as EXPORT_PERMISSIONS
from lodestar.interop.exports.permissions import ExportPermission
from lodestar.interop.permissions import PERMISSIONS, InteropPermission
from lodestar.interop.webhooks import delivery as webhook_delivery
from lodestar.interop.webhooks import selectors as webhook_selectors
from lodestar.interop.webhooks.access import access_webhook
from lodestar.interop.webhooks.models import Webhook
from lodestar.people.policy import Actor, can

WEBHOOKS = InteropPermission.MANAGE_WEBHOOKS


def _webhook_url(webhook: Webhook) -> str:
    return reverse("interop:webhook_detail", args=[webhook.workspace.slug, webhook.pk])


def _settings_links(actor: Actor) -> list[NavChild]:
    """The workspace administration pages of interop under Settings in the sidebar, for those
    who may use them (no query: the role decides)."""
    slug = actor.workspace.slug
    links: list[NavChild] = []
    if can(actor, InteropPermission.IMPORT_DATA):
        links.append(NavChild("imports", "Imports", reverse("interop:imports", args=[slug])))
    if can(actor, ExportPermission.EXPORT_WORKSPACE):
        links.append(NavChild("exports", "Exports", reverse("interop:export_list", args=[slug])))
    if can(actor, WEBHOOKS):
        links.append(NavChild("webhooks", "Webhooks", reverse("interop:webhook_list", args=[slug])))
    return links


PLUGIN = Plugin(
    name="interop",
    urls=["lodestar.interop.urls"],
    api=[
        "lodestar.interop.imports.api",
        "lodestar.interop.webhooks.api",
        "lodestar.interop.exports.api",
    ],
    permissions=[*PERMISSIONS, *EXPORT_PERMISSIONS],
    navigation_children=[NavChildren("settings", "Workspace settings", _settings_links)],
    objects=[
        ObjectType(
            name="webhook",
            model=Webhook,
            label="webhook",
            title=lambda webhook: webhook.url,
            gate=access_webhook,
            permissions={"view": WEBHOOKS, "change": WEBHOOKS, "delete": WEBHOOKS},
            url=_webhook_url,
        )
    ],
    # Webhooks hear every event from the worker's outbox pump, never in the writing request.
    subscribers=[
        Subscriber(name="webhooks", handler=webhook_delivery.handle, durable=True),
    ],
    # Deliveries go out through their own tasks (retries waiting their turn); this sweep sends
    # any whose task was lost with a worker.
    periodic=[
        PeriodicTask("lodestar.interop.webhooks.tasks.deliver_due_webhooks", dt.timedelta(hours=1)),
        PeriodicTask(
            "lodestar.interop.webhooks.tasks.purge_webhook_deliveries", dt.timedelta(days=1)
        ),
        PeriodicTask("lodestar.interop.exports.tasks.purge_expired_exports", dt.timedelta(days=1)),
    ],
    home=[
        HomeSection(
            "webhooks", "interop/webhooks/_home.html", webhook_selectors.home_card, order=90
        )
    ],
)
