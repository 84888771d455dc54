"""The gates that fetch a webhook and one of its deliveries for an actor: missing, of another
workspace or of another webhook all answer 404."""

from __future__ import annotations

from lodestar.core.errors import NotFound
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.webhooks.models import Webhook, WebhookDelivery
from lodestar.people.policy import Actor


def _number(ref: object) -> int | None:
    text = str(ref).strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def access_webhook(actor: Actor, ref: object) -> Webhook:
    """The webhook ``ref`` (its id) of the actor's workspace."""
    number = _number(ref)
    webhook = (
        Webhook.objects.filter(workspace_id=actor.workspace_id, pk=number).first()
        if number is not None
        else None
    )
    if webhook is None:
        raise NotFound(
            f"No webhook {str(ref).strip()[:40]} in this workspace.", code=Code.WEBHOOK_NOT_FOUND
        )
    return webhook


def access_delivery(actor: Actor, webhook: Webhook, ref: object) -> WebhookDelivery:
    """The delivery ``ref`` (its id) of ``webhook``."""
    number = _number(ref)
    delivery = (
        WebhookDelivery.objects.filter(
            workspace_id=actor.workspace_id, webhook=webhook, pk=number
        ).first()
        if number is not None
        else None
    )
    if delivery is None:
        raise NotFound(
            f"No delivery {str(ref).strip()[:40]} of this webhook.",
            code=Code.WEBHOOK_DELIVERY_NOT_FOUND,
        )
    delivery.webhook = webhook
    return delivery
