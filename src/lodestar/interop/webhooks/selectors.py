"""Every read of webhooks: a workspace's webhooks, a webhook's deliveries (newest first), and
the home page's card. Owners and admins only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lodestar.core.pagination import Page, paginate
from lodestar.interop.permissions import InteropPermission
from lodestar.interop.webhooks.models import Webhook, WebhookDelivery
from lodestar.people.policy import Actor, can, require


def webhook_list(*, actor: Actor) -> QuerySet[Webhook]:
    """The workspace's webhooks, oldest first."""
    require(actor, InteropPermission.MANAGE_WEBHOOKS)
    return Webhook.objects.filter(workspace_id=actor.workspace_id).order_by("pk")


def webhook_detail(*, actor: Actor, webhook: Webhook) -> Webhook:
    require(actor, InteropPermission.MANAGE_WEBHOOKS)
    return webhook


def delivery_list(
    *,
    actor: Actor,
    webhook: Webhook,
    state: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[WebhookDelivery]:
    """A webhook's deliveries, newest first, a page at a time."""
    require(actor, InteropPermission.MANAGE_WEBHOOKS)
    rows = WebhookDelivery.objects.filter(workspace_id=actor.workspace_id, webhook=webhook)
    if state:
        rows = rows.filter(state=state)
    page = paginate(rows, order=["-id"], cursor=cursor, limit=limit)
    for delivery in page.items:
        delivery.webhook = webhook
    return page


def delivery_detail(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    require(actor, InteropPermission.MANAGE_WEBHOOKS)
    return delivery


def home_card(actor: Actor) -> dict[str, Any] | None:
    """The home page's webhooks card, for those who manage them and only when there are some
    (how many, and which are disabled)."""
    if not can(actor, InteropPermission.MANAGE_WEBHOOKS):
        return None
    hooks = list(
        Webhook.objects.filter(workspace_id=actor.workspace_id)
        .order_by("pk")
        .only("pk", "url", "active", "disabled_reason")
    )
    if not hooks:
        return None
    return {"webhooks_total": len(hooks), "webhooks_disabled": [h for h in hooks if not h.active]}
